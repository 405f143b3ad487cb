"""A verified customer's login: created once, activated with a one-time link.

The page /account/activate/<uid>/<token>/ and POST /api/v1/auth/activate
share one service, so most rules are proved once and both doors once each.
A customer who lost the link asks POST /api/v1/auth/activation/resend for
a new one.
"""

import re
import threading
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from customer_service.access import ANONYMOUS, SYSTEM, Channel, resolve_caller
from customer_service.errors import ServiceError
from customers.account_activation_views import RESEND_MESSAGE
from customers.accounts import (
    ActivationTokenGenerator,
    account_activate,
    account_activation_resend,
    account_awaits_activation,
    account_create_for,
    activation_tokens,
    activation_uid,
    activation_url,
    customer_of_uid,
    password_check,
)
from customers.errors import CustomerErrorCode, InvalidActivationLink, PasswordRefused
from customers.factories import CustomerFactory, StaffUserFactory
from customers.models import Customer
from customers.services import customer_deactivate
from kyc.services import kyc_approve, kyc_fail

API = "/api/v1/auth/activate"
RESEND_API = "/api/v1/auth/activation/resend"
GOOD_PASSWORD = "violet-harbour-lantern-42"
# The promise made to customers, written out rather than read from the code.
VALID_FOR = timedelta(hours=72)

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified():
    """A customer whose login exists but has no password yet."""
    customer = CustomerFactory(first_name="Grace", last_name="Hopper")
    account_create_for(customer)
    return customer


def link_parts(customer) -> tuple[str, str]:
    uid, token = re.search(
        r"/account/activate/([^/]+)/([^/]+)/$", activation_url(customer)
    ).groups()
    return uid, token


def page_url(customer) -> str:
    uid, token = link_parts(customer)
    return f"/account/activate/{uid}/{token}/"


def user_of(customer):
    return Customer.objects.select_related("user").get(pk=customer.pk).user


def at(offset: timedelta):
    """Make the token generator's clock read ``offset`` from now."""
    moved = datetime.now() + offset
    return mock.patch.object(ActivationTokenGenerator, "_now", return_value=moved)


class TestAccountCreation:
    def test_the_account_has_no_usable_password_and_no_personal_data(self):
        customer = CustomerFactory()

        user = account_create_for(customer)

        assert customer.user == user
        assert user.username == f"customer-{customer.public_id}"
        assert not user.has_usable_password()
        assert (user.email, user.first_name, user.last_name) == ("", "", "")

    def test_a_second_call_returns_the_same_account(self, django_user_model):
        customer = CustomerFactory()

        first = account_create_for(customer)
        second = account_create_for(customer)

        assert first == second
        assert django_user_model.objects.count() == 1


class TestActivationLink:
    def test_the_link_carries_the_public_id_not_a_database_key(self, verified):
        url = activation_url(verified)

        assert url.startswith("http://127.0.0.1:8000/account/activate/")
        assert link_parts(verified)[0] == activation_uid(verified)
        assert customer_of_uid(link_parts(verified)[0]) == verified.public_id

    @pytest.mark.parametrize(
        ("offset", "valid"),
        [
            (timedelta(0), True),
            (VALID_FOR - timedelta(minutes=1), True),
            (VALID_FOR + timedelta(seconds=1), False),
        ],
    )
    def test_a_link_is_valid_for_72_hours(self, verified, offset, valid):
        _, token = link_parts(verified)

        with at(offset):
            assert activation_tokens.check_token(user_of(verified), token) is valid

    @override_settings(PASSWORD_RESET_TIMEOUT=60)
    def test_the_lifetime_does_not_follow_the_password_reset_setting(self, verified):
        _, token = link_parts(verified)

        with at(timedelta(hours=2)):
            assert activation_tokens.check_token(user_of(verified), token)

    def test_a_password_reset_token_does_not_activate(self, verified):
        uid = activation_uid(verified)
        token = default_token_generator.make_token(user_of(verified))

        with pytest.raises(InvalidActivationLink) as refused:
            account_activate(uid=uid, token=token, password=GOOD_PASSWORD)

        assert refused.value.code is CustomerErrorCode.INVALID_ACTIVATION_LINK

    def test_a_refused_password_carries_the_apps_error_codes(self, verified):
        with pytest.raises(PasswordRefused) as refused:
            password_check(password="1234", customer=verified)

        assert refused.value.code is CustomerErrorCode.VALIDATION_ERROR
        assert refused.value.status == 400
        assert {e.field for e in refused.value.errors} == {"password"}


class TestActivationPage:
    def test_a_valid_link_shows_the_password_form(self, client, verified):
        response = client.get(page_url(verified))

        assert response.status_code == 200
        assert b"Choose your password" in response.content
        assert b"csrfmiddlewaretoken" in response.content
        assert response["Referrer-Policy"] == "no-referrer"
        assert "no-store" in response["Cache-Control"]

    def test_choosing_a_password_activates_the_login_once(self, client, verified):
        url = page_url(verified)

        done = client.post(
            url, {"password": GOOD_PASSWORD, "password_confirm": GOOD_PASSWORD}
        )
        again = client.get(url)

        assert done.status_code == 200
        assert b"sign in in the app" in done.content
        assert user_of(verified).check_password(GOOD_PASSWORD)
        assert again.status_code == 400
        assert b"expired or has already been used" in again.content

    def test_the_two_passwords_must_match(self, client, verified):
        response = client.post(
            page_url(verified),
            {"password": GOOD_PASSWORD, "password_confirm": GOOD_PASSWORD + "x"},
        )

        assert response.status_code == 200
        assert b"do not match" in response.content
        assert not user_of(verified).has_usable_password()

    @pytest.mark.parametrize(
        ("password", "message"),
        [
            ("short1", b"too short"),
            ("password1234", b"too common"),
            ("4815162342108", b"entirely numeric"),
            ("gracehopper", b"too similar"),
        ],
    )
    def test_django_password_rules_apply(self, client, verified, password, message):
        response = client.post(
            page_url(verified), {"password": password, "password_confirm": password}
        )

        assert response.status_code == 200
        assert message in response.content
        assert not user_of(verified).has_usable_password()

    def test_an_expired_link_shows_a_clear_message(self, client, verified):
        url = page_url(verified)

        with at(VALID_FOR + timedelta(minutes=1)):
            response = client.get(url)

        assert response.status_code == 400
        assert b"expired or has already been used" in response.content

    @pytest.mark.parametrize(
        "url",
        [
            "/account/activate/not-base64!/abc-def/",
            "/account/activate/AAAAAAAAAAAAAAAAAAAAAA/abc-def/",
            "/account/activate/x/y/",
        ],
    )
    def test_a_malformed_or_unknown_link_shows_the_same_message(self, client, url):
        response = client.get(url)

        assert response.status_code == 400
        assert b"expired or has already been used" in response.content

    def test_the_form_needs_a_csrf_token(self, verified):
        strict = APIClient(enforce_csrf_checks=True)

        response = strict.post(
            page_url(verified),
            {"password": GOOD_PASSWORD, "password_confirm": GOOD_PASSWORD},
            format="multipart",
        )

        assert response.status_code == 403
        assert not user_of(verified).has_usable_password()


class TestActivationApi:
    def post(self, customer, link=None, **overrides):
        uid, token = link or link_parts(customer)
        body = {"uid": uid, "token": token, "password": GOOD_PASSWORD, **overrides}
        return APIClient().post(API, body)

    def test_activation_sets_the_password(self, verified):
        response = self.post(verified)

        assert response.status_code == 204
        assert user_of(verified).check_password(GOOD_PASSWORD)

    def test_a_used_link_is_refused(self, verified):
        self.post(verified)

        response = self.post(verified, password="another-" + GOOD_PASSWORD)

        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "invalid_activation_link"
        assert user_of(verified).check_password(GOOD_PASSWORD)

    def test_an_expired_link_is_refused(self, verified):
        link = link_parts(verified)

        with at(VALID_FOR + timedelta(minutes=1)):
            response = self.post(verified, link=link)

        assert response.json()["code"] == "invalid_activation_link"
        assert not user_of(verified).has_usable_password()

    def test_a_weak_password_names_each_broken_rule(self, verified):
        response = self.post(verified, password="1234")

        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "validation_error"
        assert {e["field"] for e in body["errors"]} == {"password"}
        assert {e["code"] for e in body["errors"]} >= {
            "password_too_short",
            "password_entirely_numeric",
        }
        assert not user_of(verified).has_usable_password()

    def test_a_deactivated_customer_cannot_activate(self, verified):
        customer_deactivate(
            customer=verified, actor=SYSTEM, channel=Channel.SYSTEM, reason="closed"
        )

        response = self.post(verified)

        assert response.json()["code"] == "invalid_activation_link"

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"uid": "x", "token": "y"},
            {"uid": "x", "token": "y", "password": GOOD_PASSWORD, "extra": 1},
        ],
    )
    def test_missing_or_unknown_fields_give_400(self, body):
        response = APIClient().post(API, body)

        assert response.status_code == 400
        assert response.json()["code"] == "validation_error"

    def test_activation_is_throttled(self, monkeypatch, verified):
        monkeypatch.setattr(
            ScopedRateThrottle, "THROTTLE_RATES", {"activate": "2/hour"}
        )
        for _ in range(2):
            APIClient().post(API, {"uid": "x", "token": "y", "password": "z"})

        response = self.post(verified)

        assert response.status_code == 429
        assert response.json()["code"] == "throttled"
        assert not user_of(verified).has_usable_password()

    def test_nothing_personal_or_secret_is_logged(self, verified, caplog):
        link = link_parts(verified)

        self.post(verified, link=link)

        assert str(verified.public_id) in caplog.text
        for secret in (link[1], GOOD_PASSWORD, verified.email, "Grace", "Hopper"):
            assert secret not in caplog.text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_link_used_twice_at_once_sets_one_password():
    customer = CustomerFactory()
    account_create_for(customer)
    uid, token = link_parts(customer)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def activate(password: str) -> None:
        barrier.wait()
        try:
            account_activate(uid=uid, token=token, password=password)
            outcomes.append(password)
        except ServiceError as error:
            outcomes.append(str(error.code))
        finally:
            connection.close()

    passwords = ["first-" + GOOD_PASSWORD, "second-" + GOOD_PASSWORD]
    threads = [threading.Thread(target=activate, args=(p,)) for p in passwords]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [o for o in outcomes if o in passwords]
    assert sorted(outcomes) == sorted([*winners, "invalid_activation_link"])
    assert len(winners) == 1
    assert user_of(customer).check_password(winners[0])


@pytest.fixture
def approved():
    """A customer KYC has verified, who has not chosen a password yet."""
    customer = CustomerFactory(first_name="Grace", last_name="Hopper")
    kyc_approve(customer=customer, actor=SYSTEM, channel=Channel.SYSTEM)
    customer.refresh_from_db()
    return customer


def resend(customer, actor=ANONYMOUS) -> bool:
    return account_activation_resend(
        customer=customer, actor=actor, channel=Channel.API
    )


def link_in(message) -> tuple[str, str]:
    return re.search(r"/account/activate/([^/]+)/([^/]+)/", message.body).groups()


def activated(customer):
    uid, token = link_parts(customer)
    account_activate(uid=uid, token=token, password=GOOD_PASSWORD)


def login_disabled(customer):
    type(customer.user).objects.filter(pk=customer.user_id).update(is_active=False)


def closed(customer):
    customer_deactivate(
        customer=customer, actor=SYSTEM, channel=Channel.SYSTEM, reason="closed"
    )


def closed_with_login_left_enabled(customer):
    # Not what deactivation does; the profile's state alone must refuse.
    Customer.objects.filter(pk=customer.pk).update(is_active=False)


class TestActivationResend:
    def test_a_new_link_replaces_the_earlier_ones(
        self, approved, django_capture_on_commit_callbacks, mailoutbox
    ):
        earlier = link_parts(approved)

        with django_capture_on_commit_callbacks(execute=True):
            sent = resend(approved)

        assert sent is True
        (message,) = mailoutbox
        assert message.to == [approved.email]
        uid, token = link_in(message)
        assert (uid, token) != earlier
        assert activation_tokens.check_token(user_of(approved), token)
        assert not activation_tokens.check_token(user_of(approved), earlier[1])
        account_activate(uid=uid, token=token, password=GOOD_PASSWORD)
        assert user_of(approved).check_password(GOOD_PASSWORD)

    def test_the_email_leaves_only_after_commit(
        self, approved, django_capture_on_commit_callbacks, mailoutbox
    ):
        with django_capture_on_commit_callbacks() as callbacks:
            resend(approved)
            assert mailoutbox == []
        for callback in callbacks:
            callback()

        assert len(mailoutbox) == 1

    def test_the_email_says_the_new_link_is_valid_for_72_hours(
        self, approved, django_capture_on_commit_callbacks, mailoutbox
    ):
        with django_capture_on_commit_callbacks(execute=True):
            resend(approved)

        (message,) = mailoutbox
        assert "Grace" in message.body
        assert "72 hours" in message.body
        assert "72 hours" in message.alternatives[0][0]
        _, token = link_in(message)
        with at(VALID_FOR - timedelta(minutes=1)):
            assert activation_tokens.check_token(user_of(approved), token)

    @pytest.mark.parametrize(
        "state",
        [
            lambda customer: None,
            lambda customer: kyc_fail(
                customer=customer,
                actor=SYSTEM,
                channel=Channel.SYSTEM,
                reason_code="other",
            ),
            # Not reachable through KYC; the status alone must refuse it.
            account_create_for,
        ],
        ids=["pending", "failed", "pending with a login"],
    )
    def test_a_customer_not_verified_gets_nothing(
        self, state, django_capture_on_commit_callbacks, mailoutbox
    ):
        customer = CustomerFactory()
        state(customer)
        customer.refresh_from_db()
        user = user_of(customer)

        with django_capture_on_commit_callbacks(execute=True):
            sent = resend(customer)

        assert sent is False
        assert not account_awaits_activation(customer)
        assert mailoutbox == []
        assert user_of(customer) == user
        if user is not None:
            assert user_of(customer).password == user.password

    @pytest.mark.parametrize(
        "change",
        [activated, closed, closed_with_login_left_enabled, login_disabled],
    )
    def test_a_verified_customer_who_cannot_use_a_link_gets_nothing(
        self, approved, change, django_capture_on_commit_callbacks, mailoutbox
    ):
        assert account_awaits_activation(approved)
        change(approved)
        password = user_of(approved).password
        mailoutbox.clear()

        with django_capture_on_commit_callbacks(execute=True):
            sent = resend(approved)

        assert sent is False
        assert not account_awaits_activation(
            Customer.objects.select_related("user").get(pk=approved.pk)
        )
        assert mailoutbox == []
        assert user_of(approved).password == password

    @pytest.mark.parametrize(
        ("permissions", "allowed"),
        [([], False), (["customers.view_customer"], False), (["kyc.decide_kyc"], True)],
    )
    def test_staff_need_the_permission_to_decide_kyc(
        self, approved, permissions, allowed
    ):
        staff = resolve_caller(StaffUserFactory(permissions=permissions), None)

        if allowed:
            assert resend(approved, actor=staff) is True
        else:
            with pytest.raises(ServiceError) as refused:
                resend(approved, actor=staff)
            assert (refused.value.status, refused.value.code) == (
                403,
                CustomerErrorCode.PERMISSION_DENIED,
            )

    def test_nothing_personal_or_secret_is_logged(
        self, approved, django_capture_on_commit_callbacks, mailoutbox, caplog
    ):
        with django_capture_on_commit_callbacks(execute=True):
            resend(approved)

        _, token = link_in(mailoutbox[0])
        assert str(approved.public_id) in caplog.text
        for secret in (token, approved.email, "Grace", "Hopper"):
            assert secret not in caplog.text


class TestActivationResendApi:
    @pytest.mark.parametrize(
        ("who", "emails_sent"),
        [
            ("waiting", 1),
            ("waiting, email in another letter case", 1),
            ("unknown", 0),
            ("pending", 0),
            ("activated", 0),
            ("closed", 0),
        ],
    )
    def test_the_answer_is_the_same_whoever_the_email_belongs_to(
        self, approved, who, emails_sent, django_capture_on_commit_callbacks, mailoutbox
    ):
        email = {
            "waiting": lambda: approved.email,
            "waiting, email in another letter case": lambda: approved.email.upper(),
            "unknown": lambda: "nobody@example.com",
            "pending": lambda: CustomerFactory().email,
            "activated": lambda: activated(approved) or approved.email,
            "closed": lambda: closed(approved) or approved.email,
        }[who]()
        mailoutbox.clear()

        with django_capture_on_commit_callbacks(execute=True):
            response = APIClient().post(RESEND_API, {"email": email})

        assert response.status_code == 202
        assert response.json() == {"message": RESEND_MESSAGE}
        assert len(mailoutbox) == emails_sent

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"email": "not an email"},
            {"email": "a" * 250 + "@example.com"},
            {"email": "grace@example.com", "uid": "x"},
            [],
        ],
    )
    def test_a_malformed_body_gives_400(self, body):
        response = APIClient().post(RESEND_API, body, format="json")

        assert response.status_code == 400
        assert response.json()["code"] == "validation_error"

    def test_requests_are_throttled_per_address(
        self, monkeypatch, approved, django_capture_on_commit_callbacks, mailoutbox
    ):
        monkeypatch.setattr(
            ScopedRateThrottle, "THROTTLE_RATES", {"activation_resend": "2/hour"}
        )
        for _ in range(2):
            APIClient().post(RESEND_API, {"email": "nobody@example.com"})

        with django_capture_on_commit_callbacks(execute=True):
            response = APIClient().post(RESEND_API, {"email": approved.email})
            elsewhere = APIClient(REMOTE_ADDR="192.0.2.7").post(
                RESEND_API, {"email": "nobody@example.com"}
            )

        assert response.status_code == 429
        assert response.json()["code"] == "throttled"
        assert "Retry-After" in response
        assert mailoutbox == []
        assert elsewhere.status_code == 202


class TestActivationPageThrottle:
    """The page's password form shares the API's count per address."""

    @pytest.mark.parametrize("earlier", ["api", "page"])
    def test_the_page_refuses_after_the_activation_rate(
        self, client, monkeypatch, verified, earlier
    ):
        monkeypatch.setattr(
            ScopedRateThrottle, "THROTTLE_RATES", {"activate": "2/hour"}
        )
        for _ in range(2):
            if earlier == "api":
                client.post(API, {"uid": "x", "token": "y", "password": "z"})
            else:
                client.post(
                    page_url(verified), {"password": "a", "password_confirm": "b"}
                )

        response = client.post(
            page_url(verified),
            {"password": GOOD_PASSWORD, "password_confirm": GOOD_PASSWORD},
        )

        assert response.status_code == 429
        assert b"Too many attempts" in response.content
        assert int(response["Retry-After"]) > 0
        assert not user_of(verified).has_usable_password()

    def test_showing_the_form_is_not_counted(self, client, monkeypatch, verified):
        monkeypatch.setattr(
            ScopedRateThrottle, "THROTTLE_RATES", {"activate": "1/hour"}
        )
        for _ in range(3):
            client.get(page_url(verified))

        response = client.post(
            page_url(verified),
            {"password": GOOD_PASSWORD, "password_confirm": GOOD_PASSWORD},
        )

        assert response.status_code == 200
        assert user_of(verified).check_password(GOOD_PASSWORD)
