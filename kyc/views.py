"""The KYC API: decisions for the automated KYC system, history for readers.

Views parse, call one service or selector, and shape the answer; the rules
live in ``kyc.services``.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from customer_service.access import Caller, CallerKind, Channel, Scope, caller_of
from customer_service.openapi import PROBLEM, PROBLEM_SCHEMA, etag_header
from customer_service.permissions import (
    Rule,
    ScopePermission,
    sees_inactive,
    sees_pii,
)
from customers.models import Customer
from customers.selectors import customer_get_by_public_id
from customers.views import profile_response, readable_profile
from kyc.selectors import kyc_history
from kyc.serializers import (
    KycApproveInput,
    KycDecided,
    KycEventOutput,
    KycFailInput,
    KycHistoryOutput,
)
from kyc.services import kyc_approve, kyc_fail

APPROVED_MESSAGE = "The customer's identity has been verified."
FAILED_MESSAGE = "The customer's identity verification has failed."

DECISION_ERRORS = {
    400: PROBLEM,
    401: PROBLEM,
    403: PROBLEM,
    404: PROBLEM,
    409: OpenApiResponse(
        PROBLEM_SCHEMA,
        description=(
            "invalid_transition (already decided, or not allowed from the "
            "current state) or kyc_condition_failed (inactive customer, "
            "incomplete address)"
        ),
    ),
}


def customer_by_public_id(value: str) -> Customer:
    """Any customer, active or not; unknown or malformed ids are 404."""
    customer = customer_get_by_public_id(public_id=value)
    if customer is None:
        raise NotFound()
    return customer


def reads_profile(caller: Caller, customer: Customer) -> bool:
    """Whether a read of this profile would show it to the caller."""
    return caller.has(Scope.READ) and (customer.is_active or sees_inactive(caller))


def decision_response(customer: Customer, caller: Caller, message: str):
    """The decision, showing the customer as far as the caller may read.

    Deciding does not grant reading: without ``customers:read``, or for a
    closed profile a service may no longer read, only the id and the new
    status come back.
    """
    if reads_profile(caller, customer):
        return profile_response(customer, message=message, include_pii=sees_pii(caller))
    body = KycDecided(
        {"message": message, "customer": customer},
        context={"include_profile": False},
    ).data
    response = Response(body)
    response["ETag"] = customer.etag
    return response


class KycApproveView(APIView):
    permission_classes = [ScopePermission]
    access_rules = {"POST": Rule.of(Scope.KYC_DECIDE)}

    @extend_schema(
        operation_id="kyc_approve",
        summary="Approve a customer's KYC",
        description=(
            "Verifies the customer, creates their login and emails them an "
            "activation link. Needs scope `kyc:decide`. The body is optional: "
            "`reason` (one line of free text) or `note`, and `reference`. The "
            "answer shows `id` and `kycStatus`; the rest of the profile needs "
            "`customers:read` as well, contact data `customers:read_pii`."
        ),
        parameters=[etag_header(200)],
        request=KycApproveInput,
        responses={200: KycDecided, **DECISION_ERRORS},
    )
    def post(self, request, id: str):
        serializer = KycApproveInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        caller = caller_of(request)
        customer = kyc_approve(
            customer=customer_by_public_id(id),
            actor=caller,
            channel=Channel.API,
            **serializer.service_arguments(),
        )
        return decision_response(customer, caller, APPROVED_MESSAGE)


class KycFailView(APIView):
    permission_classes = [ScopePermission]
    access_rules = {"POST": Rule.of(Scope.KYC_DECIDE)}

    @extend_schema(
        operation_id="kyc_fail",
        summary="Fail a customer's KYC",
        description=(
            "Records that verification did not succeed, with a reason code, "
            "and emails the customer. Needs scope `kyc:decide`. The answer "
            "shows `id` and `kycStatus`; the rest of the profile needs "
            "`customers:read` as well, contact data `customers:read_pii`."
        ),
        parameters=[etag_header(200)],
        request=KycFailInput,
        responses={200: KycDecided, **DECISION_ERRORS},
    )
    def post(self, request, id: str):
        serializer = KycFailInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        caller = caller_of(request)
        customer = kyc_fail(
            customer=customer_by_public_id(id),
            actor=caller,
            channel=Channel.API,
            reason_code=data["reason"],
            reference=data["reference"],
            note=data["note"],
        )
        return decision_response(customer, caller, FAILED_MESSAGE)


class KycHistoryView(APIView):
    permission_classes = [ScopePermission]
    access_rules = {"GET": Rule.of(Scope.READ, owner=True)}

    @extend_schema(
        operation_id="kyc_history",
        summary="A customer's KYC history, oldest first",
        description=(
            "For the customer themself and for callers with "
            "`customers:read`. The reason and reference are left out for the "
            "customer; the free note needs `customers:read_pii`."
        ),
        responses={
            200: KycHistoryOutput,
            401: PROBLEM,
            403: PROBLEM,
            404: OpenApiResponse(
                PROBLEM_SCHEMA, description="not_found or profile_not_available"
            ),
        },
    )
    def get(self, request, id: str):
        caller = caller_of(request)
        customer = readable_profile(
            request, self, customer_get_by_public_id(public_id=id)
        )

        is_owner = caller.kind == CallerKind.CUSTOMER
        events = KycEventOutput(
            kyc_history(customer=customer),
            many=True,
            context={
                "include_details": not is_owner,
                "include_note": sees_pii(caller) and not is_owner,
            },
        )
        return Response({"events": events.data})
