"""A customer's whole journey, through the public doors only.

Sign up, get approved by the automated KYC provider, read the activation
email from the file backend, choose a password, sign in through the app's
OAuth flow (authorization code with PKCE) and read the profile.
"""

import base64
import email
import hashlib
import re
import secrets
from email import policy
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.conf import settings
from django.test import Client, override_settings
from rest_framework.test import APIClient

from customer_service.oauth import (
    CUSTOMER_APP_CLIENT_ID,
    customer_app_sync,
    service_client_create,
)

PASSWORD = "harbour-violet-lantern-42"
SIGNUP = {
    "firstName": "Ada",
    "lastName": "Lovelace",
    "email": "Ada.Lovelace@Example.com",
    "phone": "+442071838750",
    "address": {
        "line1": "12 St James's Square",
        "city": "London",
        "postalCode": "SW1Y 4JH",
        "country": "GB",
    },
}


def form_post(client: Client, url: str, data: dict):
    return client.post(
        url, urlencode(data), content_type="application/x-www-form-urlencoded"
    )


def csrf_token_of(response) -> str:
    return (
        re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', response.content)
        .group(1)
        .decode()
    )


def service_token(scope: str) -> str:
    issued = service_client_create(name="KYC provider", scopes=[scope])
    response = form_post(
        Client(),
        "/oauth/token/",
        {
            "grant_type": "client_credentials",
            "client_id": issued.client_id,
            "client_secret": issued.client_secret,
        },
    )
    assert response.status_code == 200
    return response.json()["access_token"]


def activation_link_from_mail_folder(folder) -> str:
    """The one activation link in the one email the file backend wrote."""
    (written,) = list(folder.iterdir())
    message = email.message_from_bytes(written.read_bytes(), policy=policy.default)
    assert message["To"] == "Ada.Lovelace@example.com"
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://\S+/account/activate/\S+/\S+/", text).group(0)


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign_in_with_pkce(browser: Client, *, email_address: str, password: str) -> str:
    """Run the app's sign-in as a browser would; return the access token."""
    redirect_uri = settings.CUSTOMER_APP_REDIRECT_URIS[0]
    verifier, challenge = pkce_pair()
    authorize = "/oauth/authorize/?" + urlencode(
        {
            "response_type": "code",
            "client_id": CUSTOMER_APP_CLIENT_ID,
            "redirect_uri": redirect_uri,
            "scope": "profile",
            "state": "journey-1",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )

    to_sign_in = browser.get(authorize)
    assert to_sign_in.status_code == 302
    sign_in_page = browser.get(to_sign_in["Location"])
    assert sign_in_page.status_code == 200
    signed_in = form_post(
        browser,
        to_sign_in["Location"],
        {
            "csrfmiddlewaretoken": csrf_token_of(sign_in_page),
            "email": email_address,
            "password": password,
            "next": authorize,
        },
    )
    assert signed_in.status_code == 302
    back_to_app = browser.get(signed_in["Location"])
    assert back_to_app.status_code == 302
    location = urlsplit(back_to_app["Location"])
    query = parse_qs(location.query)
    assert back_to_app["Location"].startswith(redirect_uri)
    assert query["state"] == ["journey-1"]

    token = form_post(
        Client(),
        "/oauth/token/",
        {
            "grant_type": "authorization_code",
            "client_id": CUSTOMER_APP_CLIENT_ID,
            "code": query["code"][0],
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        },
    )
    assert token.status_code == 200, token.content
    body = token.json()
    assert body["scope"] == "profile"
    assert body["refresh_token"]
    return body["access_token"]


@pytest.mark.django_db(transaction=True)
def test_sign_up_approve_activate_sign_in_and_read_the_profile(tmp_path):
    # The app's client is registered after migrating; a flush by an earlier
    # test of this kind removes it, so register it again.
    customer_app_sync()
    mail = tmp_path / "mail"
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail),
    ):
        # Given a new customer, pending KYC, who cannot sign in yet
        signed_up = APIClient().post("/api/v1/customers", SIGNUP)
        assert signed_up.status_code == 201
        customer_id = signed_up.json()["customer"]["id"]
        assert signed_up.json()["customer"]["kycStatus"] == "pending"

        # When the KYC provider approves them
        provider = APIClient()
        provider.credentials(HTTP_AUTHORIZATION=f"Bearer {service_token('kyc:decide')}")
        approved = provider.post(
            f"/api/v1/customers/{customer_id}/kyc/approve", {"reference": "case-1"}
        )
        assert approved.status_code == 200
        assert approved.json()["customer"]["kycStatus"] == "verified"

        # Then an activation email arrives, whose link sets the password
        link = urlsplit(activation_link_from_mail_folder(mail)).path
        browser = Client(enforce_csrf_checks=True)
        form = browser.get(link)
        assert form.status_code == 200
        activated = form_post(
            browser,
            link,
            {
                "csrfmiddlewaretoken": csrf_token_of(form),
                "password": PASSWORD,
                "password_confirm": PASSWORD,
            },
        )
        assert activated.status_code == 200
        assert b"Your account is active" in activated.content

    # And the customer signs in through the app and reads their profile
    access_token = sign_in_with_pkce(
        Client(enforce_csrf_checks=True),
        email_address="ada.lovelace@EXAMPLE.com",
        password=PASSWORD,
    )
    app = APIClient()
    app.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token}")
    profile = app.get("/api/v1/customers/me")
    assert profile.status_code == 200
    assert profile.json()["id"] == customer_id
    assert profile.json()["kycStatus"] == "verified"
    assert profile.json()["email"] == "Ada.Lovelace@example.com"
    assert profile["ETag"] == '"2"'

    history = app.get(f"/api/v1/customers/{customer_id}/kyc/history")
    assert [e["transition"] for e in history.json()["events"]] == ["approve"]
