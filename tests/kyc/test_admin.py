"""KYC in the back office: the queue, decisions on the customer page, roles."""

import importlib
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django.utils import timezone

from customer_service.access import SYSTEM, Channel
from customers.factories import CustomerFactory, StaffUserFactory
from customers.models import Customer, KycStatus
from kyc.models import KycEvent
from kyc.services import kyc_approve, kyc_fail, kyc_reopen
from tests.conftest import change_url, messages_of

pytestmark = pytest.mark.django_db

QUEUE_URL = "/admin/kyc/kycsubject/"
ROLES_MIGRATION = importlib.import_module("kyc.migrations.0003_staff_roles")


def decision_url(customer, name: str) -> str:
    return f"/admin/customers/customer/{customer.pk}/kyc/{name}/"


def failed_customer(**kwargs) -> Customer:
    customer = CustomerFactory(**kwargs)
    kyc_fail(
        customer=customer,
        actor=SYSTEM,
        channel=Channel.SYSTEM,
        reason_code="document_expired",
    )
    return customer


class TestQueue:
    def test_lists_active_pending_customers_longest_waiting_first(self, operations):
        now = timezone.now()
        newer, older = CustomerFactory.create_batch(2)
        for customer, age in ((newer, 1), (older, 3)):
            signed_up = now - timedelta(days=age)
            Customer.objects.filter(pk=customer.pk).update(
                created_at=signed_up, kyc_pending_since=signed_up
            )
        verified = CustomerFactory()
        kyc_approve(customer=verified, actor=SYSTEM, channel=Channel.SYSTEM)
        failed_customer()
        CustomerFactory(is_active=False)

        response = operations.get(QUEUE_URL)

        rows = response.context["cl"].result_list
        assert [row.pk for row in rows] == [older.pk, newer.pk]
        page = response.content.decode()
        assert "3\xa0days" in page
        assert "1\xa0day" in page
        assert "2 waiting" in " ".join(page.split())

    def test_a_reopened_customer_waits_from_the_reopening(self, operations):
        reopened = failed_customer()
        month_ago = timezone.now() - timedelta(days=30)
        Customer.objects.filter(pk=reopened.pk).update(
            created_at=month_ago, kyc_pending_since=month_ago
        )
        kyc_reopen(customer=reopened, actor=SYSTEM, channel=Channel.SYSTEM)
        waiting = CustomerFactory()
        two_days_ago = timezone.now() - timedelta(days=2)
        Customer.objects.filter(pk=waiting.pk).update(
            created_at=two_days_ago, kyc_pending_since=two_days_ago
        )

        rows = operations.get(QUEUE_URL).context["cl"].result_list

        assert [row.pk for row in rows] == [waiting.pk, reopened.pk]

    def test_each_row_leads_to_the_customer_page(self, operations):
        customer = CustomerFactory()

        page = operations.get(QUEUE_URL).content.decode()

        assert f'href="{change_url(customer)}"' in page

    def test_the_queue_has_no_page_of_its_own(self, operations):
        customer = CustomerFactory()

        response = operations.get(f"{QUEUE_URL}{customer.pk}/change/")

        assert response.status_code == 302
        assert response["Location"] == change_url(customer)

    @pytest.mark.parametrize("rows", [5, 50])
    def test_a_page_costs_the_same_queries_whatever_its_rows(
        self, operations, django_assert_max_num_queries, rows
    ):
        CustomerFactory.create_batch(rows)

        with django_assert_max_num_queries(6):
            response = operations.get(QUEUE_URL)

        assert len(response.context["cl"].result_list) == rows

    def test_support_has_no_queue(self, support):
        response = support.get(QUEUE_URL)

        assert response.status_code == 403

    def test_no_bulk_actions(self, operations):
        CustomerFactory()

        response = operations.get(QUEUE_URL)

        assert response.context["action_form"] is None


class TestButtons:
    def test_operations_see_approve_and_fail_on_a_pending_customer(self, operations):
        customer = CustomerFactory()

        page = operations.get(change_url(customer)).content.decode()

        assert decision_url(customer, "approve") in page
        assert decision_url(customer, "fail") in page
        assert decision_url(customer, "reopen") not in page

    def test_operations_see_reopen_on_a_failed_customer(self, operations):
        customer = failed_customer()

        page = operations.get(change_url(customer)).content.decode()

        assert decision_url(customer, "reopen") in page
        assert decision_url(customer, "approve") not in page

    def test_support_sees_no_decision(self, support):
        customer = CustomerFactory()

        page = support.get(change_url(customer)).content.decode()

        assert "/kyc/" not in page

    def test_the_history_is_shown_read_only(self, operations):
        customer = CustomerFactory()
        kyc_approve(
            customer=customer,
            actor=SYSTEM,
            channel=Channel.SYSTEM,
            note="Passport checked.",
        )

        response = operations.get(change_url(customer))

        [history] = [
            inline
            for inline in response.context["inline_admin_formsets"]
            if inline.opts.model is KycEvent
        ]
        assert not history.has_add_permission
        assert not history.has_change_permission
        assert not history.has_delete_permission
        [event] = [form.instance for form in history.formset.forms]
        assert (event.transition, event.note) == ("approve", "Passport checked.")
        assert "Passport checked." in response.content.decode()

    def test_support_sees_no_history(self, support):
        customer = CustomerFactory()
        kyc_approve(customer=customer, actor=SYSTEM, channel=Channel.SYSTEM)

        response = support.get(change_url(customer))

        assert not any(
            inline.opts.model is KycEvent
            for inline in response.context["inline_admin_formsets"]
        )


class TestDecisions:
    def test_approve_asks_for_confirmation_first(self, operations):
        customer = CustomerFactory()

        response = operations.get(decision_url(customer, "approve"))

        assert response.status_code == 200
        customer.refresh_from_db()
        assert customer.kyc_status == KycStatus.PENDING

    def test_approve_verifies_and_records_who_did_it(self, operations, operations_user):
        customer = CustomerFactory()

        response = operations.post(
            decision_url(customer, "approve"), {"note": "Passport checked."}
        )

        assert response.status_code == 302
        assert response["Location"] == change_url(customer)
        customer.refresh_from_db()
        assert customer.kyc_status == KycStatus.VERIFIED
        assert customer.user is not None
        event = KycEvent.objects.get(customer=customer)
        assert (event.actor_user, event.channel, event.note) == (
            operations_user,
            Channel.ADMIN,
            "Passport checked.",
        )
        assert messages_of(response) == [
            f"KYC approved for {customer}; the customer was emailed a link to "
            "choose a password."
        ]

    def test_fail_records_the_reason_and_note(self, operations):
        customer = CustomerFactory()

        operations.post(
            decision_url(customer, "fail"),
            {"reason_code": "document_expired", "note": "Expired in 2020."},
        )

        customer.refresh_from_db()
        assert customer.kyc_status == KycStatus.FAILED
        event = KycEvent.objects.get(customer=customer)
        assert (event.reason_code, event.note) == (
            "document_expired",
            "Expired in 2020.",
        )

    @pytest.mark.parametrize("reason", ["", "not_a_reason"])
    def test_fail_needs_a_listed_reason(self, operations, reason):
        customer = CustomerFactory()

        response = operations.post(
            decision_url(customer, "fail"), {"reason_code": reason}
        )

        assert response.status_code == 200
        assert "reason_code" in response.context["form"].errors
        customer.refresh_from_db()
        assert customer.kyc_status == KycStatus.PENDING
        assert not KycEvent.objects.filter(customer=customer).exists()

    def test_the_fail_page_offers_the_reason_codes(self, operations):
        customer = CustomerFactory()

        page = operations.get(decision_url(customer, "fail")).content.decode()

        assert 'value="document_unreadable"' in page
        assert 'value="suspected_fraud"' in page

    def test_reopen_puts_the_customer_back_in_the_queue(self, operations):
        customer = failed_customer()

        operations.post(decision_url(customer, "reopen"), {"note": "New passport."})

        customer.refresh_from_db()
        assert customer.kyc_status == KycStatus.PENDING

    def test_a_refused_condition_is_shown_as_a_message(self, operations):
        customer = CustomerFactory(is_active=False)

        response = operations.post(decision_url(customer, "approve"), {})

        assert messages_of(response) == [
            "KYC can only be approved for an active customer."
        ]
        customer.refresh_from_db()
        assert customer.kyc_status == KycStatus.PENDING

    def test_a_customer_decided_meanwhile_is_not_decided_again(self, operations):
        customer = CustomerFactory()
        kyc_approve(customer=customer, actor=SYSTEM, channel=Channel.SYSTEM)

        response = operations.post(
            decision_url(customer, "fail"), {"reason_code": "suspected_fraud"}
        )

        assert response.status_code == 302
        assert "not possible" in messages_of(response)[0]
        customer.refresh_from_db()
        assert customer.kyc_status == KycStatus.VERIFIED
        assert KycEvent.objects.filter(customer=customer).count() == 1


class TestServerSidePermission:
    """Hiding a button is not enough: the POST itself is refused."""

    @pytest.mark.parametrize(
        ("name", "body"),
        [
            ("approve", {}),
            ("fail", {"reason_code": "suspected_fraud"}),
            ("reopen", {}),
        ],
    )
    @pytest.mark.parametrize("role", ["Support", "editor"])
    def test_a_hand_made_post_without_the_decide_permission_changes_nothing(
        self, client, name, body, role
    ):
        # "editor" may view, see PII and edit profiles, but not decide.
        permissions = ROLES_MIGRATION.ROLES["Support"]
        if role == "editor":
            permissions = [
                p for p in ROLES_MIGRATION.ROLES["Operations"] if p != "kyc.decide_kyc"
            ]
        client.force_login(StaffUserFactory(permissions=permissions))
        customer = failed_customer() if name == "reopen" else CustomerFactory()
        before = Customer.objects.filter(pk=customer.pk).values().get()

        response = client.post(decision_url(customer, name), body)

        assert response.status_code == 403
        assert Customer.objects.filter(pk=customer.pk).values().get() == before
        assert KycEvent.objects.filter(customer=customer).count() == (
            1 if name == "reopen" else 0
        )

    def test_a_decision_needs_the_csrf_token(self, operations_user):
        client = Client(enforce_csrf_checks=True)
        client.force_login(operations_user)
        customer = CustomerFactory()

        response = client.post(decision_url(customer, "approve"), {})

        assert response.status_code == 403
        customer.refresh_from_db()
        assert customer.kyc_status == KycStatus.PENDING

    def test_a_staff_user_without_any_permission_cannot_open_the_pages(self, client):
        client.force_login(StaffUserFactory())
        customer = CustomerFactory()

        for url in (QUEUE_URL, change_url(customer), decision_url(customer, "fail")):
            assert client.get(url).status_code == 403


class TestRoles:
    """The roles migration makes the groups with exactly their permissions."""

    @pytest.fixture
    def roles_migration(self):
        state = MigrationLoader(connection).project_state(
            ("kyc", "0003_staff_roles"), at_end=True
        )
        return ROLES_MIGRATION, state.apps

    @staticmethod
    def permissions_of(name: str) -> set[str]:
        group = Group.objects.get(name=name)
        return {
            f"{app_label}.{codename}"
            for app_label, codename in group.permissions.values_list(
                "content_type__app_label", "codename"
            )
        }

    def test_creates_operations_and_support(self, roles_migration):
        module, apps = roles_migration
        Group.objects.filter(name__in=["Operations", "Support"]).delete()

        module.roles_create(apps, connection.schema_editor())

        assert self.permissions_of("Operations") == {
            "customers.view_customer",
            "customers.view_customer_pii",
            "customers.change_customer",
            "customers.view_customerchange",
            "kyc.decide_kyc",
            "kyc.view_kycevent",
        }
        assert self.permissions_of("Support") == {"customers.view_customer"}

    def test_reverses_by_removing_the_groups(self, roles_migration):
        module, apps = roles_migration
        module.roles_create(apps, connection.schema_editor())

        module.roles_delete(apps, connection.schema_editor())

        assert not Group.objects.filter(name__in=["Operations", "Support"]).exists()

    def test_a_member_of_operations_may_decide(self, roles_migration, client):
        module, apps = roles_migration
        module.roles_create(apps, connection.schema_editor())
        user = StaffUserFactory()
        user.groups.add(Group.objects.get(name="Operations"))
        client.force_login(user)
        customer = CustomerFactory()

        client.post(decision_url(customer, "approve"), {})

        customer.refresh_from_db()
        assert customer.kyc_status == KycStatus.VERIFIED


def approved_customer() -> Customer:
    customer = CustomerFactory()
    kyc_approve(customer=customer, actor=SYSTEM, channel=Channel.SYSTEM)
    return Customer.objects.get(pk=customer.pk)


def resend_url(customer) -> str:
    return f"/admin/customers/customer/{customer.pk}/activation/resend/"


class TestActivationResend:
    def test_operations_see_the_button_for_a_customer_waiting_to_activate(
        self, operations
    ):
        customer = approved_customer()

        page = operations.get(change_url(customer)).content.decode()

        assert resend_url(customer) in page

    def test_no_button_once_the_password_is_chosen(self, operations):
        customer = approved_customer()
        customer.user.set_password("a long enough passphrase")
        customer.user.save()

        page = operations.get(change_url(customer)).content.decode()

        assert resend_url(customer) not in page

    def test_operations_send_a_new_link(
        self, operations, mailoutbox, django_capture_on_commit_callbacks
    ):
        customer = approved_customer()
        mailoutbox.clear()

        with django_capture_on_commit_callbacks(execute=True):
            response = operations.post(resend_url(customer))

        assert response.status_code == 302
        assert len(mailoutbox) == 1
        assert mailoutbox[0].to == [customer.email]
        assert any("new activation link" in m for m in messages_of(response))

    def test_support_sees_no_button_and_a_hand_made_post_sends_nothing(
        self, support, mailoutbox, django_capture_on_commit_callbacks
    ):
        customer = approved_customer()
        mailoutbox.clear()

        page = support.get(change_url(customer)).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            response = support.post(resend_url(customer))

        assert resend_url(customer) not in page
        assert response.status_code == 403
        assert mailoutbox == []
