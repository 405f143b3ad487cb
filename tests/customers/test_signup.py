"""Sign-up: POST /api/v1/customers."""

import json
import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from customers.models import Customer, KycStatus
from tests.conftest import PROFILE_FIELDS

URL = "/api/v1/customers"


def signup_body(**overrides) -> dict:
    body = {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": "ada@example.com",
        "phone": "+442071838750",
        "address": {
            "line1": "12 St James's Square",
            "city": "London",
            "postalCode": "SW1Y 4JH",
            "country": "GB",
        },
    }
    body.update(overrides)
    return body


def without(body: dict, path: str) -> dict:
    """The body with one field removed; ``path`` may be ``address.city``."""
    *parents, leaf = path.split(".")
    copy = {**body, "address": dict(body["address"])}
    target = copy
    for parent in parents:
        target = target[parent]
    del target[leaf]
    return copy


def error_fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def codes_of(response, field: str) -> set[str]:
    return {
        error["code"] for error in response.json()["errors"] if error["field"] == field
    }


@pytest.mark.django_db
class TestSignUp:
    def test_new_email_creates_a_pending_profile_with_a_success_message(
        self, api_client
    ):
        response = api_client.post(URL, signup_body(externalId="app:42"))

        assert response.status_code == 201
        body = response.json()
        assert "waiting for identity verification" in body["message"]
        assert body["customer"]["kycStatus"] == "pending"
        assert body["customer"]["externalId"] == "app:42"
        customer = Customer.objects.get()
        assert customer.kyc_status == KycStatus.PENDING
        assert customer.user is None, "no login before KYC is verified"
        assert response["Location"] == f"{URL}/{customer.public_id}"
        assert response["ETag"] == '"1"'

    def test_response_never_carries_the_version_or_database_key(self, api_client):
        response = api_client.post(URL, signup_body())

        customer = response.json()["customer"]
        assert set(customer) == PROFILE_FIELDS
        assert customer["id"] == str(Customer.objects.get().public_id)

    def test_values_are_normalised(self, api_client):
        body = signup_body(
            firstName="  Ada ",
            email="Ada.King@Example.COM",
            phone="+44 20 7183 8750",
            address={**signup_body()["address"], "country": "gb"},
        )

        customer = api_client.post(URL, body).json()["customer"]

        assert customer["firstName"] == "Ada"
        assert customer["email"] == "Ada.King@example.com"
        assert customer["phone"] == "+442071838750"
        assert customer["address"]["country"] == "GB"

    def test_names_in_any_script_are_accepted(self, api_client):
        body = signup_body(firstName="Zoë", lastName="Ōtani-Łukasz 李")

        assert api_client.post(URL, body).status_code == 201

    @pytest.mark.parametrize(
        "existing",
        ["ada@example.com", "ADA@EXAMPLE.COM", "Ada@example.com", "ada@EXAMPLE.com"],
    )
    def test_duplicate_email_in_any_case_is_a_conflict(self, api_client, existing):
        api_client.post(URL, signup_body(email=existing))

        response = api_client.post(URL, signup_body())

        assert response.status_code == 409
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "email_taken"
        assert Customer.objects.count() == 1

    def test_duplicate_external_id_is_a_conflict(self, api_client):
        api_client.post(URL, signup_body(externalId="crm-7"))

        response = api_client.post(
            URL, signup_body(email="other@example.com", externalId="crm-7")
        )

        assert response.status_code == 409
        assert response.json()["code"] == "external_id_taken"
        assert Customer.objects.count() == 1

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            (without(signup_body(), "address"), "address"),
            (without(signup_body(), "address.line1"), "address.line1"),
            (without(signup_body(), "address.postalCode"), "address.postalCode"),
            (without(signup_body(), "firstName"), "firstName"),
            (without(signup_body(), "phone"), "phone"),
            (signup_body(phone="12345"), "phone"),
            (signup_body(phone="+44 20 0000"), "phone"),
            (signup_body(email="not-an-email"), "email"),
            (signup_body(email="ada@"), "email"),
            (
                signup_body(address={**signup_body()["address"], "country": "XX"}),
                "address.country",
            ),
            (
                signup_body(address={**signup_body()["address"], "country": "GBR"}),
                "address.country",
            ),
            (signup_body(firstName="   "), "firstName"),
            (signup_body(lastName="x" * 101), "lastName"),
            (signup_body(firstName="Ada\u0000"), "firstName"),
            (signup_body(externalId="has space"), "externalId"),
            (signup_body(externalId="x" * 65), "externalId"),
            (signup_body(externalId=""), "externalId"),
            (signup_body(kycStatus="verified"), "kycStatus"),
            (signup_body(version=7), "version"),
            (
                signup_body(address={**signup_body()["address"], "floor": 3}),
                "address.floor",
            ),
        ],
    )
    def test_invalid_input_names_the_field_and_creates_nothing(
        self, api_client, body, field
    ):
        response = api_client.post(URL, body)

        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"
        problem = response.json()
        assert problem["code"] == "validation_error"
        assert problem["status"] == 400
        assert {"type", "title", "detail"} <= set(problem)
        assert field in error_fields(response)
        assert not Customer.objects.exists()

    def test_several_problems_are_reported_together(self, api_client):
        body = signup_body(email="nope", surname="x")

        response = api_client.post(URL, body)

        assert error_fields(response) == {"email", "surname"}

    @pytest.mark.parametrize(
        ("payload", "content_type", "status", "code"),
        [
            ("{not json", "application/json", 400, "malformed_request"),
            ("[]", "application/json", 400, "validation_error"),
            ("firstName=Ada", "application/x-www-form-urlencoded", 415, None),
        ],
    )
    def test_malformed_requests_get_problem_details(
        self, api_client, payload, content_type, status, code
    ):
        response = api_client.generic("POST", URL, payload, content_type)

        assert response.status_code == status
        assert response["Content-Type"] == "application/problem+json"
        if code:
            assert response.json()["code"] == code
        assert not Customer.objects.exists()


def with_address(**changes) -> dict:
    return signup_body(address={**signup_body()["address"], **changes})


@pytest.mark.django_db
class TestJsonTypes:
    @pytest.mark.parametrize(
        ("body", "field"),
        [
            (signup_body(firstName=123), "firstName"),
            (signup_body(lastName=["Lovelace"]), "lastName"),
            (signup_body(nickname=7), "nickname"),
            (signup_body(externalId=42), "externalId"),
            (signup_body(email={"address": "ada@example.com"}), "email"),
            (signup_body(phone=442071838750), "phone"),
            (with_address(line1=5), "address.line1"),
            (with_address(line2=2), "address.line2"),
            (with_address(city=True), "address.city"),
            (with_address(region=1.5), "address.region"),
            (with_address(postalCode=10115), "address.postalCode"),
        ],
    )
    def test_a_text_field_takes_only_a_json_string(self, api_client, body, field):
        response = api_client.post(URL, body)

        assert response.status_code == 400
        assert {
            "field": field,
            "code": "invalid",
            "message": "Not a valid string.",
        } in response.json()["errors"]
        assert not Customer.objects.exists()

    def test_a_number_too_big_for_a_float_is_not_stored_as_inf(self, api_client):
        body = json.dumps(signup_body(firstName="PLACEHOLDER"))
        body = body.replace('"PLACEHOLDER"', "1e999")

        response = api_client.generic("POST", URL, body, "application/json")

        assert response.status_code == 400
        assert error_fields(response) == {"firstName"}
        assert not Customer.objects.exists()


@pytest.mark.django_db
class TestNulls:
    def test_null_optional_fields_count_as_left_out(self, api_client):
        body = signup_body(externalId=None, nickname=None)
        body["address"].update(line2=None, region=None)

        response = api_client.post(URL, body)

        assert response.status_code == 201, response.content
        customer = Customer.objects.get()
        assert customer.external_id is None
        assert customer.nickname == ""
        assert customer.address_line2 == ""
        assert customer.address_region == ""
        assert response.json()["customer"]["externalId"] is None

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            (signup_body(firstName=None), "firstName"),
            (signup_body(lastName=None), "lastName"),
            (signup_body(email=None), "email"),
            (signup_body(phone=None), "phone"),
            (signup_body(address=None), "address"),
            (with_address(line1=None), "address.line1"),
            (with_address(city=None), "address.city"),
            (with_address(postalCode=None), "address.postalCode"),
            (with_address(country=None), "address.country"),
        ],
    )
    def test_a_required_field_cannot_be_null(self, api_client, body, field):
        response = api_client.post(URL, body)

        assert response.status_code == 400
        assert codes_of(response, field) == {"null"}
        assert not Customer.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        (signup_body(nickname="Ada\u200b"), "nickname"),
        (with_address(line2="a\u0007b"), "address.line2"),
        (with_address(line2="Flat 3\u202e"), "address.line2"),
        (with_address(region="Greater\nLondon"), "address.region"),
        (with_address(region="\u2066London"), "address.region"),
    ],
)
def test_control_and_formatting_characters_are_refused(api_client, body, field):
    response = api_client.post(URL, body)

    assert response.status_code == 400
    assert codes_of(response, field) == {"invalid_characters"}
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_sign_up_is_throttled_per_client_address(monkeypatch):
    # DRF reads the rates once, when the throttle class is defined.
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"signup": "2/hour"})
    first, second = APIClient(REMOTE_ADDR="10.0.0.1"), APIClient(REMOTE_ADDR="10.0.0.2")
    for n in range(2):
        first.post(URL, signup_body(email=f"a{n}@example.com"))

    blocked = first.post(URL, signup_body(email="a9@example.com"))
    allowed = second.post(URL, signup_body(email="b@example.com"))

    assert blocked.status_code == 429
    assert blocked["Content-Type"] == "application/problem+json"
    assert blocked.json()["code"] == "throttled"
    assert int(blocked["Retry-After"]) > 0
    assert allowed.status_code == 201
    assert not Customer.objects.filter(email="a9@example.com").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_sign_ups_with_one_email_give_one_profile():
    """Real threads with their own connections: the constraint decides."""
    attempts = 8
    barrier = threading.Barrier(attempts)
    statuses: list[int] = []

    def sign_up(n: int) -> None:
        try:
            client = APIClient(REMOTE_ADDR=f"10.1.0.{n}")
            email = "Race@Example.com" if n % 2 else "race@example.com"
            barrier.wait()
            statuses.append(client.post(URL, signup_body(email=email)).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(n,)) for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201] + [409] * (attempts - 1)
    assert Customer.objects.count() == 1
