"""The KYC API: decisions by the automated KYC system, history for readers."""

import uuid

import pytest
from rest_framework.test import APIClient

from customer_service.access import SYSTEM, Channel
from customers.factories import CustomerFactory, StaffUserFactory
from customers.models import Customer, KycStatus
from customers.services import customer_deactivate
from kyc.models import KycEvent
from kyc.services import kyc_approve, kyc_fail, kyc_reopen

pytestmark = pytest.mark.django_db

DECIDE = "kyc:decide"
READ = "customers:read"
READ_PII = "customers:read_pii"
PROFILE_FIELDS = {
    "id",
    "externalId",
    "firstName",
    "lastName",
    "nickname",
    "kycStatus",
    "isActive",
    "createdAt",
}
PII_FIELDS = {"email", "phone", "address"}
DECISION_ONLY = {"id", "kycStatus"}


def approve_url(customer) -> str:
    return f"/api/v1/customers/{customer.public_id}/kyc/approve"


def fail_url(customer) -> str:
    return f"/api/v1/customers/{customer.public_id}/kyc/fail"


def history_url(customer) -> str:
    return f"/api/v1/customers/{customer.public_id}/kyc/history"


def status_of(customer) -> str:
    return Customer.objects.values_list("kyc_status", flat=True).get(pk=customer.pk)


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code
    return body


class TestApprove:
    def test_the_provider_approves_and_sees_only_the_id_status_and_etag(
        self, service_api
    ):
        customer = CustomerFactory()
        provider = service_api(DECIDE)

        response = provider.post(approve_url(customer), {"reference": "case-1"})

        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"message", "customer"}
        assert "verified" in body["message"]
        assert body["customer"] == {
            "id": str(customer.public_id),
            "kycStatus": "verified",
        }
        assert response["ETag"] == '"2"'
        event = KycEvent.objects.get(customer=customer)
        assert (event.channel, event.actor_kind, event.actor_client_id) == (
            "api",
            "service",
            provider.client_id,
        )
        assert event.reference == "case-1"

    @pytest.mark.parametrize(
        ("scopes", "shown"),
        [
            ((DECIDE,), DECISION_ONLY),
            ((DECIDE, READ), PROFILE_FIELDS),
            ((DECIDE, READ, READ_PII), PROFILE_FIELDS | PII_FIELDS),
        ],
    )
    @pytest.mark.parametrize(
        ("url", "body"), [(approve_url, {}), (fail_url, {"reason": "other"})]
    )
    def test_a_decision_shows_what_the_scopes_may_read(
        self, service_api, scopes, shown, url, body
    ):
        customer = CustomerFactory()

        response = service_api(*scopes).post(url(customer), body)

        assert response.status_code == 200
        assert set(response.json()["customer"]) == shown
        assert response["ETag"] == '"2"'

    def test_an_empty_body_is_enough(self, service_api):
        customer = CustomerFactory()

        response = service_api(DECIDE).post(approve_url(customer))

        assert response.status_code == 200
        assert status_of(customer) == KycStatus.VERIFIED

    def test_an_operator_may_decide_through_the_api(self, operations_user):
        customer = CustomerFactory()
        client = APIClient()
        client.force_login(operations_user)

        response = client.post(approve_url(customer))

        assert response.status_code == 200
        event = KycEvent.objects.get(customer=customer)
        assert (event.actor_kind, event.actor_user) == ("staff", operations_user)

    def test_a_decided_customer_gives_409_invalid_transition(self, service_api):
        customer = CustomerFactory()
        provider = service_api(DECIDE)
        provider.post(approve_url(customer))

        response = provider.post(approve_url(customer))

        body = assert_problem(response, 409, "invalid_transition")
        assert body["detail"] == "KYC has already been decided for this customer."
        assert KycEvent.objects.filter(customer=customer).count() == 1

    def test_failing_an_approved_customer_gives_409(self, service_api):
        customer = CustomerFactory()
        provider = service_api(DECIDE)
        provider.post(approve_url(customer))

        response = provider.post(fail_url(customer), {"reason": "other"})

        assert_problem(response, 409, "invalid_transition")
        assert status_of(customer) == KycStatus.VERIFIED

    @pytest.mark.parametrize(
        ("change", "says"),
        [
            ({"is_active": False}, "active customer"),
            ({"address_postal_code": ""}, "address"),
        ],
    )
    def test_an_unmet_condition_gives_409_with_the_reason(
        self, service_api, change, says
    ):
        customer = CustomerFactory()
        Customer.objects.filter(pk=customer.pk).update(**change)

        response = service_api(DECIDE).post(approve_url(customer))

        body = assert_problem(response, 409, "kyc_condition_failed")
        assert says in body["detail"]
        assert status_of(customer) == KycStatus.PENDING

    @pytest.mark.parametrize("body", [{"unknown": 1}, {"reference": "x" * 201}, []])
    def test_a_bad_body_gives_400_and_changes_nothing(self, service_api, body):
        customer = CustomerFactory()

        response = service_api(DECIDE).post(approve_url(customer), body)

        assert_problem(response, 400, "validation_error")
        assert status_of(customer) == KycStatus.PENDING

    @pytest.mark.parametrize(
        "body",
        [
            {"reason": "documents ok", "reference": "case-77"},
            {"reason": "  documents ok  ", "reference": "case-77"},
        ],
    )
    def test_a_reason_is_kept_in_the_history_as_the_note(self, service_api, body):
        customer = CustomerFactory()

        response = service_api(DECIDE).post(approve_url(customer), body)

        assert response.status_code == 200
        event = KycEvent.objects.get(customer=customer)
        assert (event.note, event.reference, event.reason_code) == (
            "documents ok",
            "case-77",
            "",
        )

    def test_a_note_without_a_reason_is_kept_as_before(self, service_api):
        customer = CustomerFactory()

        service_api(DECIDE).post(approve_url(customer), {"note": "passport seen"})

        assert KycEvent.objects.get(customer=customer).note == "passport seen"

    @pytest.mark.parametrize(
        ("body", "code"),
        [
            ({"reason": "x" * 201}, "max_length"),
            ({"reason": "ok\nsecond line"}, "invalid_characters"),
            ({"reason": "ok\u202e"}, "invalid_characters"),
            ({"reason": "documents ok", "note": "and a note"}, "reason_and_note"),
        ],
    )
    def test_a_bad_reason_gives_400_and_changes_nothing(self, service_api, body, code):
        customer = CustomerFactory()

        response = service_api(DECIDE).post(approve_url(customer), body)

        problem = assert_problem(response, 400, "validation_error")
        assert [(e["field"], e["code"]) for e in problem["errors"]] == [
            ("reason", code)
        ]
        assert status_of(customer) == KycStatus.PENDING
        assert not KycEvent.objects.exists()


class TestDecisionOfAClosedProfile:
    """A closed profile can still be failed; its answer follows the reads."""

    @pytest.fixture
    def closed(self):
        customer = CustomerFactory()
        customer_deactivate(
            customer=customer, actor=SYSTEM, channel=Channel.SYSTEM, reason="left"
        )
        return customer

    def test_a_service_that_may_read_sees_only_the_id_and_status(
        self, service_api, closed
    ):
        response = service_api(DECIDE, READ, READ_PII).post(
            fail_url(closed), {"reason": "other"}
        )

        assert response.status_code == 200
        assert response.json()["customer"] == {
            "id": str(closed.public_id),
            "kycStatus": "failed",
        }
        assert response["ETag"] == '"3"'

    def test_staff_who_may_read_see_it_marked_inactive(self, operations_user, closed):
        client = APIClient()
        client.force_login(operations_user)

        response = client.post(fail_url(closed), {"reason": "other"})

        assert response.status_code == 200
        shown = response.json()["customer"]
        assert set(shown) == PROFILE_FIELDS | PII_FIELDS
        assert shown["isActive"] is False


class TestFail:
    def test_the_provider_fails_with_a_reason_and_reference(self, service_api):
        customer = CustomerFactory()

        response = service_api(DECIDE).post(
            fail_url(customer),
            {"reason": "document_expired", "reference": "case-2", "note": "2019"},
        )

        assert response.status_code == 200
        assert response.json()["customer"]["kycStatus"] == "failed"
        assert response["ETag"] == '"2"'
        event = KycEvent.objects.get(customer=customer)
        assert (event.reason_code, event.reference, event.note) == (
            "document_expired",
            "case-2",
            "2019",
        )

    @pytest.mark.parametrize(
        "body",
        [{}, {"reason": ""}, {"reason": "bad_photo"}, {"reason": "other", "x": 1}],
    )
    def test_a_missing_or_unknown_reason_gives_400(self, service_api, body):
        customer = CustomerFactory()

        response = service_api(DECIDE).post(fail_url(customer), body)

        body = assert_problem(response, 400, "validation_error")
        assert body["errors"]
        assert status_of(customer) == KycStatus.PENDING


class TestDecisionAccess:
    @pytest.mark.parametrize("url", [approve_url, fail_url])
    def test_without_credentials_the_answer_is_401(self, url):
        customer = CustomerFactory()

        response = APIClient().post(url(customer), {"reason": "other"})

        assert_problem(response, 401, "not_authenticated")
        assert status_of(customer) == KycStatus.PENDING

    @pytest.mark.parametrize("scopes", [(), (READ,), (READ, READ_PII)])
    @pytest.mark.parametrize("url", [approve_url, fail_url])
    def test_a_service_without_the_decide_scope_gets_403(
        self, service_api, scopes, url
    ):
        customer = CustomerFactory()

        response = service_api(*scopes).post(url(customer), {"reason": "other"})

        assert_problem(response, 403, "permission_denied")
        assert status_of(customer) == KycStatus.PENDING

    def test_staff_without_the_decide_permission_gets_403(self, support_user):
        customer = CustomerFactory()
        client = APIClient()
        client.force_login(support_user)

        response = client.post(approve_url(customer))

        assert_problem(response, 403, "permission_denied")
        assert status_of(customer) == KycStatus.PENDING

    def test_a_customer_cannot_approve_themself(self, customer_api):
        customer = CustomerFactory()
        kyc_fail(
            customer=customer,
            actor=SYSTEM,
            channel=Channel.SYSTEM,
            reason_code="other",
        )
        other = CustomerFactory()
        kyc_approve(customer=other, actor=SYSTEM, channel=Channel.SYSTEM)
        other.refresh_from_db()

        response = customer_api(other).post(approve_url(customer))

        assert_problem(response, 403, "permission_denied")

    @pytest.mark.parametrize(
        "customer_id", [str(uuid.uuid4()), "not-a-uuid", "1", "%20"]
    )
    def test_an_unknown_or_malformed_id_gives_404(self, service_api, customer_id):
        response = service_api(DECIDE).post(
            f"/api/v1/customers/{customer_id}/kyc/approve"
        )

        assert_problem(response, 404, "not_found")

    def test_get_is_not_allowed_on_a_decision(self, service_api):
        response = service_api(DECIDE).get(approve_url(CustomerFactory()))

        assert_problem(response, 405, "method_not_allowed")


@pytest.fixture
def decided():
    """A customer failed once by the provider, reopened, then approved."""
    customer = CustomerFactory()
    kyc_fail(
        customer=customer,
        actor=SYSTEM,
        channel=Channel.API,
        reason_code="document_unreadable",
        reference="case-9",
        note="blurred scan",
    )
    kyc_reopen(customer=customer, actor=SYSTEM, channel=Channel.SYSTEM)
    kyc_approve(customer=customer, actor=SYSTEM, channel=Channel.SYSTEM)
    customer.refresh_from_db()
    return customer


class TestHistory:
    EVENT_FIELDS = {"transition", "fromState", "toState", "actor", "channel"}

    def test_a_reader_sees_every_transition_with_reason_and_reference(
        self, service_api, decided
    ):
        response = service_api(READ).get(history_url(decided))

        assert response.status_code == 200
        events = response.json()["events"]
        assert [e["transition"] for e in events] == ["fail", "reopen", "approve"]
        first = events[0]
        assert set(first) == self.EVENT_FIELDS | {"createdAt", "reason", "reference"}
        assert (first["fromState"], first["toState"]) == ("pending", "failed")
        assert (first["reason"], first["reference"]) == (
            "document_unreadable",
            "case-9",
        )
        assert (first["actor"], first["channel"]) == ("system", "api")

    def test_the_note_needs_the_contact_data_scope(self, service_api, decided):
        response = service_api(READ, READ_PII).get(history_url(decided))

        assert response.json()["events"][0]["note"] == "blurred scan"

    def test_the_owner_sees_their_history_without_internals(
        self, customer_api, decided
    ):
        response = customer_api(decided).get(history_url(decided))

        assert response.status_code == 200
        events = response.json()["events"]
        assert len(events) == 3
        assert set(events[0]) == self.EVENT_FIELDS | {"createdAt"}

    def test_another_customer_gets_403(self, customer_api, decided):
        other = CustomerFactory()
        kyc_approve(customer=other, actor=SYSTEM, channel=Channel.SYSTEM)
        other.refresh_from_db()

        response = customer_api(other).get(history_url(decided))

        assert_problem(response, 403, "permission_denied")

    def test_without_credentials_the_answer_is_401(self, decided):
        assert_problem(APIClient().get(history_url(decided)), 401, "not_authenticated")

    @pytest.mark.parametrize("scopes", [(DECIDE,), ("customers:exists",)])
    def test_a_service_that_may_not_read_gets_403(self, service_api, scopes):
        customer = CustomerFactory()

        response = service_api(*scopes).get(history_url(customer))

        assert_problem(response, 403, "permission_denied")

    def test_support_staff_may_read_it(self, support_user, decided):
        client = APIClient()
        client.force_login(support_user)

        response = client.get(history_url(decided))

        assert response.status_code == 200
        assert "note" not in response.json()["events"][0]

    def test_staff_without_view_permission_gets_403(self, decided):
        client = APIClient()
        client.force_login(StaffUserFactory())

        assert_problem(client.get(history_url(decided)), 403, "permission_denied")

    def test_a_closed_profile_is_not_available_to_services(
        self, service_api, operations_user, decided
    ):
        customer_deactivate(
            customer=decided, actor=SYSTEM, channel=Channel.SYSTEM, reason="left"
        )
        staff = APIClient()
        staff.force_login(operations_user)

        for_service = service_api(READ).get(history_url(decided))
        for_staff = staff.get(history_url(decided))

        body = assert_problem(for_service, 404, "profile_not_available")
        assert body["detail"] == "Profile not available."
        assert for_staff.status_code == 200
        assert len(for_staff.json()["events"]) == 3

    def test_an_unknown_id_gives_404(self, service_api):
        response = service_api(READ).get(
            f"/api/v1/customers/{uuid.uuid4()}/kyc/history"
        )

        assert_problem(response, 404, "not_found")

    def test_a_customer_without_decisions_has_an_empty_history(self, service_api):
        response = service_api(READ).get(history_url(CustomerFactory()))

        assert response.json() == {"events": []}
