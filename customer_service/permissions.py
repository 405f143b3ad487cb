"""The API's one permission layer, built on ``customer_service.access``.

Every view declares, per HTTP method, who may call it::

    access_rules = {
        "GET": Rule.of(Scope.READ, owner=True),
        "PATCH": Rule.of(owner=True),
    }

- ``Rule.of(*scopes)`` admits services and staff holding every scope named
  (staff hold the scopes their Django permissions grant);
- ``owner=True`` admits a signed-in customer, and the object they act on
  must then be their own profile;
- ``ANYONE`` admits callers without credentials (sign-up).

Without valid credentials the answer is 401, otherwise 403. The same rules
produce the security requirements in the OpenAPI schema.
"""

from dataclasses import dataclass

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.contrib.django_oauth_toolkit import DjangoOAuthToolkitScheme
from rest_framework.permissions import BasePermission

from customer_service.access import (
    OAUTH_SCOPES,
    SERVICE_SCOPES,
    Caller,
    CallerKind,
    Scope,
    caller_of,
)


@dataclass(frozen=True)
class Rule:
    scopes: frozenset[str] = frozenset()
    owner: bool = False
    anyone: bool = False

    @classmethod
    def of(cls, *scopes: Scope, owner: bool = False) -> "Rule":
        return cls(scopes=frozenset(scopes), owner=owner)

    def admits(self, caller: Caller) -> bool:
        if self.anyone:
            return True
        if caller.kind == CallerKind.CUSTOMER:
            return self.owner
        return bool(self.scopes) and self.scopes <= caller.scopes


ANYONE = Rule(anyone=True)


def rule_for(view, method: str) -> Rule | None:
    method = "GET" if method == "HEAD" else method.upper()
    return getattr(view, "access_rules", {}).get(method)


class ScopePermission(BasePermission):
    """Applies the view's ``access_rules``; fails closed without a rule."""

    def has_permission(self, request, view) -> bool:
        if request.method == "OPTIONS":
            # Answered with the Allow header only (AllowHeaderOnly).
            return True
        rule = rule_for(view, request.method)
        if rule is None:
            # No handler either: let the view answer 405.
            return not hasattr(view, request.method.lower())
        return rule.admits(caller_of(request))

    def has_object_permission(self, request, view, obj) -> bool:
        caller = caller_of(request)
        if caller.kind == CallerKind.CUSTOMER:
            return caller.owns(obj)
        return True


def sees_pii(caller: Caller) -> bool:
    """The owner, or a reader also granted contact data."""
    if caller.kind == CallerKind.CUSTOMER:
        return True
    return caller.has(Scope.READ) and caller.has(Scope.READ_PII)


def sees_inactive(caller: Caller) -> bool:
    """Staff who may view profiles still see closed ones, marked inactive.

    For services a closed profile is gone: they get "Profile not available."
    """
    return caller.kind == CallerKind.STAFF and caller.has(Scope.READ)


class ScopedOAuth2Scheme(DjangoOAuthToolkitScheme):
    """Documents each operation's scopes from its ``access_rules``.

    Each flow offers only what its clients can get: the customer app
    ``profile``, services their service scopes.
    """

    priority = 1

    def get_security_definition(self, auto_schema):
        definition = super().get_security_definition(auto_schema)
        flows = definition["flows"]
        flows["authorizationCode"]["scopes"] = {
            str(Scope.PROFILE): OAUTH_SCOPES[Scope.PROFILE]
        }
        flows["clientCredentials"]["scopes"] = {
            name: text for name, text in OAUTH_SCOPES.items() if name in SERVICE_SCOPES
        }
        # Client credentials come without a refresh token.
        flows["clientCredentials"].pop("refreshUrl", None)
        return definition

    def get_security_requirement(self, auto_schema):
        rule = rule_for(auto_schema.view, auto_schema.method)
        if rule is None:
            return super().get_security_requirement(auto_schema)
        requirements = []
        if rule.scopes:
            requirements.append({self.name: sorted(rule.scopes)})
        if rule.owner:
            requirements.append({self.name: [str(Scope.PROFILE)]})
        return requirements


class StaffSessionScheme(SessionScheme):
    """Staff sessions count only where scopes do; customers use tokens."""

    priority = 0

    def get_security_requirement(self, auto_schema):
        rule = rule_for(auto_schema.view, auto_schema.method)
        if rule is not None and not rule.scopes:
            return None
        return super().get_security_requirement(auto_schema)
