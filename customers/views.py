import re
from datetime import datetime

from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_aware
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ErrorDetail, NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from customer_service.access import Channel, Scope, caller_of
from customer_service.openapi import (
    LOCATION_HEADER,
    PROBLEM,
    PROBLEM_SCHEMA,
    etag_header,
)
from customer_service.permissions import (
    ANYONE,
    Rule,
    ScopePermission,
    sees_inactive,
    sees_pii,
)
from customer_service.throttling import CallerRateThrottle
from customers.errors import InvalidIfMatch, PreconditionRequired, ProfileNotAvailable
from customers.filters import CustomerFilter
from customers.models import Customer
from customers.selectors import (
    customer_exists_by_email,
    customer_exists_by_external_id,
    customer_get_by_external_id,
    customer_get_by_public_id,
    customer_list,
)
from customers.serializers import (
    CustomerCreated,
    CustomerCreateInput,
    CustomerExists,
    CustomerExistsQuery,
    CustomerOutput,
    CustomerUpdated,
    CustomerUpdateInput,
)
from customers.services import customer_create, customer_deactivate, customer_update

SIGNUP_MESSAGE = (
    "Your profile has been created and is waiting for identity verification."
)
UPDATE_MESSAGE = "Your profile has been updated successfully."
CLOSED_BY_CUSTOMER = "Closed by the customer."

NOT_FOUND = OpenApiResponse(PROBLEM_SCHEMA, description="Not found.")
READ_ERRORS = {
    401: OpenApiResponse(PROBLEM_SCHEMA, description="No valid credentials."),
    403: OpenApiResponse(
        PROBLEM_SCHEMA, description="No scope for this profile (or not yours)."
    ),
    404: OpenApiResponse(
        PROBLEM_SCHEMA,
        description='not_found, or profile_not_available: "Profile not '
        'available." for a closed profile (staff still see it).',
    ),
}
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='The ETag of the profile as last read, such as "3".',
)
UPDATE_ERRORS = {
    400: OpenApiResponse(
        PROBLEM_SCHEMA,
        description="validation_error, field_not_updatable (externalId, email, "
        "id, kycStatus, createdAt) or invalid_if_match.",
    ),
    401: READ_ERRORS[401],
    403: READ_ERRORS[403],
    404: NOT_FOUND,
    409: OpenApiResponse(
        PROBLEM_SCHEMA,
        description="version_conflict: the profile changed; the current ETag "
        "is in the ETag header.",
    ),
    428: OpenApiResponse(
        PROBLEM_SCHEMA, description="precondition_required: If-Match is missing."
    ),
}
PUBLIC_ID = OpenApiParameter(
    "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The public id."
)
STRONG_ETAG = re.compile(r'^"([1-9][0-9]{0,9})"$')
PAGE_SIZE = re.compile(r"[0-9]{1,3}")


def profile_response(
    customer, *, status_code=200, message=None, headers=None, include_pii=True
):
    """A profile body with its ETag, the one place a version leaves us."""
    body = CustomerOutput(customer, context={"include_pii": include_pii}).data
    if message is not None:
        body = {"message": message, "customer": body}
    response = Response(body, status=status_code, headers=headers)
    response["ETag"] = customer.etag
    return response


def readable_profile(request, view, customer):
    """The customer, if this caller may read them; else the right error."""
    if customer is None:
        raise NotFound()
    view.check_object_permissions(request, customer)
    if not customer.is_active and not sees_inactive(caller_of(request)):
        raise ProfileNotAvailable()
    return customer


def expected_version(request) -> int:
    """The version named by If-Match: one strong ETag, as we send them.

    ``*`` or a list would make the write unconditional, so they are refused
    like any other malformed value.
    """
    header = request.headers.get("If-Match")
    if header is None:
        raise PreconditionRequired()
    match = STRONG_ETAG.fullmatch(header.strip())
    if match is None:
        raise InvalidIfMatch()
    return int(match.group(1))


def single_values(query_params, allowed: set[str] | None = None) -> dict:
    """Query parameters as a dict, each given once and, if listed, known."""
    errors = {}
    for name in query_params:
        if allowed is not None and name not in allowed:
            errors[name] = [ErrorDetail("Unknown parameter.", code="unknown_field")]
        elif len(query_params.getlist(name)) > 1:
            errors[name] = [ErrorDetail("Give this parameter once.", code="repeated")]
    if errors:
        raise ValidationError(errors)
    return {name: query_params[name] for name in query_params}


class NewestFirst(CursorPagination):
    """Stable pages over a changing table, without counting it."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "pageSize"
    max_page_size = 200

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        if not PAGE_SIZE.fullmatch(value) or not 1 <= int(value) <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f"Give a whole number from 1 to {self.max_page_size}."
                    ]
                }
            )
        return int(value)

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise self.invalid_cursor() from None
        # DRF checks the offset but hands the position to the database as
        # it came; a forged one must not reach the query.
        position = cursor.position if cursor is not None else None
        if position is not None and creation_time(position) is None:
            raise self.invalid_cursor()
        return cursor

    def invalid_cursor(self) -> ValidationError:
        return ValidationError({self.cursor_query_param: ["Invalid cursor."]})


def creation_time(position: str) -> datetime | None:
    """The time a cursor position names: exact, with its time zone."""
    try:
        moment = parse_datetime(position)
    except ValueError:
        return None
    return moment if moment is not None and is_aware(moment) else None


class CustomerCollectionView(GenericAPIView):
    """Sign-up and the customer list.

    Anyone may sign up, throttled per client address; staff and services
    with ``customers:read`` may list.
    """

    permission_classes = [ScopePermission]
    access_rules = {"POST": ANYONE, "GET": Rule.of(Scope.READ)}
    throttle_scope = "signup"
    filter_backends = [DjangoFilterBackend]
    filterset_class = CustomerFilter
    pagination_class = NewestFirst
    serializer_class = CustomerOutput

    def initialize_request(self, request, *args, **kwargs):
        drf_request = super().initialize_request(request, *args, **kwargs)
        if request.method == "POST":
            # Sign-up reads no credentials, so a stray session cookie
            # cannot make it fail a CSRF check.
            drf_request.authenticators = ()
        return drf_request

    def get_throttles(self):
        return [ScopedRateThrottle()] if self.request.method == "POST" else []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Customer.objects.none()
        return customer_list(include_inactive=sees_inactive(caller_of(self.request)))

    @extend_schema(
        operation_id="customers_list",
        summary="List customers",
        description="Newest first, in pages of `pageSize` (at most 200); follow "
        "`next`. `search` matches names, and emails too for callers with "
        "`customers:read_pii`, who also get contact data. Services do not "
        "see closed profiles; staff do.",
        parameters=[
            OpenApiParameter(
                "pageSize",
                {"type": "integer", "minimum": 1, "maximum": 200},
                description="1 to 200; 50 when left out.",
            ),
        ],
        responses={
            200: CustomerOutput(many=True),
            400: PROBLEM,
            401: READ_ERRORS[401],
            403: READ_ERRORS[403],
        },
    )
    def get(self, request):
        allowed = {*self.filterset_class.base_filters, "cursor", "pageSize"}
        single_values(request.query_params, allowed)
        customers = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        body = CustomerOutput(
            customers, many=True, context={"include_pii": sees_pii(caller_of(request))}
        ).data
        return self.get_paginated_response(body)

    @extend_schema(
        operation_id="customers_create",
        summary="Sign a customer up",
        description="Optional fields (`externalId`, `nickname`, "
        "`address.line2`, `address.region`) may be left out or sent as null.",
        parameters=[LOCATION_HEADER, etag_header(201)],
        request=CustomerCreateInput,
        responses={
            201: CustomerCreated,
            400: PROBLEM,
            409: OpenApiResponse(
                PROBLEM_SCHEMA, description="email_taken or external_id_taken"
            ),
            429: PROBLEM,
        },
    )
    def post(self, request):
        serializer = CustomerCreateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = customer_create(**serializer.service_arguments())
        return profile_response(
            customer,
            status_code=status.HTTP_201_CREATED,
            message=SIGNUP_MESSAGE,
            headers={"Location": f"/api/v1/customers/{customer.public_id}"},
        )


class OwnProfileView(APIView):
    """The signed-in customer's own profile."""

    permission_classes = [ScopePermission]
    access_rules = {
        "GET": Rule.of(owner=True),
        "PATCH": Rule.of(owner=True),
        "DELETE": Rule.of(owner=True),
    }

    def own_profile(self):
        # Loaded with the token, in the same query.
        return caller_of(self.request).customer

    @extend_schema(
        operation_id="customers_me",
        summary="Read your own profile",
        parameters=[etag_header(200)],
        responses={200: CustomerOutput, 401: READ_ERRORS[401], 403: PROBLEM},
    )
    def get(self, request):
        return profile_response(self.own_profile())

    @extend_schema(
        operation_id="customers_me_update",
        summary="Change your own profile",
        parameters=[IF_MATCH, etag_header(200, 409)],
        request=CustomerUpdateInput,
        responses={200: CustomerUpdated, **UPDATE_ERRORS},
    )
    def patch(self, request):
        return profile_update(request, self.own_profile())

    @extend_schema(
        operation_id="customers_me_close",
        summary="Close your own profile",
        description="The profile becomes inactive and every token of the "
        "customer is revoked; nothing is deleted.",
        request=None,
        responses={204: None, 401: READ_ERRORS[401], 403: PROBLEM},
    )
    def delete(self, request):
        customer_deactivate(
            customer=self.own_profile(),
            actor=caller_of(request),
            channel=Channel.API,
            reason=CLOSED_BY_CUSTOMER,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


def profile_update(request, customer):
    version = expected_version(request)
    serializer = CustomerUpdateInput(data=request.data)
    serializer.is_valid(raise_exception=True)
    customer = customer_update(
        customer=customer,
        expected_version=version,
        changes=serializer.changes(),
        actor=caller_of(request),
        channel=Channel.API,
    )
    return profile_response(customer, message=UPDATE_MESSAGE)


class CustomerDetailView(APIView):
    """One profile by its id."""

    permission_classes = [ScopePermission]
    access_rules = {
        "GET": Rule.of(Scope.READ, owner=True),
        "PATCH": Rule.of(owner=True),
    }

    @extend_schema(
        operation_id="customers_retrieve",
        summary="Read a profile",
        description="The owner sees everything; `customers:read` sees the "
        "profile without contact data, `customers:read_pii` adds email, "
        "phone and address.",
        parameters=[PUBLIC_ID, etag_header(200)],
        responses={200: CustomerOutput, **READ_ERRORS},
    )
    def get(self, request, id: str):
        customer = readable_profile(
            request, self, customer_get_by_public_id(public_id=id)
        )
        return profile_response(customer, include_pii=sees_pii(caller_of(request)))

    @extend_schema(
        operation_id="customers_update",
        summary="Change your own profile by its id",
        parameters=[PUBLIC_ID, IF_MATCH, etag_header(200, 409)],
        request=CustomerUpdateInput,
        responses={200: CustomerUpdated, **UPDATE_ERRORS},
    )
    def patch(self, request, id: str):
        customer = readable_profile(
            request, self, customer_get_by_public_id(public_id=id)
        )
        return profile_update(request, customer)


class CustomerByExternalIdView(APIView):
    """One profile by the id another system gave it."""

    permission_classes = [ScopePermission]
    access_rules = {"GET": Rule.of(Scope.READ, owner=True)}

    @extend_schema(
        operation_id="customers_retrieve_by_external_id",
        summary="Read a profile by its externalId",
        parameters=[
            OpenApiParameter(
                "externalId",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="1 to 64 letters, digits and ._:-",
            ),
            etag_header(200),
        ],
        responses={200: CustomerOutput, **READ_ERRORS},
    )
    def get(self, request, externalId: str):
        customer = readable_profile(
            request, self, customer_get_by_external_id(external_id=externalId)
        )
        return profile_response(customer, include_pii=sees_pii(caller_of(request)))


class CustomerExistsView(APIView):
    """Whether a profile exists, for services with ``customers:exists``.

    Closed profiles exist too: their email stays taken.
    """

    permission_classes = [ScopePermission]
    access_rules = {"GET": Rule.of(Scope.EXISTS)}
    throttle_classes = [CallerRateThrottle]
    throttle_scope = "exists"

    @extend_schema(
        operation_id="customers_exists",
        summary="Check whether a customer exists",
        description="Give exactly one of `email` (any letter case) or "
        "`externalId`. Throttled per client.",
        parameters=[CustomerExistsQuery],
        responses={
            200: CustomerExists,
            400: PROBLEM,
            401: READ_ERRORS[401],
            403: READ_ERRORS[403],
            429: PROBLEM,
        },
    )
    def get(self, request):
        query = CustomerExistsQuery(data=single_values(request.query_params))
        query.is_valid(raise_exception=True)
        if "email" in query.validated_data:
            found = customer_exists_by_email(email=query.validated_data["email"])
        else:
            found = customer_exists_by_external_id(
                external_id=query.validated_data["externalId"]
            )
        return Response({"exists": found})
