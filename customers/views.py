from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from customer_service.openapi import PROBLEM, PROBLEM_SCHEMA
from customers.serializers import CustomerCreated, CustomerCreateInput, CustomerOutput
from customers.services import customer_create

SIGNUP_MESSAGE = (
    "Your profile has been created and is waiting for identity verification."
)


def profile_response(customer, *, status_code=200, message=None, headers=None):
    """A profile body with its ETag, the one place a version leaves us."""
    body = CustomerOutput(customer).data
    if message is not None:
        body = {"message": message, "customer": body}
    response = Response(body, status=status_code, headers=headers)
    response["ETag"] = customer.etag
    return response


class CustomerCollectionView(APIView):
    """Sign-up: anyone may create a profile, throttled per client address."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "signup"

    @extend_schema(
        operation_id="customers_create",
        summary="Sign a customer up",
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
