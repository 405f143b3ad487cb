"""The OAuth server: the customer app's client, introspection, revocation."""

import base64
import hashlib
import secrets

import pytest
from django.apps import apps as global_apps
from django.core.management.sql import emit_post_migrate_signal
from django.test import Client, override_settings
from oauth2_provider.models import AccessToken, Application

from customer_service.models import ServiceClient
from customer_service.oauth import CUSTOMER_APP_CLIENT_ID, service_client_create
from customers.factories import CustomerFactory
from tests.conftest import bearer, give_login, issue_access_token


def customer_app() -> Application:
    return Application.objects.get(client_id=CUSTOMER_APP_CLIENT_ID)


def migrate_finished():
    emit_post_migrate_signal(
        verbosity=0, interactive=False, db="default", apps=global_apps
    )


def introspect(token: str, *, as_token: str):
    return Client().post(
        "/oauth/introspect/",
        {"token": token},
        HTTP_AUTHORIZATION=f"Bearer {as_token}",
    )


@pytest.mark.django_db
class TestCustomerAppClient:
    def test_the_migration_made_a_public_client_that_skips_consent(self, settings):
        app = customer_app()

        assert app.client_type == Application.CLIENT_PUBLIC
        assert app.authorization_grant_type == Application.GRANT_AUTHORIZATION_CODE
        assert app.skip_authorization is True
        assert app.redirect_uris.split() == settings.CUSTOMER_APP_REDIRECT_URIS

    def test_its_redirect_uris_follow_the_setting_after_migrate(self, settings):
        settings.CUSTOMER_APP_REDIRECT_URIS = [
            "com.example.customerapp:/oauth/callback",
            "https://app.example.com/callback",
        ]

        migrate_finished()

        assert customer_app().redirect_uris == (
            "com.example.customerapp:/oauth/callback https://app.example.com/callback"
        )

    def test_a_deleted_client_comes_back_after_migrate(self):
        customer_app().delete()

        migrate_finished()

        assert customer_app().skip_authorization is True

    def test_the_setting_decides_the_redirect_even_before_migrate(self, customer_app):
        customer = CustomerFactory()
        give_login(customer)
        browser = Client()
        browser.force_login(customer.user)
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(secrets.token_bytes(32)).digest()
        ).rstrip(b"=")
        params = {
            "response_type": "code",
            "client_id": CUSTOMER_APP_CLIENT_ID,
            "redirect_uri": "https://new.example.com/cb",
            "code_challenge": challenge.decode(),
            "code_challenge_method": "S256",
        }

        before = browser.get("/oauth/authorize/", params)
        with override_settings(
            CUSTOMER_APP_REDIRECT_URIS=["https://new.example.com/cb"]
        ):
            after = browser.get("/oauth/authorize/", params)

        assert before.status_code == 400
        assert after.status_code == 302
        assert after["Location"].startswith("https://new.example.com/cb?code=")

    def test_nobody_can_authenticate_as_it_with_an_empty_secret(self, service_token):
        response = Client().post(
            "/oauth/token/",
            {
                "grant_type": "client_credentials",
                "client_id": CUSTOMER_APP_CLIENT_ID,
                "client_secret": "",
            },
        )

        assert response.status_code in {400, 401}
        assert not AccessToken.objects.exists()


@pytest.mark.django_db
class TestIntrospection:
    @pytest.fixture
    def customer_token(self, customer_token):
        return customer_token(CustomerFactory())

    def test_a_service_granted_introspection_learns_about_a_token(
        self, service_token, customer_token
    ):
        response = introspect(customer_token, as_token=service_token("introspection"))

        assert response.status_code == 200
        assert response.json()["active"] is True
        assert response.json()["scope"] == "profile"

    def test_an_unknown_token_is_inactive(self, service_token):
        response = introspect("nope", as_token=service_token("introspection"))

        assert response.json() == {"active": False}

    def test_other_services_may_not_introspect(self, service_token, customer_token):
        asker = service_token("customers:read", "customers:exists")

        response = introspect(customer_token, as_token=asker)

        assert response.status_code in {401, 403}
        assert "active" not in response.content.decode()

    def test_a_client_secret_alone_does_not_open_introspection(self, customer_token):
        issued = service_client_create(name="crm", scopes=["customers:read"])
        basic = base64.b64encode(
            f"{issued.client_id}:{issued.client_secret}".encode()
        ).decode()

        response = Client().post(
            "/oauth/introspect/",
            {"token": customer_token},
            HTTP_AUTHORIZATION=f"Basic {basic}",
        )

        assert response.status_code in {401, 403}

    def test_a_narrowed_grant_closes_introspection_at_once(
        self, service_token, customer_token
    ):
        asker = service_token("introspection")
        ServiceClient.objects.update(scopes="customers:read")

        response = introspect(customer_token, as_token=asker)

        assert response.status_code in {401, 403}


@pytest.mark.django_db
class TestEndpoints:
    def test_the_app_can_revoke_its_customer_token(self, customer_app):
        customer = CustomerFactory()
        give_login(customer)
        token = issue_access_token(
            application=customer_app, user=customer.user, scope="profile"
        )

        revoked = Client().post(
            "/oauth/revoke/", {"token": token, "client_id": CUSTOMER_APP_CLIENT_ID}
        )

        assert revoked.status_code == 200
        assert bearer(token).get("/api/v1/customers/me").status_code == 401

    def test_services_get_tokens_without_a_csrf_token(self):
        issued = service_client_create(name="crm", scopes=["customers:read"])

        response = Client(enforce_csrf_checks=True).post(
            "/oauth/token/",
            {
                "grant_type": "client_credentials",
                "client_id": issued.client_id,
                "client_secret": issued.client_secret,
            },
        )

        assert response.status_code == 200, response.content
        assert response.json()["scope"] == "customers:read"

    @pytest.mark.parametrize(
        "path",
        [
            "/oauth/applications/",
            "/oauth/applications/register/",
            "/oauth/authorized_tokens/",
            "/oauth/revoke_token/",
            "/oauth/.well-known/openid-configuration",
        ],
    )
    def test_only_the_four_client_endpoints_are_mounted(self, path):
        assert Client().get(path).status_code == 404
