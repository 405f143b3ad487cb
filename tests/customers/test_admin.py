"""The customer list and customer page of the back office."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customer_service.access import SYSTEM, Channel
from customers.admin import EstimatedCountPaginator, mask_email
from customers.factories import CustomerFactory, StaffUserFactory
from customers.models import Customer, CustomerChange
from customers.services import customer_update
from kyc.services import kyc_approve
from tests.conftest import change_url, messages_of

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/customers/customer/"


def listed(response) -> list[int]:
    return [customer.pk for customer in response.context["cl"].result_list]


def change_form_data(response, **changes) -> dict:
    """What the browser would post back from a loaded customer page."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else str(value)
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    return {**data, **changes}


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("jane@example.com", "j***@example.com"),
        ("J@Example.com", "J***@Example.com"),
        ("first.last+tag@mail.example.org", "f***@mail.example.org"),
        ("not-an-email", "***"),
        ("@example.com", "***"),
        ("", "***"),
    ],
)
def test_mask_email_keeps_only_the_first_letter_and_the_domain(email, masked):
    assert mask_email(email) == masked


class TestCustomerList:
    def test_support_sees_masked_emails_and_operations_the_real_ones(
        self, client, support_user, operations_user
    ):
        CustomerFactory(email="jane.doe@example.com")

        client.force_login(support_user)
        masked_page = client.get(LIST_URL).content.decode()
        client.force_login(operations_user)
        full_page = client.get(LIST_URL).content.decode()

        assert "j***@example.com" in masked_page
        assert "jane.doe@example.com" not in masked_page
        assert "jane.doe@example.com" in full_page

    def test_lists_name_status_active_country_and_creation(self, operations):
        CustomerFactory(first_name="Ada", last_name="Lovelace", address_country="GB")

        response = operations.get(LIST_URL)

        assert response.context["cl"].list_display == (
            "name",
            "email",
            "kyc_status",
            "is_active",
            "address_country",
            "created_at",
        )
        assert "Ada Lovelace" in response.content.decode()

    def test_newest_first(self, operations):
        now = timezone.now()
        old, newest, middle = CustomerFactory.create_batch(3)
        for customer, age in ((old, 3), (newest, 1), (middle, 2)):
            Customer.objects.filter(pk=customer.pk).update(
                created_at=now - timedelta(days=age)
            )

        assert listed(operations.get(LIST_URL)) == [newest.pk, middle.pk, old.pk]

    @pytest.mark.parametrize("rows", [5, 50])
    def test_a_page_costs_the_same_queries_whatever_its_rows(
        self, operations, django_assert_max_num_queries, rows
    ):
        CustomerFactory.create_batch(rows)

        with django_assert_max_num_queries(6):
            response = operations.get(LIST_URL)

        assert len(listed(response)) == rows

    def test_offers_no_counts_per_filter_choice(self, operations):
        # Each count would aggregate over the whole table.
        CustomerFactory()

        with CaptureQueriesContext(connection) as plain:
            operations.get(LIST_URL)
        with CaptureQueriesContext(connection) as faceted:
            response = operations.get(LIST_URL, {"_facets": "True"})

        assert "Show counts" not in response.content.decode()
        assert len(faceted) == len(plain)

    def test_a_search_page_costs_the_same_queries_as_a_plain_page(self, operations):
        CustomerFactory.create_batch(30, last_name="Smith")

        with CaptureQueriesContext(connection) as plain:
            operations.get(LIST_URL)
        with CaptureQueriesContext(connection) as searched:
            operations.get(LIST_URL, {"q": "smith"})

        assert len(searched) == len(plain)


class TestSearch:
    @pytest.mark.parametrize(
        "term",
        [
            "Grace",
            "grac",
            "HOPPER",
            "grace hopper",
            "ext-42",
            "grace.hopper@Example.com",
            "+447400123456",
            "+44 7400 123456",
        ],
    )
    def test_operations_find_by_name_external_id_email_and_phone(
        self, operations, term
    ):
        wanted = CustomerFactory(
            first_name="Grace",
            last_name="Hopper",
            external_id="ext-42",
            email="grace.hopper@example.com",
            phone="+447400123456",
        )
        CustomerFactory(first_name="Alan", last_name="Turing")

        assert listed(operations.get(LIST_URL, {"q": term})) == [wanted.pk]

    def test_an_external_id_matches_exactly_not_in_part(self, operations):
        CustomerFactory(external_id="ext-42")

        assert listed(operations.get(LIST_URL, {"q": "ext-4"})) == []

    @pytest.mark.parametrize(
        "term", ["grace.hopper@example.com", "+447400123456", "+44 7400 123456"]
    )
    def test_support_cannot_search_by_email_or_phone(self, support, term):
        CustomerFactory(
            first_name="Grace",
            email="grace.hopper@example.com",
            phone="+447400123456",
        )

        assert listed(support.get(LIST_URL, {"q": term})) == []

    def test_support_can_search_by_name_and_external_id(self, support):
        wanted = CustomerFactory(first_name="Grace", external_id="ext-42")

        assert listed(support.get(LIST_URL, {"q": "grace"})) == [wanted.pk]
        assert listed(support.get(LIST_URL, {"q": "ext-42"})) == [wanted.pk]

    @pytest.mark.parametrize(
        "lookup",
        [
            "email__startswith",
            "email",
            "phone__startswith",
            "address_city__icontains",
            "first_name__regex",
            "user__password__startswith",
        ],
    )
    def test_filtering_through_the_url_by_other_fields_is_refused(
        self, client, support_user, operations_user, lookup
    ):
        CustomerFactory(email="grace@example.com", phone="+447400123456")

        for user in (support_user, operations_user):
            client.force_login(user)
            response = client.get(LIST_URL, {lookup: "g"})

            assert response.status_code == 400


class TestFilters:
    @pytest.fixture
    def customers(self):
        recent = CustomerFactory(address_country="DE")
        verified = CustomerFactory(address_country="GB")
        kyc_approve(customer=verified, actor=SYSTEM, channel=Channel.SYSTEM)
        inactive = CustomerFactory(address_country="GB", is_active=False)
        old = CustomerFactory(address_country="GB")
        Customer.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - timedelta(days=40)
        )
        return {
            "recent": recent,
            "verified": verified,
            "inactive": inactive,
            "old": old,
        }

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"kyc_status__exact": "verified"}, {"verified"}),
            ({"kyc_status__exact": "pending"}, {"recent", "inactive", "old"}),
            ({"is_active__exact": "0"}, {"inactive"}),
            ({"address_country__exact": "DE"}, {"recent"}),
            ({"created_at__gte": "past_week"}, {"recent", "verified", "inactive"}),
        ],
    )
    def test_each_filter_narrows_the_list(
        self, operations, customers, params, expected
    ):
        if params.get("created_at__gte") == "past_week":
            params = {"created_at__gte": str(timezone.now() - timedelta(days=7))}

        response = operations.get(LIST_URL, params)

        assert response.status_code == 200
        assert set(listed(response)) == {customers[name].pk for name in expected}


class TestPaginator:
    @pytest.fixture
    def small_limit(self, monkeypatch):
        monkeypatch.setattr(EstimatedCountPaginator, "exact_limit", 3)

    def test_counts_exactly_up_to_the_limit(self, small_limit):
        CustomerFactory.create_batch(3)

        paginator = EstimatedCountPaginator(Customer.objects.order_by("-id"), 2)

        assert paginator.count == 3
        assert paginator.count_text == "3"

    def test_a_filtered_list_past_the_limit_says_more_than(self, small_limit):
        CustomerFactory.create_batch(5, address_country="GB")

        paginator = EstimatedCountPaginator(
            Customer.objects.filter(address_country="GB").order_by("-id"), 2
        )

        assert paginator.count == 4
        assert paginator.count_text == "more than 3"

    def test_never_counts_more_rows_than_the_limit(self, small_limit):
        CustomerFactory.create_batch(5)

        with CaptureQueriesContext(connection) as queries:
            count = EstimatedCountPaginator(Customer.objects.order_by("-id"), 2).count

        counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
        # Past the limit; on PostgreSQL the figure may be the estimate.
        assert count > 3
        assert counts
        assert all("LIMIT 4" in sql for sql in counts)

    @pytest.mark.postgres
    def test_an_unfiltered_list_past_the_limit_takes_the_table_estimate(
        self, small_limit
    ):
        CustomerFactory.create_batch(6)
        with connection.cursor() as cursor:
            # Rows inserted by this transaction count for its own ANALYZE.
            cursor.execute("ANALYZE customers_customer")

        paginator = EstimatedCountPaginator(Customer.objects.order_by("-id"), 2)

        assert paginator.count == 6
        assert paginator.count_text == "about 6"

    def test_the_list_page_shows_the_capped_count(self, operations, small_limit):
        CustomerFactory.create_batch(5, address_country="GB")

        response = operations.get(LIST_URL, {"address_country__exact": "GB"})

        assert "more than 3 customers" in " ".join(response.content.decode().split())


class TestCustomerPage:
    def test_operations_see_contact_and_address(self, operations):
        customer = CustomerFactory(
            email="grace@example.com", phone="+447400123456", address_city="Hull"
        )

        page = operations.get(change_url(customer)).content.decode()

        assert "grace@example.com" in page
        assert "+447400123456" in page
        assert "Hull" in page

    def test_support_sees_no_contact_or_address_and_cannot_edit(self, support):
        customer = CustomerFactory(
            first_name="Ada",
            last_name="Lovelace",
            email="grace@example.com",
            phone="+447400123456",
            address_line1="1 Secret Lane",
            address_city="Hull",
            address_postal_code="HU1 1AA",
        )

        response = support.get(change_url(customer))
        page = response.content.decode()

        assert response.status_code == 200
        for value in ("grace", "7400123456", "Secret Lane", "Hull", "HU1 1AA"):
            assert value not in page
        assert 'name="_save"' not in page

    def test_immutable_fields_are_read_only(self, operations):
        customer = CustomerFactory()

        form = operations.get(change_url(customer)).context["adminform"].form

        editable = set(form.fields) - {"expected_version"}
        assert editable == {
            "first_name",
            "last_name",
            "nickname",
            "phone",
            "address_line1",
            "address_line2",
            "address_city",
            "address_region",
            "address_postal_code",
            "address_country",
        }

    def test_a_save_changes_only_editable_fields_and_records_a_new_version(
        self, operations, operations_user
    ):
        customer = CustomerFactory(first_name="Grace", email="grace@example.com")
        page = operations.get(change_url(customer))

        response = operations.post(
            change_url(customer),
            change_form_data(page, first_name="Gracie", email="evil@example.com"),
        )

        assert response.status_code == 302
        customer.refresh_from_db()
        assert customer.first_name == "Gracie"
        assert customer.email == "grace@example.com"
        assert customer.version == 2
        change = CustomerChange.objects.get(customer=customer)
        assert (change.actor_user, change.channel, change.fields) == (
            operations_user,
            Channel.ADMIN,
            ["firstName"],
        )

    def test_a_page_saved_after_someone_else_changed_it_is_refused(self, operations):
        customer = CustomerFactory(first_name="Grace", last_name="Hopper")
        page = operations.get(change_url(customer))
        customer_update(
            customer=customer,
            expected_version=1,
            changes={"last_name": "Murray"},
            actor=SYSTEM,
            channel=Channel.API,
        )

        response = operations.post(
            change_url(customer), change_form_data(page, first_name="Gracie")
        )

        assert response.status_code == 302
        assert response["Location"] == change_url(customer)
        assert "The profile has changed since you read it" in messages_of(response)[0]
        customer.refresh_from_db()
        assert (customer.first_name, customer.last_name) == ("Grace", "Murray")
        assert customer.version == 2
        assert CustomerChange.objects.filter(customer=customer).count() == 1

    def test_an_invalid_phone_is_shown_on_the_form_and_changes_nothing(
        self, operations
    ):
        customer = CustomerFactory(phone="+447400123456")
        page = operations.get(change_url(customer))

        response = operations.post(
            change_url(customer), change_form_data(page, phone="12")
        )

        assert response.status_code == 200
        assert "phone" in response.context["adminform"].form.errors
        customer.refresh_from_db()
        assert (str(customer.phone), customer.version) == ("+447400123456", 1)

    def test_a_save_without_changes_keeps_the_version(self, operations):
        customer = CustomerFactory()
        page = operations.get(change_url(customer))

        operations.post(change_url(customer), change_form_data(page))

        customer.refresh_from_db()
        assert customer.version == 1
        assert not CustomerChange.objects.filter(customer=customer).exists()

    def test_support_cannot_post_an_edit(self, support):
        customer = CustomerFactory(first_name="Grace")

        response = support.post(
            change_url(customer), {"first_name": "Gracie", "expected_version": 1}
        )

        assert response.status_code == 403
        customer.refresh_from_db()
        assert customer.first_name == "Grace"

    def test_operations_see_who_changed_which_fields(self, operations, operations_user):
        customer = CustomerFactory()
        customer_update(
            customer=customer,
            expected_version=1,
            changes={"nickname": "Amazing Grace"},
            actor=SYSTEM,
            channel=Channel.API,
        )

        response = operations.get(change_url(customer))

        [history] = [
            inline.formset
            for inline in response.context["inline_admin_formsets"]
            if inline.opts.model is CustomerChange
        ]
        [record] = [form.instance for form in history.forms]
        assert (record.fields, record.channel) == (["nickname"], Channel.API)
        assert "Profile changes" in response.content.decode()


class TestNothingIsDeletedOrAdded:
    def test_no_bulk_actions(self, operations):
        CustomerFactory()

        response = operations.get(LIST_URL)

        assert response.context["action_form"] is None
        assert "delete_selected" not in response.content.decode()

    @pytest.mark.parametrize("suffix", ["add/", "{pk}/delete/"])
    def test_add_and_delete_pages_are_refused(self, client, suffix):
        customer = CustomerFactory()
        client.force_login(StaffUserFactory(is_superuser=True))

        response = client.post(
            LIST_URL + suffix.format(pk=customer.pk), {"post": "yes"}
        )

        assert response.status_code == 403
        assert Customer.objects.filter(pk=customer.pk).exists()


class TestDeactivation:
    def test_operations_deactivate_with_a_reason(self, operations, operations_user):
        customer = CustomerFactory()

        response = operations.post(
            change_url(customer).replace("change/", "deactivate/"),
            {"reason": "Customer asked to close the profile."},
        )

        assert response.status_code == 302
        customer.refresh_from_db()
        assert not customer.is_active
        change = CustomerChange.objects.get(customer=customer)
        assert (change.actor_user, change.reason) == (
            operations_user,
            "Customer asked to close the profile.",
        )
        assert messages_of(response) == [f"{customer} was deactivated."]

    def test_operations_reactivate_with_a_reason(self, operations):
        customer = CustomerFactory(is_active=False)

        operations.post(
            change_url(customer).replace("change/", "reactivate/"),
            {"reason": "Closed by mistake."},
        )

        customer.refresh_from_db()
        assert customer.is_active

    def test_a_reason_is_required(self, operations):
        customer = CustomerFactory()

        response = operations.post(
            change_url(customer).replace("change/", "deactivate/"), {"reason": " "}
        )

        assert response.status_code == 200
        assert "reason" in response.context["form"].errors
        customer.refresh_from_db()
        assert customer.is_active

    def test_deactivating_an_inactive_customer_says_so_and_records_nothing(
        self, operations
    ):
        customer = CustomerFactory(is_active=False)

        response = operations.post(
            change_url(customer).replace("change/", "deactivate/"), {"reason": "x"}
        )

        assert messages_of(response) == [f"{customer} is already inactive."]
        assert not CustomerChange.objects.filter(customer=customer).exists()

    def test_the_confirmation_page_changes_nothing(self, operations):
        customer = CustomerFactory()

        response = operations.get(
            change_url(customer).replace("change/", "deactivate/")
        )

        assert response.status_code == 200
        customer.refresh_from_db()
        assert customer.is_active

    @pytest.mark.parametrize("action", ["deactivate", "reactivate"])
    def test_support_cannot_change_the_active_flag(self, support, action):
        customer = CustomerFactory(is_active=action == "reactivate")

        response = support.post(
            change_url(customer).replace("change/", f"{action}/"), {"reason": "x"}
        )

        assert response.status_code == 403
        customer.refresh_from_db()
        assert customer.is_active == (action == "reactivate")

    def test_the_button_matches_the_current_state(self, operations):
        active = CustomerFactory()
        inactive = CustomerFactory(is_active=False)

        active_page = operations.get(change_url(active)).content.decode()
        inactive_page = operations.get(change_url(inactive)).content.decode()

        assert "/deactivate/" in active_page
        assert "/reactivate/" not in active_page
        assert "/reactivate/" in inactive_page
        assert "/deactivate/" not in inactive_page

    def test_support_sees_no_button(self, support):
        customer = CustomerFactory()

        page = support.get(change_url(customer)).content.decode()

        assert "/deactivate/" not in page


@pytest.mark.postgres
class TestSearchIndexes:
    """The admin's searches and filters, as it sends them, use indexes."""

    @staticmethod
    def plan_of(sql: str) -> tuple[set[str], set[str]]:
        """Node types and index names of the plan of ``sql``."""
        with connection.cursor() as cursor:
            # On a small table a sequential scan is cheapest, so the plan
            # would say nothing about the indexes; forbidding sequential
            # and plain index scans (SET LOCAL: this test's transaction
            # only) leaves bitmap index scans, possible only where an
            # index matches every part of the condition.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        nodes, indexes = set(), set()
        pending = [plan[0]["Plan"]]
        while pending:
            node = pending.pop()
            nodes.add(node["Node Type"])
            if "Index Name" in node:
                indexes.add(node["Index Name"])
            pending.extend(node.get("Plans", []))
        return nodes, indexes

    @staticmethod
    def list_sql(client, params: dict) -> str:
        """The query of the list page itself, as the admin sent it."""
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST_URL, params)
        assert response.status_code == 200
        [sql] = [
            q["sql"]
            for q in queries
            if q["sql"].startswith('SELECT "customers_customer"."id"')
            and "ORDER BY" in q["sql"]
        ]
        return sql

    @pytest.mark.parametrize("term", ["Hopper", "grace@example.com", "Grace Hopper"])
    def test_every_search_field_of_operations_has_an_index(self, operations, term):
        CustomerFactory.create_batch(20)

        nodes, indexes = self.plan_of(self.list_sql(operations, {"q": term}))

        assert "Seq Scan" not in nodes
        assert {
            "customer_first_name_trgm",
            "customer_last_name_trgm",
            "customer_email_ci_unique",
            "customer_phone",
        } <= indexes
        assert any("external_id" in name for name in indexes)

    def test_every_search_field_of_support_has_an_index(self, support):
        CustomerFactory.create_batch(20)

        nodes, indexes = self.plan_of(self.list_sql(support, {"q": "Hopper"}))

        assert "Seq Scan" not in nodes
        assert {"customer_first_name_trgm", "customer_last_name_trgm"} <= indexes
        assert "customer_email_ci_unique" not in indexes

    @pytest.mark.parametrize(
        ("params", "index"),
        [
            ({"kyc_status__exact": "failed"}, "customer_kyc_status_newest"),
            ({"is_active__exact": "0"}, "customer_inactive_newest"),
        ],
    )
    def test_the_rare_filters_have_an_index(self, operations, params, index):
        CustomerFactory.create_batch(20)

        nodes, indexes = self.plan_of(self.list_sql(operations, params))

        assert "Seq Scan" not in nodes
        assert index in indexes
