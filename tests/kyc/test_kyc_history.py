"""The KYC history is append-only and outlives everything around it."""

import importlib
import json
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from customer_service.access import SYSTEM, Channel
from customers.factories import CustomerFactory, KycEventFactory
from customers.models import Customer
from customers.services import customer_deactivate
from kyc.models import AppendOnlyError, KycEvent
from kyc.selectors import kyc_history, kyc_queue
from kyc.services import kyc_approve, kyc_fail, kyc_reopen

pytestmark = pytest.mark.django_db

BACKFILL = importlib.import_module("kyc.migrations.0005_backfill_kyc_pending_since")


class TestAppendOnly:
    def test_a_saved_event_cannot_be_changed(self):
        event = KycEventFactory()
        event.note = "rewritten"

        with pytest.raises(AppendOnlyError):
            event.save()

    def test_an_event_cannot_be_deleted(self):
        event = KycEventFactory()

        with pytest.raises(AppendOnlyError):
            event.delete()
        assert KycEvent.objects.filter(pk=event.pk).exists()

    @pytest.mark.parametrize(
        "change",
        [
            lambda events: events.update(note="rewritten"),
            lambda events: events.delete(),
        ],
        ids=["update", "delete"],
    )
    def test_bulk_changes_are_refused(self, change):
        KycEventFactory()

        with pytest.raises(AppendOnlyError):
            change(KycEvent.objects.all())

    @pytest.mark.postgres
    @pytest.mark.parametrize(
        "sql",
        [
            "UPDATE kyc_kycevent SET note = 'rewritten'",
            "DELETE FROM kyc_kycevent",
        ],
    )
    def test_the_database_refuses_raw_changes(self, sql):
        event = KycEventFactory(note="original")

        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)

        assert KycEvent.objects.get(pk=event.pk).note == "original"


class TestConstraints:
    def test_a_failure_without_reason_is_refused_by_the_database(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            KycEventFactory(transition="fail", to_state="failed", reason_code="")

    @pytest.mark.parametrize(
        "actor",
        [
            {"actor_kind": "staff", "actor_user": None},
            {"actor_kind": "service", "actor_client_id": ""},
        ],
    )
    def test_an_event_must_name_its_actor(self, actor):
        with pytest.raises(IntegrityError), transaction.atomic():
            KycEventFactory(**actor)

    def test_an_event_must_change_the_state(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            KycEventFactory(from_state="pending", to_state="pending")


class TestSurvival:
    def test_history_survives_deactivation(self):
        customer = CustomerFactory()
        kyc_fail(
            customer=customer,
            actor=SYSTEM,
            channel=Channel.SYSTEM,
            reason_code="document_expired",
        )

        customer_deactivate(
            customer=customer, actor=SYSTEM, channel=Channel.SYSTEM, reason="left"
        )

        assert [e.transition for e in kyc_history(customer=customer)] == ["fail"]

    def test_a_customer_with_history_cannot_be_deleted(self):
        event = KycEventFactory()

        with pytest.raises(ProtectedError):
            event.customer.delete()


def test_history_is_listed_oldest_first():
    customer = CustomerFactory()
    decide = {"customer": customer, "actor": SYSTEM, "channel": Channel.SYSTEM}
    kyc_fail(**decide, reason_code="document_unreadable")
    kyc_reopen(**decide)
    kyc_approve(**decide)

    transitions = [e.transition for e in kyc_history(customer=customer)]

    assert transitions == ["fail", "reopen", "approve"]


def test_the_queue_holds_active_pending_customers_longest_waiting_first():
    decide = {"actor": SYSTEM, "channel": Channel.SYSTEM}
    first, second, reopened = CustomerFactory.create_batch(3)
    kyc_fail(customer=reopened, reason_code="document_expired", **decide)
    kyc_reopen(customer=reopened, **decide)
    kyc_approve(customer=CustomerFactory(), **decide)
    CustomerFactory(is_active=False)

    queue = list(kyc_queue())

    assert queue == [first, second, reopened]
    assert queue[2].kyc_pending_since > reopened.created_at


@pytest.mark.postgres
def test_the_queue_reads_its_partial_index():
    sql, params = kyc_queue()[:50].query.sql_with_params()

    with connection.cursor() as cursor:
        # An empty table favours a sequential scan; forbid it for this
        # transaction so the plan shows whether the index matches.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = json.dumps(cursor.fetchone()[0])

    assert "customer_kyc_queue" in plan
    assert '"Sort"' not in plan


def test_the_backfill_starts_each_wait_at_the_last_reopening_or_sign_up():
    decide = {"actor": SYSTEM, "channel": Channel.SYSTEM}
    never_failed, reopened = CustomerFactory.create_batch(2)
    kyc_fail(customer=reopened, reason_code="document_expired", **decide)
    kyc_reopen(customer=reopened, **decide)
    Customer.objects.update(kyc_pending_since=timezone.now() + timedelta(days=9))

    BACKFILL.backfill(django_apps, None)

    never_failed.refresh_from_db()
    reopened.refresh_from_db()
    reopening = KycEvent.objects.get(customer=reopened, transition="reopen")
    assert never_failed.kyc_pending_since == never_failed.created_at
    assert reopened.kyc_pending_since == reopening.created_at
