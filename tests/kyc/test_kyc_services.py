"""KYC decisions through the services: transitions, conditions, who acts."""

import smtplib
from unittest import mock

import pytest
from django.db import transaction

from customer_service.access import (
    ANONYMOUS,
    SYSTEM,
    Caller,
    CallerKind,
    Channel,
    Scope,
    resolve_caller,
)
from customer_service.errors import ServiceError
from customers.factories import CustomerFactory, StaffUserFactory
from customers.models import Customer, KycStatus
from customers.services import customer_deactivate
from kyc.errors import KycErrorCode, TextTooLong
from kyc.models import KycEvent, KycSubject
from kyc.services import kyc_approve, kyc_fail, kyc_reopen

pytestmark = pytest.mark.django_db


def approve(customer, **kwargs):
    return kyc_approve(
        customer=customer, actor=SYSTEM, channel=Channel.SYSTEM, **kwargs
    )


def fail(customer, reason_code="document_expired", **kwargs):
    return kyc_fail(
        customer=customer,
        actor=SYSTEM,
        channel=Channel.SYSTEM,
        reason_code=reason_code,
        **kwargs,
    )


def reopen(customer, **kwargs):
    return kyc_reopen(customer=customer, actor=SYSTEM, channel=Channel.SYSTEM, **kwargs)


def customer_in(state: str) -> Customer:
    """A customer brought to ``state`` through the transitions."""
    customer = CustomerFactory()
    if state == KycStatus.VERIFIED:
        approve(customer)
    elif state == KycStatus.FAILED:
        fail(customer)
    customer.refresh_from_db()
    return customer


def row_of(customer: Customer) -> dict:
    return Customer.objects.filter(pk=customer.pk).values().get()


class TestTransitions:
    def test_proxy_carries_the_three_transitions(self):
        subject = KycSubject.objects.get(pk=CustomerFactory().pk)

        names = {t.name for t in subject.get_all_kyc_status_transitions()}

        assert names == {"approve", "fail", "reopen"}

    def test_status_cannot_be_assigned_directly(self):
        customer = Customer.objects.get(pk=CustomerFactory().pk)

        with pytest.raises(AttributeError):
            customer.kyc_status = KycStatus.VERIFIED

    def test_approve_verifies_records_and_creates_the_login(self):
        customer = CustomerFactory()

        result = approve(customer, reference="case-7", note="passport checked")

        customer.refresh_from_db()
        assert customer.kyc_status == KycStatus.VERIFIED
        assert customer.version == 2
        assert result.version == 2
        assert customer.user.username == f"customer-{customer.public_id}"
        assert not customer.user.has_usable_password()
        event = KycEvent.objects.get(customer=customer)
        assert (event.from_state, event.to_state, event.transition) == (
            "pending",
            "verified",
            "approve",
        )
        assert (event.reference, event.note, event.reason_code) == (
            "case-7",
            "passport checked",
            "",
        )

    def test_fail_records_the_reason_and_creates_no_login(self):
        customer = CustomerFactory()

        fail(customer, reason_code="identity_mismatch", note="name differs")

        customer.refresh_from_db()
        assert customer.kyc_status == KycStatus.FAILED
        assert customer.version == 2
        assert customer.user is None
        event = KycEvent.objects.get(customer=customer)
        assert (event.transition, event.reason_code, event.note) == (
            "fail",
            "identity_mismatch",
            "name differs",
        )

    def test_reopen_puts_a_failed_customer_back_to_pending(self):
        customer = customer_in(KycStatus.FAILED)

        reopen(customer, note="new passport uploaded")

        customer.refresh_from_db()
        assert customer.kyc_status == KycStatus.PENDING
        assert customer.version == 3
        assert list(
            KycEvent.objects.filter(customer=customer).values_list(
                "transition", flat=True
            )
        ) == ["fail", "reopen"]

    def test_a_reopened_customer_can_be_approved(self):
        customer = customer_in(KycStatus.FAILED)
        reopen(customer)

        approve(customer)

        customer.refresh_from_db()
        assert customer.kyc_status == KycStatus.VERIFIED
        assert customer.user is not None


@pytest.mark.parametrize(
    ("state", "run", "detail"),
    [
        ("verified", approve, "already been decided"),
        ("failed", approve, "already been decided"),
        ("verified", fail, "already been decided"),
        ("failed", fail, "already been decided"),
        ("pending", reopen, "already pending"),
        ("verified", reopen, "cannot be reopened"),
    ],
)
def test_a_transition_not_allowed_from_the_state_is_refused(state, run, detail):
    customer = customer_in(state)
    before, events = row_of(customer), KycEvent.objects.count()

    with pytest.raises(ServiceError) as refused:
        run(customer)

    assert refused.value.status == 409
    assert refused.value.code == "invalid_transition"
    assert detail in refused.value.detail
    assert row_of(customer) == before
    assert KycEvent.objects.count() == events


class TestApprovalConditions:
    def test_an_inactive_customer_is_not_approved(self):
        customer = CustomerFactory(is_active=False)

        with pytest.raises(ServiceError) as refused:
            approve(customer)

        assert (refused.value.status, refused.value.code) == (
            409,
            "kyc_condition_failed",
        )
        assert "active customer" in refused.value.detail
        self.assert_unchanged(customer)

    @pytest.mark.parametrize(
        "blanked", ["address_line1", "address_city", "address_postal_code"]
    )
    def test_an_incomplete_address_is_not_approved(self, blanked):
        customer = CustomerFactory()
        Customer.objects.filter(pk=customer.pk).update(**{blanked: ""})

        with pytest.raises(ServiceError) as refused:
            approve(customer)

        assert refused.value.code == "kyc_condition_failed"
        assert "address" in refused.value.detail
        self.assert_unchanged(customer)

    def test_every_missing_condition_is_named(self):
        customer = CustomerFactory(is_active=False)
        Customer.objects.filter(pk=customer.pk).update(address_city="")

        with pytest.raises(ServiceError) as refused:
            approve(customer)

        assert "active customer" in refused.value.detail
        assert "address" in refused.value.detail

    def test_a_deactivated_customer_can_still_be_failed(self):
        customer = CustomerFactory()
        customer_deactivate(
            customer=customer, actor=SYSTEM, channel=Channel.SYSTEM, reason="closed"
        )

        fail(customer)

        customer.refresh_from_db()
        assert customer.kyc_status == KycStatus.FAILED

    @staticmethod
    def assert_unchanged(customer):
        customer.refresh_from_db()
        assert customer.kyc_status == KycStatus.PENDING
        assert customer.version == 1
        assert customer.user is None
        assert not KycEvent.objects.filter(customer=customer).exists()


@pytest.mark.parametrize("reason", ["", "bad_photo", "DOCUMENT_EXPIRED"])
def test_fail_needs_a_listed_reason(reason):
    customer = CustomerFactory()

    with pytest.raises(ServiceError) as refused:
        fail(customer, reason_code=reason)

    assert (refused.value.status, refused.value.code) == (400, "invalid_reason")
    assert refused.value.errors[0].field == "reason"
    assert row_of(customer)["kyc_status"] == KycStatus.PENDING


@pytest.mark.parametrize(("field", "length"), [("reference", 201), ("note", 2001)])
def test_over_long_text_is_refused_and_changes_nothing(field, length):
    customer = CustomerFactory()

    with pytest.raises(ServiceError) as refused:
        approve(customer, **{field: "x" * length})

    assert refused.value.status == 400
    assert [e.field for e in refused.value.errors] == [field]
    assert row_of(customer)["kyc_status"] == KycStatus.PENDING


class TestActors:
    def test_staff_decision_records_the_staff_user(self, operator, operator_caller):
        customer = CustomerFactory()

        kyc_approve(customer=customer, actor=operator_caller, channel=Channel.ADMIN)

        event = KycEvent.objects.get(customer=customer)
        assert (event.actor_kind, event.actor_user, event.channel) == (
            "staff",
            operator,
            "admin",
        )
        assert event.actor_client_id == ""

    def test_service_decision_records_the_client_id(self, provider_caller):
        customer = CustomerFactory()

        kyc_fail(
            customer=customer,
            actor=provider_caller,
            channel=Channel.API,
            reason_code="suspected_fraud",
            reference="prov-991",
        )

        event = KycEvent.objects.get(customer=customer)
        assert (event.actor_kind, event.actor_client_id, event.channel) == (
            "service",
            "kyc-provider",
            "api",
        )
        assert event.actor_user is None
        assert event.reference == "prov-991"

    def test_system_decision_records_the_system(self):
        customer = CustomerFactory()

        approve(customer)

        event = KycEvent.objects.get(customer=customer)
        assert (event.actor_kind, event.actor_user, event.actor_client_id) == (
            "system",
            None,
            "",
        )

    @pytest.mark.parametrize(
        "who", ["anonymous", "customer", "staff_without_permission", "service"]
    )
    def test_a_caller_without_the_decide_permission_changes_nothing(self, who):
        customer = CustomerFactory()
        actor = {
            "anonymous": lambda: ANONYMOUS,
            "customer": lambda: Caller(
                kind=CallerKind.CUSTOMER,
                scopes=frozenset({Scope.PROFILE}),
                customer_pk=customer.pk,
            ),
            "staff_without_permission": lambda: resolve_caller(
                StaffUserFactory(permissions=["customers.view_customer"]), None
            ),
            "service": lambda: Caller(
                kind=CallerKind.SERVICE, scopes=frozenset({Scope.READ})
            ),
        }[who]()

        for run in (kyc_approve, kyc_reopen):
            with pytest.raises(ServiceError) as refused:
                run(customer=customer, actor=actor, channel=Channel.API)
            assert (refused.value.status, refused.value.code) == (
                403,
                "permission_denied",
            )
        assert row_of(customer)["kyc_status"] == KycStatus.PENDING
        assert not KycEvent.objects.exists()


class TestTextLimits:
    """Callers other than the API are held to the same limits."""

    @pytest.mark.parametrize(
        ("text", "field"),
        [({"reference": "x" * 201}, "reference"), ({"note": "x" * 2001}, "note")],
    )
    def test_over_long_text_is_refused_with_the_apps_codes(self, text, field):
        customer = CustomerFactory()

        with pytest.raises(TextTooLong) as refused:
            approve(customer, **text)

        assert refused.value.code is KycErrorCode.VALIDATION_ERROR
        assert [(e.field, e.code) for e in refused.value.errors] == [
            (field, KycErrorCode.MAX_LENGTH)
        ]
        assert row_of(customer)["kyc_status"] == KycStatus.PENDING
        assert not KycEvent.objects.exists()


class TestEmails:
    def test_approval_emails_the_activation_link_only_after_commit(
        self, django_capture_on_commit_callbacks, mailoutbox
    ):
        customer = CustomerFactory(first_name="Grace")

        with django_capture_on_commit_callbacks() as callbacks:
            approve(customer)
            assert mailoutbox == []
        for callback in callbacks:
            callback()

        assert len(mailoutbox) == 1
        message = mailoutbox[0]
        assert message.to == [customer.email]
        assert "Grace" in message.body
        assert "/account/activate/" in message.body
        assert "72 hours" in message.body
        assert "/account/activate/" in message.alternatives[0][0]
        assert "72 hours" in message.alternatives[0][0]

    def test_failure_emails_without_the_reason(
        self, django_capture_on_commit_callbacks, mailoutbox
    ):
        customer = CustomerFactory()

        with django_capture_on_commit_callbacks(execute=True):
            fail(customer, reason_code="suspected_fraud", note="internal remark")

        assert len(mailoutbox) == 1
        message = mailoutbox[0]
        assert message.to == [customer.email]
        assert "could not verify your identity" in message.body
        for internal in ("fraud", "suspected", "internal remark"):
            assert internal not in message.body
            assert internal not in message.alternatives[0][0]

    def test_reopen_sends_no_email(
        self, django_capture_on_commit_callbacks, mailoutbox
    ):
        customer = customer_in(KycStatus.FAILED)
        mailoutbox.clear()

        with django_capture_on_commit_callbacks(execute=True):
            reopen(customer)

        assert mailoutbox == []

    def test_a_rolled_back_decision_sends_nothing(
        self, django_capture_on_commit_callbacks, mailoutbox
    ):
        customer = CustomerFactory()

        def approve_then_fail():
            with transaction.atomic():
                approve(customer)
                raise RuntimeError("a later step failed")

        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(RuntimeError),
        ):
            approve_then_fail()

        assert mailoutbox == []
        assert row_of(customer)["kyc_status"] == KycStatus.PENDING
        assert not KycEvent.objects.exists()

    def test_a_failed_send_keeps_the_decision_and_logs_no_address(
        self, django_capture_on_commit_callbacks, caplog
    ):
        customer = CustomerFactory()
        refused = smtplib.SMTPRecipientsRefused({customer.email: (550, b"no")})

        with (
            mock.patch(
                "django.core.mail.EmailMultiAlternatives.send", side_effect=refused
            ),
            django_capture_on_commit_callbacks(execute=True),
        ):
            approve(customer)

        assert row_of(customer)["kyc_status"] == KycStatus.VERIFIED
        failures = [r for r in caplog.records if r.name == "customers.emails"]
        assert [r.levelname for r in failures] == ["ERROR"]
        logged = failures[0].getMessage()
        assert str(customer.public_id) in logged
        assert customer.email not in logged
        assert "/account/activate/" not in caplog.text


def test_decisions_never_log_personal_data(caplog):
    customer = CustomerFactory(first_name="Grace", last_name="Hopper")

    approve(customer, note="called the customer")

    assert str(customer.public_id) in caplog.text
    for personal in (customer.email, customer.first_name, customer.last_name):
        assert personal not in caplog.text
