"""Who is calling, and which scopes they hold: the one access model.

Three kinds of callers reach the API:

- a customer, with an OAuth access token carrying the ``profile`` scope,
  who has full access to their own profile and nothing else;
- a service, with a client-credentials token carrying its granted scopes;
- a staff member, signed in to the admin, whose Django permissions grant
  the equivalent scopes.

Views ask ``caller_of(request)`` and never look at tokens or permissions
themselves.
"""

from dataclasses import dataclass
from enum import StrEnum


class Scope(StrEnum):
    READ = "customers:read"
    READ_PII = "customers:read_pii"
    EXISTS = "customers:exists"
    KYC_DECIDE = "kyc:decide"
    PROFILE = "profile"


SCOPE_DESCRIPTIONS = {
    Scope.READ: "Read customer profiles without contact data",
    Scope.READ_PII: "Read customers' email, phone and address",
    Scope.EXISTS: "Check whether a customer exists",
    Scope.KYC_DECIDE: "Approve or fail a customer's KYC",
    Scope.PROFILE: "Read and change your own profile",
}

# Not an API scope: lets a service ask /oauth/introspect/ about a token.
INTROSPECTION_SCOPE = "introspection"

# Everything the OAuth server may put in a token.
OAUTH_SCOPES = {
    **{str(scope): text for scope, text in SCOPE_DESCRIPTIONS.items()},
    INTROSPECTION_SCOPE: "Ask whether an access token is active",
}

# What a service client may be granted; ``profile`` is for customers only.
SERVICE_SCOPES = frozenset(OAUTH_SCOPES) - {Scope.PROFILE}

# The Django permission that grants each scope to a staff member.
STAFF_PERMISSIONS = {
    Scope.READ: "customers.view_customer",
    Scope.READ_PII: "customers.view_customer_pii",
    Scope.EXISTS: "customers.view_customer",
    Scope.KYC_DECIDE: "kyc.decide_kyc",
}


class CallerKind(StrEnum):
    ANONYMOUS = "anonymous"
    CUSTOMER = "customer"
    SERVICE = "service"
    STAFF = "staff"
    SYSTEM = "system"


class Channel(StrEnum):
    """Through what a change was made, as audit rows record it."""

    API = "api"
    ADMIN = "admin"
    SYSTEM = "system"


@dataclass(frozen=True)
class Caller:
    kind: CallerKind
    scopes: frozenset[str] = frozenset()
    # The internal key of the caller's own profile, for a customer.
    customer_pk: int | None = None
    user: object | None = None
    application: object | None = None
    # A customer's own profile, loaded with their token.
    customer: object | None = None

    def has(self, scope: Scope) -> bool:
        return scope in self.scopes

    def owns(self, customer) -> bool:
        return self.customer_pk is not None and self.customer_pk == customer.pk

    @property
    def label(self) -> str:
        """How logs and audit rows name the caller: ids only."""
        if self.kind == CallerKind.SERVICE and self.application is not None:
            return f"service:{self.application.client_id}"
        if self.user is not None:
            return f"{self.kind}:{self.user.pk}"
        return str(self.kind)


ANONYMOUS = Caller(kind=CallerKind.ANONYMOUS)
SYSTEM = Caller(kind=CallerKind.SYSTEM)


def caller_of(request) -> Caller:
    """The caller of a DRF request, worked out once per request."""
    cached = getattr(request, "_caller", None)
    if cached is None:
        cached = resolve_caller(request.user, request.auth)
        request._caller = cached
    return cached


def resolve_caller(user, token) -> Caller:
    if token is not None and hasattr(token, "application"):
        return caller_from_token(token)
    if user is not None and user.is_authenticated and user.is_staff and user.is_active:
        return Caller(kind=CallerKind.STAFF, scopes=staff_scopes(user), user=user)
    return ANONYMOUS


def caller_from_token(token) -> Caller:
    granted = frozenset(token.scope.split())
    user = token.user
    if user is None:
        return Caller(
            kind=CallerKind.SERVICE,
            scopes=granted
            & service_grant(token.application)
            & frozenset(Scope) - {Scope.PROFILE},
            application=token.application,
        )
    customer = getattr(user, "customer", None)
    if (
        customer is None
        or not customer.is_active
        or not user.is_active
        or Scope.PROFILE not in granted
    ):
        return ANONYMOUS
    return Caller(
        kind=CallerKind.CUSTOMER,
        scopes=frozenset({Scope.PROFILE}),
        customer_pk=customer.pk,
        user=user,
        customer=customer,
    )


def service_grant(application) -> frozenset[str]:
    """The scopes a client holds now, whatever its token says.

    An admin may narrow a grant at any time; tokens issued before must not
    outlive the change.
    """
    client = getattr(application, "service_client", None)
    return client.scope_set if client is not None else frozenset()


def staff_scopes(user) -> frozenset[str]:
    return frozenset(
        scope for scope, perm in STAFF_PERMISSIONS.items() if user.has_perm(perm)
    )
