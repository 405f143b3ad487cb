"""manage.py create_service_client: credentials for a service, shown once."""

import json
from io import StringIO

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command
from django.test import Client
from oauth2_provider.models import Application

from customer_service.models import ServiceClient


def create(*args: str) -> str:
    out = StringIO()
    call_command("create_service_client", *args, stdout=out)
    return out.getvalue()


def token_for(client_id: str, client_secret: str, **extra):
    return Client().post(
        "/oauth/token/",
        {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
            **extra,
        },
    )


@pytest.mark.django_db
class TestCreation:
    def test_prints_the_credentials_as_json_and_stores_the_secret_hashed(self):
        out = create(
            "payments",
            "--scope",
            "customers:read",
            "--scope",
            "customers:exists",
            "--json",
        )

        credentials = json.loads(out)
        assert set(credentials) == {"clientId", "clientSecret"}
        application = Application.objects.get(client_id=credentials["clientId"])
        assert application.name == "payments"
        assert application.client_type == Application.CLIENT_CONFIDENTIAL
        assert application.authorization_grant_type == "client-credentials"
        assert credentials["clientSecret"] not in application.client_secret
        assert check_password(credentials["clientSecret"], application.client_secret)
        assert application.service_client.scope_set == {
            "customers:read",
            "customers:exists",
        }

    def test_the_printed_credentials_get_a_token_with_the_granted_scopes(self):
        credentials = json.loads(
            create(
                "crm",
                "--scope",
                "customers:read",
                "--scope",
                "customers:exists",
                "--json",
            )
        )

        response = token_for(credentials["clientId"], credentials["clientSecret"])

        assert response.status_code == 200, response.content
        assert set(response.json()["scope"].split()) == {
            "customers:read",
            "customers:exists",
        }
        assert response.json()["expires_in"] == 900
        assert "refresh_token" not in response.json()

    def test_a_client_may_ask_for_fewer_scopes_but_not_more(self):
        credentials = json.loads(
            create(
                "crm",
                "--scope",
                "customers:read",
                "--scope",
                "customers:exists",
                "--json",
            )
        )

        fewer = token_for(*credentials.values(), scope="customers:exists")
        more = token_for(*credentials.values(), scope="customers:read_pii")

        assert fewer.json()["scope"] == "customers:exists"
        assert more.status_code == 400
        assert more.json()["error"] == "invalid_scope"

    def test_a_wrong_secret_gets_no_token(self):
        credentials = json.loads(create("crm", "--scope", "customers:read", "--json"))

        response = token_for(credentials["clientId"], "wrong")

        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"

    def test_without_json_the_secret_is_shown_once_with_a_warning(self):
        out = create("kyc-provider", "--scope", "kyc:decide")

        secret = out.split("Client secret:")[1].split()[0]
        assert out.count(secret) == 1
        assert "cannot be shown again" in out


@pytest.mark.django_db
class TestRefusals:
    @pytest.mark.parametrize(
        ("scopes", "message"),
        [
            (["customers:write"], "customers:write"),
            (["profile"], "profile"),
            (["customers:read", "admin"], "admin"),
            (["customers:read_pii"], "customers:read_pii only adds"),
        ],
    )
    def test_scopes_a_service_cannot_hold_are_refused(self, scopes, message):
        args = [arg for scope in scopes for arg in ("--scope", scope)]

        with pytest.raises(CommandError, match=message):
            create("svc", *args)

        assert not Application.objects.filter(name="svc").exists()

    def test_the_error_lists_the_scopes_to_choose_from(self):
        with pytest.raises(CommandError, match="customers:exists, customers:read"):
            create("svc", "--scope", "nope")

    def test_a_taken_name_is_refused(self):
        create("payments", "--scope", "customers:read")

        with pytest.raises(CommandError, match="already exists"):
            create("payments", "--scope", "customers:exists")

        assert ServiceClient.objects.count() == 1

    def test_at_least_one_scope_is_needed(self):
        with pytest.raises(CommandError):
            create("svc")
