"""GET /api/v1/customers: filtered, newest first, in cursor pages."""

import base64
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.factories import CustomerFactory
from customers.models import Customer
from tests.conftest import bearer

URL = "/api/v1/customers"
T0 = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def created(customer, at: datetime):
    Customer.objects.filter(pk=customer.pk).update(created_at=at)
    return customer


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def public_ids(*customers) -> list[str]:
    return [str(customer.public_id) for customer in customers]


def cursor_of(position: str) -> str:
    """A cursor as the paginator encodes one, at any position."""
    return base64.b64encode(urlencode({"p": position}).encode()).decode()


@pytest.fixture
def reader(service_token):
    return bearer(service_token("customers:read"))


@pytest.mark.django_db
class TestOrderAndPages:
    def test_newest_first_and_ties_by_the_later_row(self, reader):
        old = created(CustomerFactory(), T0)
        tie_a = created(CustomerFactory(), T0 + timedelta(days=1))
        tie_b = created(CustomerFactory(), T0 + timedelta(days=1))
        new = created(CustomerFactory(), T0 + timedelta(days=2))

        assert ids(reader.get(URL)) == public_ids(new, tie_b, tie_a, old)

    def test_pages_follow_each_other_without_gaps_or_repeats(self, reader):
        everyone = [
            created(CustomerFactory(), T0 + timedelta(minutes=n // 2)) for n in range(7)
        ]

        seen, page = [], reader.get(URL, {"pageSize": 3})
        while True:
            seen += ids(page)
            if not page.json()["next"]:
                break
            page = reader.get(page.json()["next"])

        assert seen == public_ids(*reversed(everyone))

    def test_a_profile_created_while_paging_does_not_shift_the_pages(self, reader):
        first = [
            created(CustomerFactory(), T0 + timedelta(minutes=n)) for n in range(4)
        ]
        page_one = reader.get(URL, {"pageSize": 2})

        created(CustomerFactory(), T0 + timedelta(days=1))
        page_two = reader.get(page_one.json()["next"])

        assert ids(page_one) + ids(page_two) == public_ids(*reversed(first))

    def test_a_page_costs_one_query_besides_the_token(self, reader):
        CustomerFactory.create_batch(5)

        with CaptureQueriesContext(connection) as queries:
            response = reader.get(URL, {"pageSize": 2})

        assert len(ids(response)) == 2
        assert len(queries.captured_queries) == 2

    def test_a_cursor_at_a_creation_time_continues_from_there(self, reader):
        newer = created(CustomerFactory(), T0 + timedelta(days=1))
        older = created(CustomerFactory(), T0 - timedelta(days=1))

        response = reader.get(URL, {"cursor": cursor_of(T0.isoformat())})

        assert ids(response) == public_ids(older)
        assert str(newer.public_id) not in ids(response)

    @pytest.mark.parametrize(("size", "count"), [("1", 1), ("200", 3), ("3", 3)])
    def test_page_size_takes_1_to_200(self, reader, size, count):
        CustomerFactory.create_batch(3)

        assert len(ids(reader.get(URL, {"pageSize": size}))) == count

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ({"cursor": "garbage"}, "cursor"),
            # Well-formed cursors whose position is not a creation time.
            ({"cursor": cursor_of("2026")}, "cursor"),
            ({"cursor": cursor_of("2026-01-10")}, "cursor"),
            ({"cursor": cursor_of("2026-01-10 12:00:00")}, "cursor"),
            ({"cursor": cursor_of("2026-13-45T00:00:00+00:00")}, "cursor"),
            ({"cursor": cursor_of("\x00")}, "cursor"),
            ({"pageSize": "0"}, "pageSize"),
            ({"pageSize": "-1"}, "pageSize"),
            ({"pageSize": "abc"}, "pageSize"),
            ({"pageSize": "201"}, "pageSize"),
            ({"pageSize": "100000"}, "pageSize"),
            ({"pageSize": "2.5"}, "pageSize"),
            ({"pageSize": ""}, "pageSize"),
            ({"kycStatus": "approved"}, "kycStatus"),
            ({"isActive": "maybe"}, "isActive"),
            ({"country": "XX"}, "country"),
            ({"createdAfter": "yesterday"}, "createdAfter"),
            ({"sort": "email"}, "sort"),
            ({"kyc_status": "pending"}, "kyc_status"),
        ],
    )
    def test_a_bad_parameter_gives_400_naming_it(self, reader, query, field):
        response = reader.get(URL, query)

        assert response.status_code == 400
        assert response.json()["code"] == "validation_error"
        assert field in {error["field"] for error in response.json()["errors"]}


@pytest.mark.django_db
class TestFilters:
    def test_by_kyc_status(self, reader):
        verified = CustomerFactory()
        CustomerFactory()
        Customer.objects.filter(pk=verified.pk).update(kyc_status="verified")

        assert ids(reader.get(URL, {"kycStatus": "verified"})) == public_ids(verified)

    def test_by_country_in_any_letter_case(self, reader):
        french = CustomerFactory(address_country="FR")
        CustomerFactory(address_country="DE")

        assert ids(reader.get(URL, {"country": "fr"})) == public_ids(french)

    def test_by_creation_time(self, reader):
        created(CustomerFactory(), T0)
        middle = created(CustomerFactory(), T0 + timedelta(days=1))
        created(CustomerFactory(), T0 + timedelta(days=2))

        response = reader.get(
            URL,
            {
                "createdAfter": (T0 + timedelta(hours=1)).isoformat(),
                "createdBefore": (T0 + timedelta(days=2)).isoformat(),
            },
        )

        assert ids(response) == public_ids(middle)

    def test_search_needs_every_word_in_some_name(self, reader):
        ada = CustomerFactory(first_name="Ada", last_name="Lovelace")
        CustomerFactory(first_name="Ada", last_name="Byron")
        CustomerFactory(first_name="Grace", last_name="Hopper", nickname="lovelace")

        assert ids(reader.get(URL, {"search": "ada LOVE"})) == public_ids(ada)

    def test_search_by_email_only_for_callers_with_contact_data(self, service_token):
        jane = CustomerFactory(email="jane.doe@example.com", first_name="J")
        pii_reader = bearer(service_token("customers:read", "customers:read_pii"))
        plain_reader = bearer(service_token("customers:read"))

        assert ids(pii_reader.get(URL, {"search": "jane.doe@"})) == public_ids(jane)
        assert ids(plain_reader.get(URL, {"search": "jane.doe@"})) == []

    def test_services_never_see_closed_profiles(self, reader):
        active = CustomerFactory()
        CustomerFactory(is_active=False)

        assert ids(reader.get(URL)) == public_ids(active)
        assert ids(reader.get(URL, {"isActive": "false"})) == []

    def test_staff_see_closed_profiles_and_can_filter_them(self, staff_client):
        CustomerFactory()
        closed = CustomerFactory(is_active=False)
        client = staff_client("customers.view_customer")

        assert len(ids(client.get(URL))) == 2
        assert ids(client.get(URL, {"isActive": "false"})) == public_ids(closed)


@pytest.mark.django_db
class TestWhoMayList:
    def test_readers_get_no_contact_data(self, reader):
        CustomerFactory()

        item = reader.get(URL).json()["results"][0]

        assert not {"email", "phone", "address"} & set(item)

    def test_contact_data_needs_the_pii_scope(self, service_token):
        CustomerFactory()
        client = bearer(service_token("customers:read", "customers:read_pii"))

        item = client.get(URL).json()["results"][0]

        assert {"email", "phone", "address"} <= set(item)

    def test_without_credentials_the_answer_is_401(self, api_client):
        assert api_client.get(URL).status_code == 401

    @pytest.mark.parametrize("scopes", [("customers:exists",), ("kyc:decide",)])
    def test_a_service_without_read_scope_gets_403(self, service_token, scopes):
        assert bearer(service_token(*scopes)).get(URL).status_code == 403

    def test_a_customer_gets_403(self, customer_token):
        assert bearer(customer_token(CustomerFactory())).get(URL).status_code == 403
