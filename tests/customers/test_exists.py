"""GET /api/v1/customers/exists: a boolean, for services allowed to ask."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from customer_service.throttling import CallerRateThrottle
from customers.factories import CustomerFactory
from customers.models import Customer
from tests.conftest import bearer

URL = "/api/v1/customers/exists"


@pytest.fixture
def customer(db):
    return CustomerFactory(email="Jane.Doe@example.com", external_id="crm:7")


@pytest.fixture
def asker(service_token):
    return bearer(service_token("customers:exists"))


def ask(client, **params):
    return client.get(URL, params)


@pytest.mark.django_db
class TestAnswers:
    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"email": "Jane.Doe@example.com"}, True),
            ({"email": "jane.doe@EXAMPLE.com"}, True),
            ({"email": "JANE.DOE@example.com"}, True),
            ({"email": "nobody@example.com"}, False),
            ({"externalId": "crm:7"}, True),
            ({"externalId": "crm:8"}, False),
        ],
    )
    def test_answers_only_whether_the_customer_exists(
        self, customer, asker, params, expected
    ):
        response = ask(asker, **params)

        assert response.status_code == 200
        assert response.json() == {"exists": expected}

    def test_a_closed_profile_still_exists(self, customer, asker):
        Customer.objects.update(is_active=False)

        assert ask(asker, email="jane.doe@example.com").json() == {"exists": True}

    def test_staff_who_may_view_profiles_may_ask(self, customer, staff_client):
        response = ask(
            staff_client("customers.view_customer"), email="jane.doe@example.com"
        )

        assert response.json() == {"exists": True}


@pytest.mark.django_db
class TestInvalidQueries:
    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("email=not-an-email", "email"),
            ("email=", "email"),
            ("email=" + "a" * 245 + "@example.com", "email"),
            ("externalId=", "externalId"),
            ("externalId=" + "x" * 65, "externalId"),
            ("externalId=has%20space", "externalId"),
            ("externalId=a/b", "externalId"),
            ("", None),
            ("email=a@example.com&externalId=crm:7", None),
            ("email=a@example.com&name=Jane", "name"),
            ("email=a@example.com&email=b@example.com", "email"),
        ],
    )
    def test_gives_400_problem_details_naming_the_field(self, asker, query, field):
        response = asker.get(f"{URL}?{query}")

        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"
        body = response.json()
        assert body["code"] == "validation_error"
        assert field in {error["field"] for error in body["errors"]}
        assert "exists" not in body


@pytest.mark.django_db
class TestWhoMayAsk:
    def test_without_credentials_the_answer_is_401(self, api_client):
        response = ask(api_client, email="a@example.com")

        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")

    @pytest.mark.parametrize(
        "scopes", [(), ("customers:read",), ("customers:read", "customers:read_pii")]
    )
    def test_a_service_without_the_exists_scope_gets_403(self, service_token, scopes):
        response = ask(bearer(service_token(*scopes)), email="a@example.com")

        assert response.status_code == 403

    def test_a_customer_gets_403(self, customer, customer_token):
        response = ask(bearer(customer_token(customer)), email="a@example.com")

        assert response.status_code == 403


@pytest.mark.django_db
class TestThrottling:
    @pytest.fixture(autouse=True)
    def _low_rate(self, monkeypatch):
        # DRF reads the rates once, when the throttle class is defined.
        monkeypatch.setattr(
            CallerRateThrottle, "THROTTLE_RATES", {"exists": "2/minute"}
        )

    def test_a_client_over_its_rate_gets_429_with_retry_after(self, asker):
        for _ in range(2):
            assert ask(asker, email="a@example.com").status_code == 200

        response = ask(asker, email="a@example.com")

        assert response.status_code == 429
        assert response.json()["code"] == "throttled"
        assert int(response["Retry-After"]) > 0

    def test_each_client_has_its_own_count_behind_one_address(
        self, asker, service_token
    ):
        for _ in range(3):
            ask(asker, email="a@example.com")

        other = bearer(service_token("customers:exists"))

        assert ask(other, email="a@example.com").status_code == 200

    def test_a_refused_caller_does_not_use_up_the_rate(self, service_token):
        token = service_token("customers:exists")
        for _ in range(3):
            ask(bearer("not-a-token"), email="a@example.com")

        assert ask(bearer(token), email="a@example.com").status_code == 200


@pytest.mark.django_db
class TestNoSideEffects:
    def test_it_runs_one_select_besides_the_token_and_writes_nothing(
        self, customer, asker
    ):
        with CaptureQueriesContext(connection) as queries:
            response = ask(asker, email="jane.doe@example.com")

        assert response.json() == {"exists": True}
        statements = [query["sql"] for query in queries.captured_queries]
        assert len(statements) == 2
        assert "oauth2_provider_accesstoken" in statements[0]
        assert "customers_customer" in statements[1]
        assert all(sql.lstrip().upper().startswith("SELECT") for sql in statements)

    def test_asking_leaves_the_profile_as_it_was(self, customer, asker):
        before = Customer.objects.values().get()

        ask(asker, email="jane.doe@example.com")
        ask(asker, externalId="crm:7")

        assert Customer.objects.values().get() == before


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_email_lookup_uses_the_case_insensitive_unique_index(customer):
    lookup = Customer.objects.filter(email__iexact="JANE.DOE@example.com")

    with transaction.atomic(), connection.cursor() as cursor:
        # On a tiny table a scan is cheaper; ask whether the index *can*
        # serve the query exactly as Django writes it.
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = lookup.explain()

    assert 'UPPER("customers_customer"."email"::text)' in str(lookup.query)
    assert "customer_email_ci_unique" in plan
