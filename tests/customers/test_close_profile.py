"""DELETE /api/v1/customers/me: the customer closes their profile."""

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken, RefreshToken

from customers.factories import CustomerFactory
from customers.models import Customer, CustomerChange
from tests.conftest import CUSTOMER_PASSWORD, bearer, issue_access_token

ME = "/api/v1/customers/me"


@pytest.fixture
def customer(db):
    return CustomerFactory(email="jane@example.com")


@pytest.fixture
def token(customer, customer_token):
    return customer_token(customer)


@pytest.mark.django_db
class TestClosing:
    def test_the_profile_becomes_inactive_and_nothing_is_deleted(self, customer, token):
        response = bearer(token).delete(ME)

        assert response.status_code == 204
        stored = Customer.objects.get(pk=customer.pk)
        assert stored.is_active is False
        assert stored.email == "jane@example.com"
        assert stored.user_id == customer.user_id

    def test_every_token_of_the_customer_is_revoked(
        self, customer, token, customer_app
    ):
        other_token = issue_access_token(
            application=customer_app, user=customer.user, scope="profile"
        )

        bearer(token).delete(ME)

        assert bearer(token).get(ME).status_code == 401
        assert bearer(other_token).get(ME).status_code == 401
        assert not AccessToken.objects.filter(user=customer.user).exists()
        assert not RefreshToken.objects.filter(user=customer.user).exists()

    def test_afterwards_readers_get_profile_not_available(
        self, customer, token, service_token
    ):
        bearer(token).delete(ME)

        response = bearer(service_token("customers:read")).get(
            f"/api/v1/customers/{customer.public_id}"
        )

        assert response.status_code == 404
        assert response.json()["code"] == "profile_not_available"
        assert response.json()["detail"] == "Profile not available."

    def test_afterwards_the_email_still_exists(self, customer, token, service_token):
        bearer(token).delete(ME)

        response = bearer(service_token("customers:exists")).get(
            "/api/v1/customers/exists", {"email": "jane@example.com"}
        )

        assert response.json() == {"exists": True}

    def test_afterwards_the_customer_cannot_sign_in(self, customer, token):
        bearer(token).delete(ME)

        response = Client().post(
            "/account/login/",
            {"email": "jane@example.com", "password": CUSTOMER_PASSWORD},
        )

        assert response.status_code == 200
        assert "The email or password is not correct." in response.content.decode()

    def test_the_closing_is_recorded(self, customer, token):
        bearer(token).delete(ME)

        change = CustomerChange.objects.get()
        assert change.fields == ["isActive"]
        assert change.actor_kind == "customer"
        assert change.channel == "api"
        assert change.reason


@pytest.mark.django_db
class TestWhoMayClose:
    def test_a_service_cannot_close_a_profile(self, service_token):
        client = bearer(service_token("customers:read", "customers:read_pii"))

        assert client.delete(ME).status_code == 403

    def test_without_credentials_the_answer_is_401(self, api_client):
        assert api_client.delete(ME).status_code == 401

    def test_a_profile_cannot_be_deleted_by_id(self, customer, token):
        response = bearer(token).delete(f"/api/v1/customers/{customer.public_id}")

        assert response.status_code == 405
        assert Customer.objects.get(pk=customer.pk).is_active is True
