import importlib
import itertools
import secrets
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from oauth2_provider.models import (
    AccessToken,
    get_application_model,
    set_token_value,
)
from rest_framework.test import APIClient

from customer_service.access import Scope
from customer_service.oauth import (
    CUSTOMER_APP_CLIENT_ID,
    customer_app_sync,
    service_client_create,
)
from customers.factories import StaffUserFactory, UserFactory
from customers.models import Customer

CUSTOMER_PASSWORD = "correct horse battery staple"


def pytest_runtest_setup(item):
    """Tests marked ``postgres`` need real concurrent connections."""
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL")


# The fields of a profile as the API shows it, and without contact data.
PROFILE_FIELDS = frozenset(
    {
        "id",
        "externalId",
        "firstName",
        "lastName",
        "nickname",
        "email",
        "phone",
        "address",
        "kycStatus",
        "isActive",
        "createdAt",
    }
)
PROFILE_WITHOUT_CONTACT = PROFILE_FIELDS - {"email", "phone", "address"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counts live in the cache; no test inherits another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


# The permissions of each staff role, as the roles migration grants them.
STAFF_ROLES = importlib.import_module("kyc.migrations.0003_staff_roles").ROLES


@pytest.fixture
def operations_user(db):
    """A staff member with the permissions of the Operations role."""
    return StaffUserFactory(permissions=STAFF_ROLES["Operations"])


@pytest.fixture
def support_user(db):
    """A staff member with the permissions of the Support role."""
    return StaffUserFactory(permissions=STAFF_ROLES["Support"])


def issue_access_token(*, application, user=None, scope: str) -> str:
    """A stored, unexpired access token, as the token endpoint makes them."""
    raw = secrets.token_urlsafe(32)
    token = AccessToken(
        application=application,
        user=user,
        scope=scope,
        expires=timezone.now() + timedelta(minutes=15),
    )
    set_token_value(token, raw)
    token.save()
    return raw


def give_login(customer: Customer, password: str = CUSTOMER_PASSWORD):
    """Link a login to the customer, as KYC approval and activation do."""
    user = UserFactory(username=f"customer-{customer.public_id}", password=password)
    Customer.objects.filter(pk=customer.pk).update(user=user)
    customer.user = user
    return user


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def customer_app(db):
    """The customer app's OAuth client (made again after a flushing test)."""
    customer_app_sync()
    return get_application_model().objects.get(client_id=CUSTOMER_APP_CLIENT_ID)


@pytest.fixture
def customer_token(customer_app):
    """``customer_token(customer)``: a ``profile`` token for the customer.

    Gives them a login first if they have none (password
    ``CUSTOMER_PASSWORD``).
    """

    def make(customer: Customer) -> str:
        if customer.user_id is None:
            give_login(customer)
        return issue_access_token(
            application=customer_app, user=customer.user, scope=str(Scope.PROFILE)
        )

    return make


@pytest.fixture
def service_token(db):
    """``service_token(*scopes)``: a token of a new service client.

    The client is granted exactly ``scopes``, and so is its token.
    """
    names = itertools.count()

    def make(*scopes: str) -> str:
        issued = service_client_create(
            name=f"test service {next(names)}", scopes=scopes
        )
        return issue_access_token(
            application=issued.client.application, scope=" ".join(scopes)
        )

    return make


@pytest.fixture
def staff_client(db):
    """``staff_client(*permissions, superuser=False)``: a staff session.

    An API client signed in as a new staff member with those Django
    permissions (``"customers.view_customer"``, ...).
    """

    def make(*permissions: str, superuser: bool = False) -> APIClient:
        user = StaffUserFactory(permissions=permissions, is_superuser=superuser)
        client = APIClient()
        client.force_login(user)
        client.user = user
        return client

    return make


@pytest.fixture
def operations(client, operations_user):
    """A browser session of an Operations staff member in the admin."""
    client.force_login(operations_user)
    return client


@pytest.fixture
def support(client, support_user):
    """A browser session of a Support staff member in the admin."""
    client.force_login(support_user)
    return client


def change_url(customer) -> str:
    """The admin page of one customer."""
    return f"/admin/customers/customer/{customer.pk}/change/"


def messages_of(response) -> list[str]:
    """The admin messages a response left for the person."""
    return [str(message) for message in get_messages(response.wsgi_request)]
