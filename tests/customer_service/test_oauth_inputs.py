"""OAuth endpoints answer values PostgreSQL cannot hold with OAuth errors.

PostgreSQL refuses NUL in text and over-long values in limited columns;
SQLite takes both, so these tests only mean something on PostgreSQL.
"""

import base64
import hashlib
import secrets

import pytest
from django.test import Client
from oauth2_provider.models import Grant
from oauthlib.common import Request

from customer_service.oauth import (
    CUSTOMER_APP_CLIENT_ID,
    CustomerServiceOAuth2Validator,
    service_client_create,
)
from customers.factories import CustomerFactory
from tests.conftest import give_login

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

NUL = "\x00"
HUGE = "x" * 10_000
REDIRECT_URI = "com.example.customerapp:/oauth/callback"
# Filled in with a real service client's credentials.
SERVICE_ID, SERVICE_SECRET = object(), object()


def s256_challenge() -> str:
    digest = hashlib.sha256(secrets.token_bytes(32)).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@pytest.fixture
def service(db):
    return service_client_create(name="crm", scopes=["customers:read"])


def with_credentials(form: dict, service) -> dict:
    known = {SERVICE_ID: service.client_id, SERVICE_SECRET: service.client_secret}
    return {name: known.get(value, value) for name, value in form.items()}


def oauth_error(response) -> str:
    assert response.status_code in {400, 401}, response.content
    return response.json()["error"]


@pytest.mark.parametrize("client_id", [NUL, "crm" + NUL, "x" * 256])
def test_the_validator_finds_no_client_for_an_unstorable_id(customer_app, client_id):
    request = Request("https://testserver/oauth/token/")

    found = CustomerServiceOAuth2Validator()._load_application(client_id, request)

    assert found is None


CLIENT_CREDENTIALS = {
    "grant_type": "client_credentials",
    "client_id": SERVICE_ID,
    "client_secret": SERVICE_SECRET,
}
CODE = {
    "grant_type": "authorization_code",
    "client_id": CUSTOMER_APP_CLIENT_ID,
    "code": "c" * 40,
    "redirect_uri": REDIRECT_URI,
    "code_verifier": "v" * 50,
}
REFRESH = {
    "grant_type": "refresh_token",
    "client_id": CUSTOMER_APP_CLIENT_ID,
    "refresh_token": "r" * 30,
}


@pytest.mark.parametrize(
    "form",
    [
        {**CLIENT_CREDENTIALS, "client_id": NUL},
        {**CLIENT_CREDENTIALS, "client_id": HUGE},
        {**CLIENT_CREDENTIALS, "client_secret": NUL},
        {**CLIENT_CREDENTIALS, "scope": NUL},
        {**CLIENT_CREDENTIALS, "resource": f"https://api.example/{NUL}"},
        {**CODE, "code": NUL},
        {**CODE, "code": HUGE},
        {**CODE, "redirect_uri": NUL},
        {**CODE, "code_verifier": NUL},
        {**REFRESH, "refresh_token": NUL},
        {**REFRESH, "refresh_token": HUGE},
        {"grant_type": NUL, "client_id": CUSTOMER_APP_CLIENT_ID},
    ],
)
def test_the_token_endpoint_refuses_unstorable_values(customer_app, service, form):
    response = Client(raise_request_exception=False).post(
        "/oauth/token/", with_credentials(form, service)
    )

    assert oauth_error(response) in {
        "invalid_request",
        "invalid_client",
        "invalid_grant",
        "unsupported_grant_type",
    }


@pytest.mark.parametrize("client_id", [NUL, HUGE])
def test_basic_credentials_with_an_unstorable_id_are_refused(customer_app, client_id):
    basic = base64.b64encode(f"{client_id}:secret".encode()).decode()

    response = Client(raise_request_exception=False).post(
        "/oauth/token/",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )

    assert oauth_error(response) == "invalid_client"


@pytest.mark.parametrize(
    "form",
    [
        {"token": NUL, "client_id": CUSTOMER_APP_CLIENT_ID},
        {"token": "t" * 30, "client_id": NUL},
        {"token": "t" * 30, "client_id": HUGE},
        {
            "token": "t" * 30,
            "client_id": CUSTOMER_APP_CLIENT_ID,
            "token_type_hint": NUL,
        },
    ],
)
def test_revocation_refuses_unstorable_values(customer_app, form):
    response = Client(raise_request_exception=False).post("/oauth/revoke/", form)

    assert response.status_code in {200, 400, 401}, response.content


def test_introspection_refuses_a_nul_token(customer_app, service_token):
    response = Client(raise_request_exception=False).post(
        "/oauth/introspect/",
        {"token": NUL},
        HTTP_AUTHORIZATION=f"Bearer {service_token('introspection')}",
    )

    assert oauth_error(response) == "invalid_request"


class TestAuthorize:
    @pytest.fixture
    def browser(self, customer_app):
        """A customer signed in, so that every parameter is looked at."""
        customer = CustomerFactory()
        give_login(customer)
        client = Client(raise_request_exception=False)
        client.force_login(customer.user)
        return client

    def authorize(self, browser, **overrides):
        params = {
            "response_type": "code",
            "client_id": CUSTOMER_APP_CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "code_challenge": s256_challenge(),
            "code_challenge_method": "S256",
            "state": "s" * 20,
            **overrides,
        }
        return browser.get("/oauth/authorize/", params)

    def test_a_valid_request_still_gets_a_code(self, browser):
        response = self.authorize(browser)

        assert response.status_code == 302
        assert "code=" in response["Location"]
        assert Grant.objects.count() == 1

    @pytest.mark.parametrize(
        "overrides",
        [
            {"client_id": NUL},
            {"client_id": HUGE},
            {"code_challenge": NUL},
            {"code_challenge": HUGE},
            {"code_challenge": "c" * 42 + NUL},
            {"code_challenge": "c" * 129},
            {"code_challenge_method": NUL},
            {"nonce": NUL},
            {"nonce": "n" * 256},
            {"state": NUL},
            {"redirect_uri": NUL},
            {"redirect_uri": REDIRECT_URI + NUL},
            {"scope": NUL},
            {"response_type": NUL},
            {"resource": f"https://api.example/{NUL}"},
        ],
    )
    def test_unstorable_values_issue_no_code(self, browser, overrides):
        response = self.authorize(browser, **overrides)

        assert response.status_code in {302, 400}, response.content
        if response.status_code == 302:
            assert "error=" in response["Location"]
            assert "code=" not in response["Location"]
        assert not Grant.objects.exists()
