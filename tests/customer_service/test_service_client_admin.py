"""Service clients in the admin: listed, scopes changed, removed; not added."""

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken, Application

from customer_service.models import ServiceClient
from customer_service.oauth import service_client_create
from customers.factories import StaffUserFactory
from tests.conftest import issue_access_token

ADMIN = "/admin/customer_service/serviceclient/"


@pytest.fixture
def admin_browser(db) -> Client:
    browser = Client()
    browser.force_login(StaffUserFactory(is_superuser=True))
    return browser


@pytest.fixture
def issued(db):
    return service_client_create(name="payments", scopes=["customers:read"])


@pytest.mark.django_db
class TestServiceClientAdmin:
    def test_lists_clients_by_name_with_their_scopes(self, admin_browser, issued):
        page = admin_browser.get(ADMIN).content.decode()

        assert "payments" in page
        assert issued.client_id in page
        assert "customers:read" in page

    def test_the_secret_is_never_shown(self, admin_browser, issued):
        page = admin_browser.get(f"{ADMIN}{issued.client.pk}/change/").content

        assert issued.client_secret.encode() not in page
        assert issued.client.application.client_secret.encode() not in page

    def test_scopes_can_be_changed(self, admin_browser, issued):
        response = admin_browser.post(
            f"{ADMIN}{issued.client.pk}/change/",
            {"scopes": ["customers:read", "customers:exists"]},
        )

        assert response.status_code == 302
        assert ServiceClient.objects.get().scopes == "customers:exists customers:read"

    def test_a_grant_a_service_cannot_hold_is_refused(self, admin_browser, issued):
        response = admin_browser.post(
            f"{ADMIN}{issued.client.pk}/change/", {"scopes": ["customers:read_pii"]}
        )

        assert response.status_code == 200
        assert "only adds contact data" in response.content.decode()
        assert ServiceClient.objects.get().scopes == "customers:read"

    def test_clients_are_not_added_here(self, admin_browser):
        assert admin_browser.get(f"{ADMIN}add/").status_code == 403

    def test_removing_a_client_removes_its_credentials_and_tokens(
        self, admin_browser, issued
    ):
        issue_access_token(
            application=issued.client.application, scope="customers:read"
        )

        admin_browser.post(
            f"{ADMIN}{issued.client.pk}/delete/", {"post": "yes"}, follow=True
        )

        assert not ServiceClient.objects.exists()
        assert not Application.objects.filter(client_id=issued.client_id).exists()
        assert not AccessToken.objects.exists()
