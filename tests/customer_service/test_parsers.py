"""Request bodies the JSON parser cannot decode are 400s, never 500s."""

import pytest

from customers.factories import CustomerFactory
from customers.models import Customer
from tests.conftest import bearer

DEEP_OBJECT = '{"a":' * 5000 + "1" + "}" * 5000
DEEP_ARRAY = "[" * 200_000 + "]" * 200_000


@pytest.fixture
def customer(db):
    return CustomerFactory()


@pytest.fixture
def clients(customer, customer_token, service_token, api_client):
    """Who calls each JSON endpoint, with what URL and headers."""
    customer_id = customer.public_id
    return {
        "sign-up": (api_client, "post", "/api/v1/customers", {}),
        "change own profile": (
            bearer(customer_token(customer)),
            "patch",
            "/api/v1/customers/me",
            {"If-Match": '"1"'},
        ),
        "activate": (api_client, "post", "/api/v1/auth/activate", {}),
        "approve": (
            bearer(service_token("kyc:decide")),
            "post",
            f"/api/v1/customers/{customer_id}/kyc/approve",
            {},
        ),
        "fail": (
            bearer(service_token("kyc:decide")),
            "post",
            f"/api/v1/customers/{customer_id}/kyc/fail",
            {},
        ),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("body", [DEEP_OBJECT, DEEP_ARRAY], ids=["object", "array"])
@pytest.mark.parametrize(
    "endpoint", ["sign-up", "change own profile", "activate", "approve", "fail"]
)
def test_deeply_nested_json_is_a_malformed_request(clients, customer, endpoint, body):
    client, method, url, headers = clients[endpoint]

    response = getattr(client, method)(
        url, body, content_type="application/json", headers=headers
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "malformed_request"
    assert Customer.objects.get() == customer
    assert Customer.objects.values("version", "kyc_status").get() == {
        "version": 1,
        "kyc_status": "pending",
    }
