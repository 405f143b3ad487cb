import itertools
import secrets
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_application_model
from rest_framework.test import APIClient

from customer_service.access import Caller, CallerKind, Scope, resolve_caller
from customer_service.oauth import CUSTOMER_APP_CLIENT_ID, service_client_create
from customers.factories import StaffUserFactory


@pytest.fixture
def operator(db):
    """A staff member allowed to decide KYC."""
    return StaffUserFactory(permissions=["kyc.decide_kyc"])


@pytest.fixture
def operator_caller(operator) -> Caller:
    return resolve_caller(operator, None)


@pytest.fixture
def provider_caller() -> Caller:
    """The automated KYC provider, as a service with the decide scope."""

    class Application:
        client_id = "kyc-provider"

    return Caller(
        kind=CallerKind.SERVICE,
        scopes=frozenset({Scope.KYC_DECIDE}),
        application=Application(),
    )


@pytest.fixture
def service_api(db):
    """API clients for new services, each holding the ``scopes`` given.

    The token comes from the real client-credentials grant.
    """
    names = itertools.count()

    def make(*scopes: str) -> APIClient:
        issued = service_client_create(name=f"service {next(names)}", scopes=scopes)
        response = Client().post(
            "/oauth/token/",
            urlencode(
                {
                    "grant_type": "client_credentials",
                    "client_id": issued.client_id,
                    "client_secret": issued.client_secret,
                }
            ),
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 200, response.content
        client = APIClient()
        client.credentials(
            HTTP_AUTHORIZATION=f"Bearer {response.json()['access_token']}"
        )
        client.client_id = issued.client_id
        return client

    return make


@pytest.fixture
def customer_api(db):
    """An API client signed in as ``customer`` (who must have a login)."""

    def make(customer) -> APIClient:
        raw = secrets.token_urlsafe(32)
        get_access_token_model().objects.create(
            user=customer.user,
            application=get_application_model().objects.get(
                client_id=CUSTOMER_APP_CLIENT_ID
            ),
            token=raw,
            scope=str(Scope.PROFILE),
            expires=timezone.now() + timedelta(minutes=15),
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make
