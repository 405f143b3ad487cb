"""The OAuth 2.0 server, as django-oauth-toolkit runs it for this service.

Two kinds of clients get tokens here:

- the customer app, the first-party public client ``customer-app``:
  authorization code with PKCE (S256) for a signed-in customer, and only
  ever the ``profile`` scope;
- services, confidential clients using client credentials, each getting
  at most the scopes its ``ServiceClient`` row grants.

Settings live in ``OAUTH2_PROVIDER`` (customer_service.settings.base).
"""

import hashlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, transaction
from django.http import JsonResponse
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import (
    AbstractApplication,
    get_access_token_model,
    get_application_model,
    get_grant_model,
    redirect_to_uri_allowed,
)
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.views import AuthorizationView, IntrospectTokenView
from oauthlib.oauth2.rfc6749 import errors

from customer_service.access import (
    INTROSPECTION_SCOPE,
    Scope,
    service_grant,
)
from customer_service.models import ServiceClient, validate_service_scopes

logger = logging.getLogger(__name__)

CUSTOMER_APP_CLIENT_ID = "customer-app"

# RFC 7636: an S256 challenge is the base64url SHA-256 of the verifier.
S256_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")


def is_customer_app(application) -> bool:
    return application is not None and application.client_id == CUSTOMER_APP_CLIENT_ID


def may_sign_in(user) -> bool:
    """Whether a user is a customer who may hold a session or a token.

    Only a verified customer has a user at all; closing the profile or
    deactivating the user ends it.
    """
    customer = getattr(user, "customer", None)
    return (
        customer is not None
        and customer.is_active
        and user.is_active
        and user.is_authenticated
    )


class GrantedScopes(BaseScopes):
    """Each client gets the scopes granted to it, never more."""

    def get_all_scopes(self):
        return oauth2_settings.SCOPES

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        if application is None:
            return []
        if is_customer_app(application):
            return [str(Scope.PROFILE)]
        return sorted(service_grant(application))

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return self.get_available_scopes(application, request)


def fits_column(value, model, field: str) -> bool:
    """Whether the database can hold a value: PostgreSQL refuses NUL."""
    if value is None:
        return True
    return (
        isinstance(value, str)
        and "\x00" not in value
        and len(value) <= model._meta.get_field(field).max_length
    )


def holds_nul(request) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for params in (request.GET, request.POST)
        for key, values in params.lists()
    )


def refuses_nul(view):
    """Wrap an OAuth endpoint: a NUL anywhere in its parameters is a 400.

    The toolkit stores or looks up several parameters as they come (codes,
    challenges, resource indicators); PostgreSQL cannot hold NUL in text.
    """

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if holds_nul(request):
            return JsonResponse(
                {
                    "error": "invalid_request",
                    "error_description": "Parameters must not contain NUL.",
                },
                status=400,
                headers={"Cache-Control": "no-store"},
            )
        return view(request, *args, **kwargs)

    return guarded


class CustomerServiceOAuth2Validator(OAuth2Validator):
    """The toolkit's validator, with this service's rules on top.

    Values the database cannot hold never reach a query: the client gets
    the usual OAuth error instead of a server error.
    """

    def _load_application(self, client_id, request):
        if not fits_column(client_id, get_application_model(), "client_id"):
            return None
        return super()._load_application(client_id, request)

    def _load_access_token(self, token):
        # One query for everything a request needs to know its caller.
        checksum = hashlib.sha256(token.encode("utf-8")).hexdigest()
        access_token = (
            get_access_token_model()
            .objects.select_related("application__service_client", "user__customer")
            .filter(token_checksum=checksum)
            .first()
        )
        if access_token is not None and access_token.user_id is None:
            # The toolkit's own scope checks (introspection) then honour a
            # grant narrowed after the token was issued, as the API does.
            held = set(access_token.scope.split()) & service_grant(
                access_token.application
            )
            access_token.scope = " ".join(sorted(held))
        return access_token

    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs):
        # The setting is the source of truth for the customer app, so a
        # changed environment takes effect without touching the database.
        if is_customer_app(request.client):
            return redirect_to_uri_allowed(
                redirect_uri, list(settings.CUSTOMER_APP_REDIRECT_URIS)
            )
        return super().validate_redirect_uri(client_id, redirect_uri, request)

    def get_default_redirect_uri(self, client_id, request, *args, **kwargs):
        if is_customer_app(request.client):
            uris = settings.CUSTOMER_APP_REDIRECT_URIS
            return uris[0] if len(uris) == 1 else None
        return super().get_default_redirect_uri(client_id, request)

    def save_authorization_code(self, client_id, code, request, *args, **kwargs):
        # oauthlib takes an empty challenge for a given one; no code is
        # issued that the token endpoint would refuse anyway.
        if (
            request.code_challenge_method != "S256"
            or not isinstance(request.code_challenge, str)
            or not S256_CHALLENGE.fullmatch(request.code_challenge)
        ):
            raise errors.InvalidRequestError(
                description="PKCE with the S256 method is required.",
                request=request,
            )
        # Stored with the code although this server does not use OpenID.
        if not fits_column(request.nonce, get_grant_model(), "nonce"):
            raise errors.InvalidRequestError(
                description="The nonce is not valid.", request=request
            )
        super().save_authorization_code(client_id, code, request)

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        if not fits_column(code, get_grant_model(), "code"):
            return False
        # A code outlives nothing: a customer closed since signing in
        # gets no token for it.
        valid = super().validate_code(client_id, code, client, request)
        return valid and may_sign_in(request.user)

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        valid = super().validate_refresh_token(refresh_token, client, request)
        return valid and may_sign_in(request.user)


class CustomerAuthorizationView(AuthorizationView):
    """The authorization endpoint, for signed-in customers only.

    A staff member's admin session is not a customer sign-in: they are
    sent to the customer sign-in page like anyone else.
    """

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_sign_in(request.user):
            return redirect_to_login(
                request.get_full_path(),
                self.get_login_url(),
                self.get_redirect_field_name(),
            )
        return super().dispatch(request, *args, **kwargs)


class IntrospectView(IntrospectTokenView):
    """Token introspection for services granted ``introspection``.

    Only a bearer token carrying that scope is accepted. The toolkit also
    lets any client in with its own credentials, which would let every
    service look into every token.
    """

    required_scopes = [INTROSPECTION_SCOPE]

    def authenticate_client(self, request):
        return False


def customer_app_sync(*, application_model=None, using: str = DEFAULT_DB_ALIAS):
    """Create or update the customer app's row from the settings.

    Runs after every ``migrate``. The secret is left alone: a public client
    has none that anyone knows (the toolkit stores a random one, hashed).
    """
    model = application_model or get_application_model()
    wanted = {
        "name": "Customer app",
        "client_type": AbstractApplication.CLIENT_PUBLIC,
        "authorization_grant_type": AbstractApplication.GRANT_AUTHORIZATION_CODE,
        "skip_authorization": True,
        "redirect_uris": " ".join(settings.CUSTOMER_APP_REDIRECT_URIS),
    }

    manager = model._default_manager.db_manager(using)
    application = manager.filter(client_id=CUSTOMER_APP_CLIENT_ID).first()
    if application is None:
        manager.create(client_id=CUSTOMER_APP_CLIENT_ID, **wanted)
        logger.info("customer app client created")
        return

    changed = [
        name for name, value in wanted.items() if getattr(application, name) != value
    ]
    if changed:
        for name in changed:
            setattr(application, name, wanted[name])
        application.save(update_fields=[*changed, "updated"])
        logger.info("customer app client updated: %s", ", ".join(changed))


def customer_app_sync_after_migrate(sender, *, using, apps=None, **kwargs):
    """After migrate and flush; waits for the toolkit's tables to exist.

    ``flush`` sends no ``apps``: the installed models are current then.
    """
    if apps is None:
        customer_app_sync(using=using)
        return
    try:
        model = apps.get_model("oauth2_provider", "Application")
    except LookupError:
        return
    customer_app_sync(application_model=model, using=using)


@dataclass(frozen=True)
class IssuedClient:
    client: ServiceClient
    client_id: str
    # Shown once to whoever created the client; only its hash is stored.
    client_secret: str


def service_client_create(*, name: str, scopes: Iterable[str]) -> IssuedClient:
    """Register a service with client credentials and the given scopes.

    Raises ``ValidationError`` for an empty or taken name, or for scopes
    a service cannot hold.
    """
    name = name.strip()
    granted = frozenset(scopes)
    if not name:
        raise ValidationError("Give the service a name.", code="name_required")
    validate_service_scopes(granted)
    if ServiceClient.objects.filter(application__name=name).exists():
        raise ValidationError(
            "A service client with this name already exists.", code="name_taken"
        )

    secret = generate_client_secret()
    with transaction.atomic():
        application = get_application_model().objects.create(
            name=name,
            client_type=AbstractApplication.CLIENT_CONFIDENTIAL,
            authorization_grant_type=AbstractApplication.GRANT_CLIENT_CREDENTIALS,
            client_secret=secret,
            hash_client_secret=True,
        )
        client = ServiceClient.objects.create(
            application=application, scopes=" ".join(sorted(granted))
        )

    logger.info(
        "service client %s created with scopes %s",
        application.client_id,
        client.scopes or "(none)",
    )
    return IssuedClient(
        client=client, client_id=application.client_id, client_secret=secret
    )
