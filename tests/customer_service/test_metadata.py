"""OPTIONS: the allowed methods for anyone, and nothing about the fields."""

import pytest

from customers.factories import CustomerFactory
from tests.conftest import bearer


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/api/v1/customers", {"GET", "POST"}),
        ("/api/v1/customers/me", {"GET", "PATCH", "DELETE"}),
        ("/api/v1/customers/exists", {"GET"}),
        ("/api/v1/customers/{id}", {"GET", "PATCH"}),
        ("/api/v1/customers/by-external-id/crm:1", {"GET"}),
        ("/api/v1/customers/{id}/kyc/approve", {"POST"}),
        ("/api/v1/customers/{id}/kyc/history", {"GET"}),
        ("/api/v1/auth/activate", {"POST"}),
    ],
)
def test_anyone_learns_the_allowed_methods_and_nothing_else(api_client, path, methods):
    customer = CustomerFactory()

    response = api_client.options(
        path.format(id=customer.public_id), HTTP_ORIGIN="https://app.example.com"
    )

    assert response.status_code == 200
    allowed = {method.strip() for method in response["Allow"].split(",")}
    assert methods | {"OPTIONS"} <= allowed
    assert response.content == b""


@pytest.mark.django_db
def test_a_caller_with_a_token_gets_the_same_empty_answer(service_token):
    response = bearer(service_token("customers:read")).options("/api/v1/customers")

    assert response.status_code == 200
    assert response.content == b""
