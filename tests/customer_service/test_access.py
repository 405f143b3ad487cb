"""Who a caller is and which scopes they hold, for every kind of caller."""

import hashlib

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from oauth2_provider.models import AccessToken

from customer_service.access import (
    ANONYMOUS,
    Caller,
    CallerKind,
    Scope,
    resolve_caller,
)
from customer_service.models import ServiceClient
from customer_service.oauth import GrantedScopes, service_client_create
from customer_service.permissions import Rule, sees_inactive, sees_pii
from customers.factories import CustomerFactory, StaffUserFactory, UserFactory
from customers.models import Customer
from tests.conftest import give_login, issue_access_token

SERVICE = CallerKind.SERVICE
STAFF = CallerKind.STAFF
CUSTOMER = CallerKind.CUSTOMER


def stored_token(raw: str) -> AccessToken:
    """The token as the API loads it, with client, user and profile."""
    checksum = hashlib.sha256(raw.encode()).hexdigest()
    return AccessToken.objects.select_related(
        "application__service_client", "user__customer"
    ).get(token_checksum=checksum)


@pytest.mark.django_db
class TestServices:
    def test_hold_the_scopes_of_their_token_and_grant(self):
        issued = service_client_create(
            name="crm", scopes=["customers:read", "customers:exists", "introspection"]
        )
        raw = issue_access_token(
            application=issued.client.application,
            scope="customers:read customers:exists introspection",
        )

        caller = resolve_caller(None, stored_token(raw))

        assert caller.kind == SERVICE
        assert caller.scopes == {Scope.READ, Scope.EXISTS}
        assert caller.application == issued.client.application
        assert caller.label == f"service:{issued.client_id}"

    def test_lose_at_once_what_their_grant_loses(self):
        issued = service_client_create(
            name="crm", scopes=["customers:read", "customers:read_pii"]
        )
        raw = issue_access_token(
            application=issued.client.application,
            scope="customers:read customers:read_pii",
        )
        ServiceClient.objects.update(scopes="customers:read")

        assert resolve_caller(None, stored_token(raw)).scopes == {Scope.READ}

    def test_never_hold_profile(self):
        issued = service_client_create(name="crm", scopes=["customers:read"])
        raw = issue_access_token(
            application=issued.client.application, scope="customers:read profile"
        )

        assert Scope.PROFILE not in resolve_caller(None, stored_token(raw)).scopes

    def test_an_application_without_a_grant_holds_nothing(self, customer_app):
        raw = issue_access_token(application=customer_app, scope="customers:read")

        caller = resolve_caller(None, stored_token(raw))

        assert caller.kind == SERVICE
        assert caller.scopes == frozenset()


@pytest.mark.django_db
class TestCustomers:
    @pytest.fixture
    def customer(self):
        customer = CustomerFactory()
        give_login(customer)
        return customer

    def test_hold_profile_and_own_their_profile(self, customer, customer_token):
        caller = resolve_caller(None, stored_token(customer_token(customer)))

        assert caller.kind == CUSTOMER
        assert caller.scopes == {Scope.PROFILE}
        assert caller.owns(customer)
        assert not caller.owns(CustomerFactory())
        assert caller.customer == customer

    @pytest.mark.parametrize(
        "change",
        [
            lambda customer: Customer.objects.filter(pk=customer.pk).update(
                is_active=False
            ),
            lambda customer: (
                type(customer.user)
                .objects.filter(pk=customer.user.pk)
                .update(is_active=False)
            ),
        ],
        ids=["closed profile", "disabled login"],
    )
    def test_are_nobody_once_closed(self, customer, customer_token, change):
        raw = customer_token(customer)
        change(customer)

        assert resolve_caller(None, stored_token(raw)) == ANONYMOUS

    def test_a_token_without_profile_scope_is_nobody(self, customer, customer_app):
        raw = issue_access_token(
            application=customer_app, user=customer.user, scope="customers:read"
        )

        assert resolve_caller(None, stored_token(raw)) == ANONYMOUS

    def test_a_user_without_a_profile_is_nobody(self, customer_app):
        raw = issue_access_token(
            application=customer_app, user=UserFactory(), scope="profile"
        )

        assert resolve_caller(None, stored_token(raw)) == ANONYMOUS


@pytest.mark.django_db
class TestStaff:
    @pytest.mark.parametrize(
        ("permissions", "scopes"),
        [
            ([], set()),
            (["customers.view_customer"], {Scope.READ, Scope.EXISTS}),
            (
                ["customers.view_customer", "customers.view_customer_pii"],
                {Scope.READ, Scope.EXISTS, Scope.READ_PII},
            ),
        ],
    )
    def test_hold_the_scopes_their_permissions_grant(self, permissions, scopes):
        caller = resolve_caller(StaffUserFactory(permissions=permissions), None)

        assert caller.kind == STAFF
        assert caller.scopes == scopes

    def test_superusers_hold_every_scope_but_profile(self):
        caller = resolve_caller(StaffUserFactory(is_superuser=True), None)

        assert caller.scopes == set(Scope) - {Scope.PROFILE}

    @pytest.mark.parametrize(
        "user",
        [
            lambda: UserFactory(),
            lambda: StaffUserFactory(is_active=False),
            lambda: AnonymousUser(),
        ],
        ids=["not staff", "inactive staff", "anonymous"],
    )
    def test_other_sessions_are_nobody(self, user):
        assert resolve_caller(user(), None) == ANONYMOUS


def caller(kind: CallerKind, *scopes: Scope) -> Caller:
    return Caller(kind=kind, scopes=frozenset(scopes), customer_pk=1)


@pytest.mark.parametrize(
    ("rule", "who", "admitted"),
    [
        (Rule.of(Scope.READ), caller(SERVICE, Scope.READ), True),
        (Rule.of(Scope.READ), caller(SERVICE, Scope.READ_PII), False),
        (Rule.of(Scope.READ), caller(STAFF, Scope.READ, Scope.EXISTS), True),
        (Rule.of(Scope.READ), caller(CUSTOMER, Scope.PROFILE), False),
        (Rule.of(Scope.READ, owner=True), caller(CUSTOMER, Scope.PROFILE), True),
        (Rule.of(owner=True), caller(SERVICE, *Scope), False),
        (Rule.of(owner=True), caller(STAFF, *Scope), False),
        (Rule.of(), caller(SERVICE, *Scope), False),
        (Rule.of(Scope.READ), ANONYMOUS, False),
        (Rule(anyone=True), ANONYMOUS, True),
    ],
)
def test_rules_admit_exactly_the_callers_they_name(rule, who, admitted):
    assert rule.admits(who) is admitted


@pytest.mark.parametrize(
    ("who", "pii", "inactive"),
    [
        (caller(CUSTOMER, Scope.PROFILE), True, False),
        (caller(SERVICE, Scope.READ), False, False),
        (caller(SERVICE, Scope.READ, Scope.READ_PII), True, False),
        (caller(SERVICE, Scope.READ_PII), False, False),
        (caller(STAFF, Scope.READ), False, True),
        (caller(STAFF, Scope.READ, Scope.READ_PII), True, True),
        (caller(STAFF, Scope.EXISTS), False, False),
    ],
)
def test_what_each_caller_sees_of_a_profile(who, pii, inactive):
    assert sees_pii(who) is pii
    assert sees_inactive(who) is inactive


@pytest.mark.django_db
class TestGrants:
    def test_the_customer_app_gets_profile_and_nothing_else(self, customer_app):
        assert GrantedScopes().get_available_scopes(customer_app) == ["profile"]
        assert GrantedScopes().get_default_scopes(customer_app) == ["profile"]

    def test_a_service_gets_its_grant(self):
        issued = service_client_create(
            name="crm", scopes=["customers:read", "customers:exists"]
        )

        available = GrantedScopes().get_available_scopes(issued.client.application)

        assert available == ["customers:exists", "customers:read"]

    @pytest.mark.parametrize(
        "scopes",
        ["profile", "customers:write", "customers:read_pii", "kyc:decide admin"],
    )
    def test_a_grant_holds_only_what_a_service_may_have(self, scopes):
        issued = service_client_create(name="crm", scopes=["customers:read"])
        issued.client.scopes = scopes

        with pytest.raises(ValidationError):
            issued.client.full_clean()
