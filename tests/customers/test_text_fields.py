"""Every text input takes a JSON string and nothing else.

Sign-up and profile changes are covered with their endpoints; this file
covers the field itself and the other doors: activation and KYC decisions.
"""

import re

import pytest
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient

from customers.accounts import account_create_for, activation_url
from customers.factories import CustomerFactory
from customers.models import Customer, KycStatus
from customers.serializers import StrictCharField
from tests.conftest import bearer

GOOD_PASSWORD = "violet-harbour-lantern-42"


def codes_of(response, field: str) -> set[str]:
    assert response.status_code == 400, response.content
    return {
        error["code"] for error in response.json()["errors"] if error["field"] == field
    }


class TestStrictCharField:
    @pytest.mark.parametrize("value", [0, 1.5, float("inf"), True, [], {}])
    def test_anything_but_a_string_is_invalid(self, value):
        field = StrictCharField()

        with pytest.raises(ValidationError) as error:
            field.run_validation(value)

        assert error.value.detail == ["Not a valid string."]
        assert error.value.get_codes() == ["invalid"]

    @pytest.mark.parametrize(
        ("options", "expected"),
        [
            ({"allow_null": True, "allow_blank": True}, ""),
            ({"allow_null": True}, None),
        ],
    )
    def test_null_is_blank_where_blank_is_allowed(self, options, expected):
        assert StrictCharField(**options).run_validation(None) == expected

    def test_null_is_refused_unless_allowed(self):
        with pytest.raises(ValidationError) as error:
            StrictCharField(allow_blank=True).run_validation(None)

        assert error.value.get_codes() == ["null"]


@pytest.mark.django_db
class TestActivationInput:
    @pytest.fixture
    def verified(self):
        customer = CustomerFactory()
        account_create_for(customer)
        return customer

    def body(self, customer, **overrides) -> dict:
        uid, token = re.search(
            r"/account/activate/([^/]+)/([^/]+)/$", activation_url(customer)
        ).groups()
        return {"uid": uid, "token": token, "password": GOOD_PASSWORD, **overrides}

    @pytest.mark.parametrize(
        ("field", "value"),
        [("uid", 12345), ("token", 678), ("password", 1.2345678901234e20)],
    )
    def test_a_number_is_not_text(self, verified, field, value):
        response = APIClient().post(
            "/api/v1/auth/activate", self.body(verified, **{field: value})
        )

        assert codes_of(response, field) == {"invalid"}
        verified.user.refresh_from_db()
        assert not verified.user.has_usable_password()


@pytest.mark.django_db
class TestKycDecisionInput:
    @pytest.fixture
    def decider(self, service_token):
        return bearer(service_token("kyc:decide"))

    @pytest.mark.parametrize(
        ("decision", "body", "field", "code"),
        [
            ("approve", {"reference": 123}, "reference", "invalid"),
            ("approve", {"note": 4.5}, "note", "invalid"),
            ("approve", {"reason": 7}, "reason", "invalid"),
            ("fail", {"reason": "document_expired", "note": 1}, "note", "invalid"),
            (
                "fail",
                {"reason": "document_expired", "reference": ["a"]},
                "reference",
                "invalid",
            ),
            ("approve", {"reference": "case\u0007"}, "reference", "invalid_characters"),
            ("approve", {"reference": "case\n77"}, "reference", "invalid_characters"),
            ("approve", {"note": "ok\u202e"}, "note", "invalid_characters"),
            ("approve", {"note": "a\u0000b"}, "note", "null_characters_not_allowed"),
        ],
    )
    def test_bad_text_gives_400_and_decides_nothing(
        self, decider, decision, body, field, code
    ):
        customer = CustomerFactory()

        response = decider.post(
            f"/api/v1/customers/{customer.public_id}/kyc/{decision}", body
        )

        assert code in codes_of(response, field)
        customer.refresh_from_db()
        assert customer.kyc_status == KycStatus.PENDING

    def test_a_note_may_run_over_several_lines(self, decider):
        customer = CustomerFactory()

        response = decider.post(
            f"/api/v1/customers/{customer.public_id}/kyc/approve",
            {"note": "Passport checked.\r\n\tAddress matches."},
        )

        assert response.status_code == 200, response.content
        assert Customer.objects.get(pk=customer.pk).kyc_status == KycStatus.VERIFIED
