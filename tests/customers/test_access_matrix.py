"""Every API endpoint by every kind of caller: status, and what reads show.

One row per endpoint, one column per caller. A new endpoint under /api/v1/
makes ``test_every_api_endpoint_has_a_row`` fail until its row is added:
give it a ``Call`` (how to reach it) and a ``Row`` (what each caller gets;
``Row`` has no defaults, so no caller can be forgotten).

The profile acted on is always the owner's; "other customer" is another
signed-in customer.
"""

import itertools
from collections.abc import Callable
from dataclasses import dataclass, fields

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from oauth2_provider.models import AccessToken
from rest_framework.test import APIClient

from customer_service.models import ServiceClient
from customers.factories import CustomerFactory, KycEventFactory, StaffUserFactory
from tests.conftest import PROFILE_FIELDS, PROFILE_WITHOUT_CONTACT, STAFF_ROLES, bearer

EVENT_FOR_OWNER = frozenset(
    {"transition", "fromState", "toState", "actor", "channel", "createdAt"}
)
EVENT = EVENT_FOR_OWNER | {"reason", "reference"}
EVENT_WITH_NOTE = EVENT | {"note"}
# A KYC decision shows the decided customer as far as the caller may read.
DECIDED = frozenset({"id", "kycStatus"})

# Routes that are not part of the API's access model.
NOT_ENDPOINTS = {"api/v1/schema", "api/v1/docs"}


@dataclass(frozen=True)
class Ok:
    """A successful read, and the exact fields it shows."""

    status: int
    fields: frozenset[str]


Expect = int | Ok


@dataclass(frozen=True)
class Row:
    anonymous: Expect
    owner: Expect
    other_customer: Expect
    read: Expect
    read_pii: Expect
    exists: Expect
    kyc_decide: Expect
    read_with_pii: Expect
    support: Expect
    operations: Expect
    superuser: Expect


CALLERS = [field.name for field in fields(Row)]
SERVICE_SCOPES = {
    "read": ("customers:read",),
    "exists": ("customers:exists",),
    "kyc_decide": ("kyc:decide",),
    "read_with_pii": ("customers:read", "customers:read_pii"),
}


class World:
    """The owner's profile, and a way to call the API as anyone."""

    def __init__(self, customer_token, service_token):
        self.owner = CustomerFactory(external_id="crm:owner")
        KycEventFactory(
            customer=self.owner, reason_code="other", reference="case-1", note="x"
        )
        self.other = CustomerFactory()
        self.customer_token = customer_token
        self.service_token = service_token
        self.emails = itertools.count()

    def client(self, caller: str) -> APIClient:
        if caller == "anonymous":
            return APIClient()
        if caller == "owner":
            return bearer(self.customer_token(self.owner))
        if caller == "other_customer":
            return bearer(self.customer_token(self.other))
        if caller == "read_pii":
            # Not grantable alone; a client set up so by hand reads nothing.
            token = self.service_token("customers:read")
            ServiceClient.objects.filter(scopes="customers:read").update(
                scopes="customers:read_pii"
            )
            AccessToken.objects.filter(user=None).update(scope="customers:read_pii")
            return bearer(token)
        if caller in SERVICE_SCOPES:
            return bearer(self.service_token(*SERVICE_SCOPES[caller]))
        client = APIClient()
        client.force_login(
            {
                "support": lambda: StaffUserFactory(permissions=STAFF_ROLES["Support"]),
                "operations": lambda: StaffUserFactory(
                    permissions=STAFF_ROLES["Operations"]
                ),
                "superuser": lambda: StaffUserFactory(is_superuser=True),
            }[caller]()
        )
        return client

    def new_email(self) -> str:
        return f"matrix-{next(self.emails)}@example.com"


@dataclass(frozen=True)
class Call:
    path: Callable[[World], str]
    body: Callable[[World], dict] | None = None
    headers: dict[str, str] | None = None
    # Where a read's fields are: the body, or its first item.
    fields: Callable[[dict], set[str]] = lambda body: set(body)


def profile_path(suffix: str = "") -> Callable[[World], str]:
    return lambda world: f"/api/v1/customers/{world.owner.public_id}{suffix}"


def signup_body(world: World) -> dict:
    return {
        "firstName": "Matrix",
        "lastName": "Test",
        "email": world.new_email(),
        "phone": "+442071838750",
        "address": {
            "line1": "1 Test Street",
            "city": "London",
            "postalCode": "N1 1AA",
            "country": "GB",
        },
    }


ENDPOINTS: dict[tuple[str, str], tuple[Call, Row]] = {
    ("POST", "api/v1/customers"): (
        Call(path=lambda world: "/api/v1/customers", body=signup_body),
        # Sign-up is open to anyone by design; credentials are not read.
        Row(
            anonymous=201,
            owner=201,
            other_customer=201,
            read=201,
            read_pii=201,
            exists=201,
            kyc_decide=201,
            read_with_pii=201,
            support=201,
            operations=201,
            superuser=201,
        ),
    ),
    ("GET", "api/v1/customers"): (
        Call(
            path=lambda world: "/api/v1/customers",
            fields=lambda body: set(body["results"][0]),
        ),
        Row(
            anonymous=401,
            owner=403,
            other_customer=403,
            read=Ok(200, PROFILE_WITHOUT_CONTACT),
            read_pii=403,
            exists=403,
            kyc_decide=403,
            read_with_pii=Ok(200, PROFILE_FIELDS),
            support=Ok(200, PROFILE_WITHOUT_CONTACT),
            operations=Ok(200, PROFILE_FIELDS),
            superuser=Ok(200, PROFILE_FIELDS),
        ),
    ),
    ("GET", "api/v1/customers/exists"): (
        Call(path=lambda world: f"/api/v1/customers/exists?email={world.owner.email}"),
        Row(
            anonymous=401,
            owner=403,
            other_customer=403,
            read=403,
            read_pii=403,
            exists=Ok(200, frozenset({"exists"})),
            kyc_decide=403,
            read_with_pii=403,
            support=Ok(200, frozenset({"exists"})),
            operations=Ok(200, frozenset({"exists"})),
            superuser=Ok(200, frozenset({"exists"})),
        ),
    ),
    ("GET", "api/v1/customers/me"): (
        Call(path=lambda world: "/api/v1/customers/me"),
        Row(
            anonymous=401,
            owner=Ok(200, PROFILE_FIELDS),
            other_customer=Ok(200, PROFILE_FIELDS),
            read=403,
            read_pii=403,
            exists=403,
            kyc_decide=403,
            read_with_pii=403,
            support=403,
            operations=403,
            superuser=403,
        ),
    ),
    ("PATCH", "api/v1/customers/me"): (
        Call(
            path=lambda world: "/api/v1/customers/me",
            body=lambda world: {"nickname": "Matrix"},
            headers={"If-Match": '"1"'},
        ),
        Row(
            anonymous=401,
            owner=200,
            other_customer=200,
            read=403,
            read_pii=403,
            exists=403,
            kyc_decide=403,
            read_with_pii=403,
            support=403,
            operations=403,
            superuser=403,
        ),
    ),
    ("DELETE", "api/v1/customers/me"): (
        Call(path=lambda world: "/api/v1/customers/me"),
        Row(
            anonymous=401,
            owner=204,
            other_customer=204,
            read=403,
            read_pii=403,
            exists=403,
            kyc_decide=403,
            read_with_pii=403,
            support=403,
            operations=403,
            superuser=403,
        ),
    ),
    ("GET", "api/v1/customers/<str:id>"): (
        Call(path=profile_path()),
        Row(
            anonymous=401,
            owner=Ok(200, PROFILE_FIELDS),
            other_customer=403,
            read=Ok(200, PROFILE_WITHOUT_CONTACT),
            read_pii=403,
            exists=403,
            kyc_decide=403,
            read_with_pii=Ok(200, PROFILE_FIELDS),
            support=Ok(200, PROFILE_WITHOUT_CONTACT),
            operations=Ok(200, PROFILE_FIELDS),
            superuser=Ok(200, PROFILE_FIELDS),
        ),
    ),
    ("PATCH", "api/v1/customers/<str:id>"): (
        Call(
            path=profile_path(),
            body=lambda world: {"nickname": "Matrix"},
            headers={"If-Match": '"1"'},
        ),
        Row(
            anonymous=401,
            owner=200,
            other_customer=403,
            read=403,
            read_pii=403,
            exists=403,
            kyc_decide=403,
            read_with_pii=403,
            support=403,
            operations=403,
            superuser=403,
        ),
    ),
    ("GET", "api/v1/customers/by-external-id/<str:externalId>"): (
        Call(path=lambda world: "/api/v1/customers/by-external-id/crm:owner"),
        Row(
            anonymous=401,
            owner=Ok(200, PROFILE_FIELDS),
            other_customer=403,
            read=Ok(200, PROFILE_WITHOUT_CONTACT),
            read_pii=403,
            exists=403,
            kyc_decide=403,
            read_with_pii=Ok(200, PROFILE_FIELDS),
            support=Ok(200, PROFILE_WITHOUT_CONTACT),
            operations=Ok(200, PROFILE_FIELDS),
            superuser=Ok(200, PROFILE_FIELDS),
        ),
    ),
    ("POST", "api/v1/customers/<str:id>/kyc/approve"): (
        Call(
            path=profile_path("/kyc/approve"),
            body=lambda world: {},
            fields=lambda body: set(body["customer"]),
        ),
        Row(
            anonymous=401,
            owner=403,
            other_customer=403,
            read=403,
            read_pii=403,
            exists=403,
            kyc_decide=Ok(200, DECIDED),
            read_with_pii=403,
            support=403,
            operations=Ok(200, PROFILE_FIELDS),
            superuser=Ok(200, PROFILE_FIELDS),
        ),
    ),
    ("POST", "api/v1/customers/<str:id>/kyc/fail"): (
        Call(
            path=profile_path("/kyc/fail"),
            body=lambda world: {"reason": "other"},
            fields=lambda body: set(body["customer"]),
        ),
        Row(
            anonymous=401,
            owner=403,
            other_customer=403,
            read=403,
            read_pii=403,
            exists=403,
            kyc_decide=Ok(200, DECIDED),
            read_with_pii=403,
            support=403,
            operations=Ok(200, PROFILE_FIELDS),
            superuser=Ok(200, PROFILE_FIELDS),
        ),
    ),
    ("GET", "api/v1/customers/<str:id>/kyc/history"): (
        Call(
            path=profile_path("/kyc/history"),
            fields=lambda body: set(body["events"][0]),
        ),
        Row(
            anonymous=401,
            owner=Ok(200, EVENT_FOR_OWNER),
            other_customer=403,
            read=Ok(200, EVENT),
            read_pii=403,
            exists=403,
            kyc_decide=403,
            read_with_pii=Ok(200, EVENT_WITH_NOTE),
            support=Ok(200, EVENT),
            operations=Ok(200, EVENT_WITH_NOTE),
            superuser=Ok(200, EVENT_WITH_NOTE),
        ),
    ),
    ("POST", "api/v1/auth/activate"): (
        # Open to anyone by design: the emailed link is the credential. A
        # made-up link fails the same way for every caller.
        Call(
            path=lambda world: "/api/v1/auth/activate",
            body=lambda world: {
                "uid": "bm90LWEtdWlk",
                "token": "abc-123",
                "password": "a long enough password 42",
            },
        ),
        Row(
            anonymous=400,
            owner=400,
            other_customer=400,
            read=400,
            read_pii=400,
            exists=400,
            kyc_decide=400,
            read_with_pii=400,
            support=400,
            operations=400,
            superuser=400,
        ),
    ),
    ("POST", "api/v1/auth/activation/resend"): (
        # Open to anyone by design, with one answer whatever the email: it
        # must not tell who is a customer, so credentials change nothing.
        Call(
            path=lambda world: "/api/v1/auth/activation/resend",
            body=lambda world: {"email": world.owner.email},
        ),
        Row(
            anonymous=Ok(202, frozenset({"message"})),
            owner=Ok(202, frozenset({"message"})),
            other_customer=Ok(202, frozenset({"message"})),
            read=Ok(202, frozenset({"message"})),
            read_pii=Ok(202, frozenset({"message"})),
            exists=Ok(202, frozenset({"message"})),
            kyc_decide=Ok(202, frozenset({"message"})),
            read_with_pii=Ok(202, frozenset({"message"})),
            support=Ok(202, frozenset({"message"})),
            operations=Ok(202, frozenset({"message"})),
            superuser=Ok(202, frozenset({"message"})),
        ),
    ),
}


def routes(patterns, prefix: str = ""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


def api_endpoints() -> set[tuple[str, str]]:
    """(method, route) for every handler under /api/v1/."""
    found = set()
    for route, callback in routes(get_resolver().url_patterns):
        if not route.startswith("api/v1/") or route in NOT_ENDPOINTS:
            continue
        view = getattr(callback, "cls", None) or callback.view_class
        for method in ("get", "post", "put", "patch", "delete"):
            if hasattr(view, method):
                found.add((method.upper(), route))
    return found


def test_every_api_endpoint_has_a_row():
    assert api_endpoints() == set(ENDPOINTS)


@pytest.fixture
def world(customer_token, service_token) -> World:
    return World(customer_token, service_token)


@pytest.mark.django_db
@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(
    "endpoint", list(ENDPOINTS), ids=[f"{m} /{route}" for m, route in ENDPOINTS]
)
def test_access_matrix(world, endpoint, caller):
    method, _ = endpoint
    call, row = ENDPOINTS[endpoint]
    expected = getattr(row, caller)

    send = getattr(world.client(caller), method.lower())
    response = send(
        call.path(world),
        None if call.body is None else call.body(world),
        format="json",
        headers=call.headers,
    )

    status = expected.status if isinstance(expected, Ok) else expected
    assert response.status_code == status, response.content
    if isinstance(expected, Ok):
        assert call.fields(response.json()) == expected.fields
