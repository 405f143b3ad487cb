"""Reading one profile: by id, by externalId, and the caller's own."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from oauth2_provider.models import AccessToken

from customer_service.models import ServiceClient
from customers.factories import CustomerFactory
from tests.conftest import PROFILE_FIELDS, PROFILE_WITHOUT_CONTACT, bearer


def url(customer) -> str:
    return f"/api/v1/customers/{customer.public_id}"


@pytest.fixture
def customer(db):
    return CustomerFactory(external_id="crm:1001", nickname="Bee")


def assert_problem(response, status: int, code: str, detail: str | None = None):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code
    if detail is not None:
        assert body["detail"] == detail


@pytest.mark.django_db
class TestGetById:
    def test_the_owner_sees_everything_and_the_etag(self, customer, customer_token):
        response = bearer(customer_token(customer)).get(url(customer))

        assert response.status_code == 200
        body = response.json()
        assert set(body) == PROFILE_FIELDS
        assert body["id"] == str(customer.public_id)
        assert body["email"] == customer.email
        assert body["address"]["country"] == str(customer.address_country)
        assert response["ETag"] == '"1"'

    def test_read_scope_sees_the_profile_without_contact_data(
        self, customer, service_token
    ):
        response = bearer(service_token("customers:read")).get(url(customer))

        assert response.status_code == 200
        assert set(response.json()) == PROFILE_WITHOUT_CONTACT
        assert response["ETag"] == '"1"'

    def test_read_pii_scope_adds_contact_data(self, customer, service_token):
        token = service_token("customers:read", "customers:read_pii")

        response = bearer(token).get(url(customer))

        assert response.status_code == 200
        assert set(response.json()) == PROFILE_FIELDS

    def test_the_version_and_database_key_never_leave(self, customer, service_token):
        token = service_token("customers:read", "customers:read_pii")

        body = bearer(token).get(url(customer)).json()

        assert "version" not in body
        assert str(customer.pk) not in {str(value) for value in body.values()}

    @pytest.mark.parametrize(
        "scopes", [(), ("customers:exists",), ("kyc:decide",), ("introspection",)]
    )
    def test_a_service_without_read_scope_gets_403(
        self, customer, service_token, scopes
    ):
        response = bearer(service_token(*scopes)).get(url(customer))

        assert_problem(response, 403, "permission_denied")

    def test_another_customer_gets_403(self, customer, customer_token):
        other = CustomerFactory()

        response = bearer(customer_token(other)).get(url(customer))

        assert_problem(response, 403, "permission_denied")

    def test_without_credentials_the_answer_is_401_with_a_bearer_challenge(
        self, customer, api_client
    ):
        response = api_client.get(url(customer))

        assert_problem(response, 401, "not_authenticated")
        assert response["WWW-Authenticate"].startswith("Bearer")

    def test_an_unknown_token_gives_401(self, customer):
        response = bearer("not-a-token").get(url(customer))

        assert_problem(response, 401, "not_authenticated")
        assert 'error="invalid_token"' in response["WWW-Authenticate"]

    def test_an_expired_token_gives_401(self, customer, service_token):
        token = service_token("customers:read")
        AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))

        response = bearer(token).get(url(customer))

        assert_problem(response, 401, "not_authenticated")

    def test_a_token_in_the_query_string_is_refused(
        self, customer, service_token, api_client
    ):
        token = service_token("customers:read")

        response = api_client.get(f"{url(customer)}?access_token={token}")

        assert_problem(response, 401, "not_authenticated")

    @pytest.mark.parametrize(
        "ref",
        [
            str(uuid.uuid4()),
            "not-a-uuid",
            "12345",
            uuid.uuid4().hex,
            "{" + str(uuid.uuid4()) + "}",
        ],
    )
    def test_an_unknown_or_malformed_id_gives_404(self, ref, service_token):
        response = bearer(service_token("customers:read")).get(
            f"/api/v1/customers/{ref}"
        )

        assert_problem(response, 404, "not_found", "Not found.")

    def test_an_id_in_capitals_finds_the_profile(self, customer, service_token):
        response = bearer(service_token("customers:read")).get(
            f"/api/v1/customers/{str(customer.public_id).upper()}"
        )

        assert response.status_code == 200

    def test_a_closed_profile_is_not_available_to_services(
        self, customer, service_token
    ):
        customer.is_active = False
        customer.save()

        response = bearer(service_token("customers:read")).get(url(customer))

        assert_problem(response, 404, "profile_not_available", "Profile not available.")

    def test_staff_who_may_view_still_see_a_closed_profile(
        self, customer, staff_client
    ):
        customer.is_active = False
        customer.save()

        response = staff_client("customers.view_customer").get(url(customer))

        assert response.status_code == 200
        assert response.json()["isActive"] is False
        assert set(response.json()) == PROFILE_WITHOUT_CONTACT

    def test_staff_with_the_pii_permission_see_contact_data(
        self, customer, staff_client
    ):
        client = staff_client("customers.view_customer", "customers.view_customer_pii")

        response = client.get(url(customer))

        assert set(response.json()) == PROFILE_FIELDS

    def test_staff_without_the_view_permission_get_403(self, customer, staff_client):
        response = staff_client().get(url(customer))

        assert_problem(response, 403, "permission_denied")

    def test_a_grant_narrowed_after_the_token_was_issued_applies_at_once(
        self, customer, service_token
    ):
        token = service_token("customers:read")
        ServiceClient.objects.update(scopes="customers:exists")

        response = bearer(token).get(url(customer))

        assert_problem(response, 403, "permission_denied")


@pytest.mark.django_db
class TestGetByExternalId:
    def test_a_reader_finds_the_profile(self, customer, service_token):
        response = bearer(service_token("customers:read")).get(
            "/api/v1/customers/by-external-id/crm:1001"
        )

        assert response.status_code == 200
        assert response.json()["id"] == str(customer.public_id)
        assert set(response.json()) == PROFILE_WITHOUT_CONTACT
        assert response["ETag"] == '"1"'

    def test_the_owner_finds_their_own_profile(self, customer, customer_token):
        response = bearer(customer_token(customer)).get(
            "/api/v1/customers/by-external-id/crm:1001"
        )

        assert response.status_code == 200
        assert set(response.json()) == PROFILE_FIELDS

    def test_another_customer_gets_403(self, customer, customer_token):
        response = bearer(customer_token(CustomerFactory())).get(
            "/api/v1/customers/by-external-id/crm:1001"
        )

        assert_problem(response, 403, "permission_denied")

    @pytest.mark.parametrize("external_id", ["crm:9999", "bad%20id", "x" * 65])
    def test_an_unknown_or_malformed_external_id_gives_404(
        self, customer, service_token, external_id
    ):
        response = bearer(service_token("customers:read")).get(
            f"/api/v1/customers/by-external-id/{external_id}"
        )

        assert_problem(response, 404, "not_found", "Not found.")

    def test_a_closed_profile_is_not_available_to_services(
        self, customer, service_token
    ):
        customer.is_active = False
        customer.save()

        response = bearer(service_token("customers:read")).get(
            "/api/v1/customers/by-external-id/crm:1001"
        )

        assert_problem(response, 404, "profile_not_available", "Profile not available.")


@pytest.mark.django_db
class TestGetMe:
    def test_the_signed_in_customer_reads_their_profile(self, customer, customer_token):
        response = bearer(customer_token(customer)).get("/api/v1/customers/me")

        assert response.status_code == 200
        assert response.json()["id"] == str(customer.public_id)
        assert set(response.json()) == PROFILE_FIELDS
        assert response["ETag"] == '"1"'

    def test_a_service_has_no_own_profile(self, service_token):
        token = service_token("customers:read", "customers:read_pii")

        response = bearer(token).get("/api/v1/customers/me")

        assert_problem(response, 403, "permission_denied")

    def test_staff_have_no_own_profile(self, staff_client):
        response = staff_client(superuser=True).get("/api/v1/customers/me")

        assert_problem(response, 403, "permission_denied")

    def test_without_credentials_the_answer_is_401(self, api_client):
        assert_problem(api_client.get("/api/v1/customers/me"), 401, "not_authenticated")


@pytest.mark.django_db
class TestCost:
    """One query to authenticate (token, client, user and profile at once)
    and at most one for the profile."""

    def queries_of(self, client, path: str) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, response.content
        return [query["sql"] for query in queries.captured_queries]

    def test_get_by_id_runs_one_query_besides_the_token(self, customer, service_token):
        client = bearer(service_token("customers:read", "customers:read_pii"))

        queries = self.queries_of(client, url(customer))

        assert len(queries) == 2
        assert "oauth2_provider_accesstoken" in queries[0]
        assert "customers_customer" in queries[1]

    def test_get_by_external_id_runs_one_query_besides_the_token(
        self, customer, service_token
    ):
        client = bearer(service_token("customers:read"))

        queries = self.queries_of(client, "/api/v1/customers/by-external-id/crm:1001")

        assert len(queries) == 2
        assert "oauth2_provider_accesstoken" in queries[0]

    def test_me_comes_with_the_token_in_one_query(self, customer, customer_token):
        client = bearer(customer_token(customer))

        queries = self.queries_of(client, "/api/v1/customers/me")

        assert len(queries) == 1
        assert "customers_customer" in queries[0]
