"""A NUL character in any input is a client mistake, never a 500.

PostgreSQL cannot store or compare text holding NUL, so each input must
be refused before it reaches a query. Run on both databases: on SQLite the
answers must be the same.
"""

import base64

import pytest
from django.test import Client

from customers.accounts import account_create_for
from customers.factories import CustomerFactory
from customers.models import Customer, KycStatus
from tests.conftest import bearer

NUL = "\x00"
ADDRESS = {
    "line1": "1 Main Street",
    "city": "Dublin",
    "postalCode": "D01 F5P2",
    "country": "IE",
}
SIGNUP = {
    "firstName": "Ada",
    "lastName": "Byron",
    "email": "ada@example.com",
    "phone": "+35312345678",
    "address": ADDRESS,
}


def nul_cursor() -> str:
    return base64.b64encode(b"p=%00").decode()


@pytest.fixture
def customer(db):
    return CustomerFactory(nickname="Ada")


@pytest.fixture
def callers(customer, customer_token, service_token, api_client):
    return {
        "anyone": api_client,
        "owner": bearer(customer_token(customer)),
        "reader": bearer(service_token("customers:read", "customers:read_pii")),
        "exists": bearer(service_token("customers:exists")),
        "decider": bearer(service_token("kyc:decide")),
    }


def assert_refused(response, status: int = 400):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("caller", "url", "query"),
    [
        ("exists", "/api/v1/customers/exists", {"email": f"a{NUL}@example.com"}),
        ("exists", "/api/v1/customers/exists", {"externalId": f"crm{NUL}"}),
        ("exists", "/api/v1/customers/exists", {f"email{NUL}": "a@example.com"}),
        ("reader", "/api/v1/customers", {"search": f"Ada{NUL}"}),
        ("reader", "/api/v1/customers", {"country": f"IE{NUL}"}),
        ("reader", "/api/v1/customers", {"kycStatus": f"pending{NUL}"}),
        ("reader", "/api/v1/customers", {"isActive": f"true{NUL}"}),
        ("reader", "/api/v1/customers", {"createdAfter": f"2026-01-01{NUL}"}),
        ("reader", "/api/v1/customers", {"pageSize": f"5{NUL}"}),
        ("reader", "/api/v1/customers", {"cursor": nul_cursor()}),
        ("reader", "/api/v1/customers", {f"search{NUL}": "Ada"}),
    ],
)
def test_query_parameters_with_nul_give_400(callers, caller, url, query):
    assert_refused(callers[caller].get(url, query))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("caller", "path"),
    [
        ("reader", "/api/v1/customers/by-external-id/crm%00"),
        ("reader", "/api/v1/customers/%00"),
        ("reader", "/api/v1/customers/%00/kyc/history"),
        ("decider", "/api/v1/customers/%00/kyc/approve"),
    ],
)
def test_paths_with_nul_find_nothing(callers, caller, path):
    client = callers[caller]
    response = client.post(path) if path.endswith("approve") else client.get(path)

    assert_refused(response, 404)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {**SIGNUP, "firstName": f"Ada{NUL}"},
        {**SIGNUP, "lastName": NUL},
        {**SIGNUP, "nickname": f"A{NUL}"},
        {**SIGNUP, "email": f"ada{NUL}@example.com"},
        {**SIGNUP, "phone": f"+35312345678{NUL}"},
        {**SIGNUP, "externalId": f"crm{NUL}"},
        {**SIGNUP, "address": {**ADDRESS, "line1": NUL}},
        {**SIGNUP, "address": {**ADDRESS, "line2": NUL}},
        {**SIGNUP, "address": {**ADDRESS, "city": NUL}},
        {**SIGNUP, "address": {**ADDRESS, "region": NUL}},
        {**SIGNUP, "address": {**ADDRESS, "postalCode": NUL}},
        {**SIGNUP, "address": {**ADDRESS, "country": f"IE{NUL}"}},
        {**SIGNUP, f"firstName{NUL}": "Ada"},
    ],
)
def test_sign_up_with_nul_gives_400_and_creates_nothing(callers, customer, body):
    assert_refused(callers["anyone"].post("/api/v1/customers", body))

    assert list(Customer.objects.all()) == [customer]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "if_match"),
    [
        ({"firstName": f"Ada{NUL}"}, '"1"'),
        ({"nickname": NUL}, '"1"'),
        ({"phone": f"+35312345678{NUL}"}, '"1"'),
        ({"address": {**ADDRESS, "line2": NUL}}, '"1"'),
        ({"firstName": "Augusta"}, f'"1"{NUL}'),
    ],
)
def test_a_change_with_nul_gives_400_and_changes_nothing(
    callers, customer, body, if_match
):
    response = callers["owner"].patch(
        "/api/v1/customers/me", body, headers={"If-Match": if_match}
    )

    assert_refused(response)
    assert Customer.objects.values_list("version", flat=True).get() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("decision", "body"),
    [
        ("approve", {"reference": f"case{NUL}"}),
        ("approve", {"note": NUL}),
        ("approve", {"reason": NUL}),
        ("fail", {"reason": f"other{NUL}"}),
        ("fail", {"reason": "other", "note": NUL}),
    ],
)
def test_a_decision_with_nul_gives_400_and_decides_nothing(
    callers, customer, decision, body
):
    url = f"/api/v1/customers/{customer.public_id}/kyc/{decision}"

    assert_refused(callers["decider"].post(url, body))
    assert Customer.objects.get().kyc_status == KycStatus.PENDING


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["uid", "token", "password"])
def test_activation_with_nul_gives_400(callers, customer, field):
    account_create_for(customer)
    body = {"uid": "AAAAAAAAAAAAAAAAAAAAAA", "token": "a-b", "password": "x" * 12}

    response = callers["anyone"].post(
        "/api/v1/auth/activate", {**body, field: body[field] + NUL}
    )

    assert_refused(response)


@pytest.mark.django_db
def test_a_new_link_for_an_email_with_nul_gives_400(callers):
    response = callers["anyone"].post(
        "/api/v1/auth/activation/resend", {"email": f"ada{NUL}@example.com"}
    )

    assert_refused(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "form",
    [
        {"email": f"ada{NUL}@example.com", "password": "x" * 12},
        {"email": "ada@example.com", "password": f"pass{NUL}word"},
        {"email": "ada@example.com", "password": "x", "next": f"/oauth/{NUL}"},
    ],
)
def test_the_sign_in_page_takes_nul_as_a_failed_sign_in(customer_app, form):
    response = Client().post("/account/login/", form)

    assert response.status_code == 200
    assert b"The email or password is not correct." in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_the_activation_page_takes_nul_as_an_invalid_link(method):
    password = "violet-harbour-lantern-42"
    form = {"password": password, "password_confirm": password}

    response = getattr(Client(), method)("/account/activate/%00/a%00b/", form)

    assert response.status_code == 400
    assert b"expired or has already been used" in response.content
