"""A customer signs in to the app: authorization code with PKCE (S256).

The app opens /oauth/authorize/, the customer signs in on /account/login/,
the app gets a code at its redirect URI and trades it, with the PKCE
verifier, for a short-lived ``profile`` token and a refresh token.
"""

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from oauth2_provider.models import AccessToken, RefreshToken

from customers.factories import CustomerFactory, StaffUserFactory
from customers.models import Customer
from tests.conftest import CUSTOMER_PASSWORD, bearer, give_login

LOGIN = "/account/login/"
GENERIC_ERROR = "The email or password is not correct."


def redirect_uri() -> str:
    return settings.CUSTOMER_APP_REDIRECT_URIS[0]


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


class App:
    """What the customer app does, in a browser it drives."""

    def __init__(self, **authorize_overrides):
        self.browser = Client()
        self.verifier, challenge = pkce_pair()
        self.authorize_params = {
            "response_type": "code",
            "client_id": "customer-app",
            "redirect_uri": redirect_uri(),
            "scope": "profile",
            "state": secrets.token_urlsafe(8),
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            **authorize_overrides,
        }

    def authorize(self):
        return self.browser.get("/oauth/authorize/", self.authorize_params)

    def sign_in(self, email: str, password: str = CUSTOMER_PASSWORD):
        to_login = self.authorize()
        assert to_login.status_code == 302
        assert to_login["Location"].startswith(f"{LOGIN}?next=")
        next_url = query_of(to_login["Location"])["next"]
        return self.browser.post(
            LOGIN, {"email": email, "password": password, "next": next_url}
        )

    def code_after_sign_in(self, email: str) -> str:
        signed_in = self.sign_in(email)
        assert signed_in.status_code == 302, signed_in.content
        back = self.browser.get(signed_in["Location"])
        assert back.status_code == 302
        assert back["Location"].startswith(redirect_uri())
        answer = query_of(back["Location"])
        assert answer["state"] == self.authorize_params["state"]
        assert answer["iss"] == settings.PUBLIC_BASE_URL
        return answer["code"]

    def token(self, code: str, verifier: str | None = None):
        return Client().post(
            "/oauth/token/",
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri(),
                "client_id": "customer-app",
                "code_verifier": verifier or self.verifier,
            },
        )

    def refresh(self, refresh_token: str):
        return Client().post(
            "/oauth/token/",
            {
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": "customer-app",
            },
        )


@pytest.fixture
def customer(customer_app):
    customer = CustomerFactory(email="Jane.Doe@example.com")
    give_login(customer)
    return customer


@pytest.mark.django_db
class TestTheWholeFlow:
    def test_authorize_sign_in_code_token_and_read_the_profile(self, customer):
        app = App()

        code = app.code_after_sign_in("Jane.Doe@example.com")
        response = app.token(code)

        assert response.status_code == 200, response.content
        tokens = response.json()
        assert tokens["token_type"] == "Bearer"
        assert tokens["scope"] == "profile"
        assert tokens["expires_in"] == 900
        assert tokens["refresh_token"]
        me = bearer(tokens["access_token"]).get("/api/v1/customers/me")
        assert me.status_code == 200
        assert me.json()["id"] == str(customer.public_id)

    def test_the_email_matches_in_any_letter_case(self, customer):
        app = App()

        code = app.code_after_sign_in("  JANE.DOE@EXAMPLE.COM ")

        assert app.token(code).status_code == 200

    def test_tokens_are_stored_only_as_hashes(self, customer):
        app = App()
        tokens = app.token(app.code_after_sign_in("jane.doe@example.com")).json()

        stored = AccessToken.objects.get()
        assert stored.token == ""
        assert tokens["access_token"] not in stored.token_checksum
        assert RefreshToken.objects.get().token == ""

    def test_the_refresh_token_rotates_and_a_replay_ends_the_sign_in(self, customer):
        app = App()
        first = app.token(app.code_after_sign_in("jane.doe@example.com")).json()

        second = app.refresh(first["refresh_token"])
        replay = app.refresh(first["refresh_token"])

        assert second.status_code == 200
        assert second.json()["refresh_token"] != first["refresh_token"]
        assert replay.status_code == 400
        assert replay.json()["error"] == "invalid_grant"
        later = bearer(second.json()["access_token"]).get("/api/v1/customers/me")
        assert later.status_code == 401


@pytest.mark.django_db
class TestRefusals:
    def test_a_wrong_verifier_gives_invalid_grant(self, customer):
        app = App()
        code = app.code_after_sign_in("jane.doe@example.com")

        response = app.token(code, verifier=pkce_pair()[0])

        assert response.status_code == 400
        assert response.json()["error"] == "invalid_grant"
        assert not AccessToken.objects.exists()

    def test_a_code_works_once(self, customer):
        app = App()
        code = app.code_after_sign_in("jane.doe@example.com")
        app.token(code)

        response = app.token(code)

        assert response.json()["error"] == "invalid_grant"

    @pytest.mark.parametrize(
        "overrides",
        [
            {"code_challenge": ""},
            {"code_challenge_method": "plain"},
            {"code_challenge_method": ""},
        ],
    )
    def test_pkce_with_s256_is_required(self, customer, overrides):
        app = App(**overrides)
        app.browser.force_login(customer.user)

        response = app.authorize()

        assert response.status_code == 302
        assert query_of(response["Location"])["error"] == "invalid_request"

    def test_only_the_profile_scope_is_granted_to_the_app(self, customer):
        app = App(scope="customers:read")
        app.browser.force_login(customer.user)

        response = app.authorize()

        assert query_of(response["Location"])["error"] == "invalid_scope"

    def test_an_unregistered_redirect_uri_is_not_followed(self, customer):
        app = App(redirect_uri="https://evil.example.com/cb")
        app.browser.force_login(customer.user)

        response = app.authorize()

        assert response.status_code == 400
        assert "evil" not in response.get("Location", "")

    def test_the_password_grant_is_refused(self, customer):
        response = Client().post(
            "/oauth/token/",
            {
                "grant_type": "password",
                "username": customer.user.username,
                "password": CUSTOMER_PASSWORD,
                "client_id": "customer-app",
            },
        )

        assert response.status_code in {400, 401}
        assert not AccessToken.objects.exists()

    def test_a_staff_session_is_not_a_customer_sign_in(self, customer):
        app = App()
        app.browser.force_login(StaffUserFactory(is_superuser=True))

        response = app.authorize()

        assert response.status_code == 302
        assert response["Location"].startswith(f"{LOGIN}?next=")


@pytest.mark.django_db
class TestSignInPage:
    @pytest.mark.parametrize(
        ("email", "password"),
        [
            ("jane.doe@example.com", "wrong password"),
            ("nobody@example.com", CUSTOMER_PASSWORD),
            ("not an email", CUSTOMER_PASSWORD),
            ("", ""),
        ],
    )
    def test_any_failure_gives_one_generic_message(self, customer, email, password):
        app = App()

        response = app.sign_in(email, password)

        assert response.status_code == 200
        assert GENERIC_ERROR in response.content.decode()
        assert "_auth_user_id" not in app.browser.session

    def test_a_customer_pending_kyc_has_no_login(self, customer_app):
        CustomerFactory(email="pending@example.com")

        response = App().sign_in("pending@example.com", "")

        assert GENERIC_ERROR in response.content.decode()

    def test_a_closed_profile_cannot_sign_in(self, customer):
        Customer.objects.filter(pk=customer.pk).update(is_active=False)

        response = App().sign_in("jane.doe@example.com")

        assert response.status_code == 200
        assert GENERIC_ERROR in response.content.decode()

    def test_closing_the_profile_ends_an_open_session(self, customer):
        app = App()
        app.sign_in("jane.doe@example.com")
        Customer.objects.filter(pk=customer.pk).update(is_active=False)

        response = app.authorize()

        assert response["Location"].startswith(f"{LOGIN}?next=")

    def test_the_page_has_a_csrf_protected_form(self, customer):
        browser = Client(enforce_csrf_checks=True)

        page = browser.get(LOGIN)
        refused = browser.post(
            LOGIN, {"email": "jane.doe@example.com", "password": CUSTOMER_PASSWORD}
        )

        assert 'name="csrfmiddlewaretoken"' in page.content.decode()
        assert refused.status_code == 403

    @pytest.mark.parametrize(
        "next_url",
        ["https://evil.example.com/", "//evil.example.com/", "javascript:alert(1)"],
    )
    def test_next_never_leaves_the_site(self, customer, next_url):
        response = Client().post(
            LOGIN,
            {
                "email": "jane.doe@example.com",
                "password": CUSTOMER_PASSWORD,
                "next": next_url,
            },
        )

        assert response.status_code == 302
        assert response["Location"] == LOGIN

    def test_signing_out_ends_the_session(self, customer):
        browser = Client()
        browser.post(
            LOGIN, {"email": "jane.doe@example.com", "password": CUSTOMER_PASSWORD}
        )

        browser.post("/account/logout/")

        assert "_auth_user_id" not in browser.session

    def test_repeated_failures_are_refused_for_a_while(self, customer, settings):
        rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        limit = int(rates["signin"].split("/")[0])
        browser = Client()
        for _ in range(limit):
            browser.post(LOGIN, {"email": "jane.doe@example.com", "password": "x"})

        blocked = browser.post(
            LOGIN, {"email": "jane.doe@example.com", "password": CUSTOMER_PASSWORD}
        )

        assert blocked.status_code == 429
        assert int(blocked["Retry-After"]) > 0
        assert "_auth_user_id" not in browser.session

    def test_failures_for_one_email_count_across_addresses(self, customer, settings):
        rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        limit = int(rates["signin"].split("/")[0])
        for n in range(limit):
            Client(REMOTE_ADDR=f"10.0.0.{n + 1}").post(
                LOGIN, {"email": "JANE.doe@example.com", "password": "x"}
            )

        blocked = Client(REMOTE_ADDR="10.0.1.1").post(
            LOGIN, {"email": "jane.doe@example.com", "password": CUSTOMER_PASSWORD}
        )

        assert blocked.status_code == 429

    def test_the_callback_page_shows_the_code_escaped(self, db):
        response = Client().get("/account/callback/", {"code": "<b>abc</b>"})

        assert "&lt;b&gt;abc&lt;/b&gt;" in response.content.decode()
