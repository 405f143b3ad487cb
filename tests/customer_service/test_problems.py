"""Errors outside DRF views still answer API clients with problem details."""

import pytest
from django.test import Client

from customers.factories import StaffUserFactory


@pytest.mark.django_db
def test_unknown_api_path_is_a_problem_document(client):
    response = client.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_unknown_page_outside_the_api_stays_html(client):
    response = client.get("/no-such-page")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_wrong_method_is_a_problem_document(api_client):
    response = api_client.put("/api/v1/customers", {})

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/customers/by-external-id/ext%2F1"),
        ("get", "/api/v1/customers/x/y/z"),
        ("get", "/api/v2/customers"),
        ("get", "/api/"),
        ("post", "/api/v1/no-such-thing"),
        ("put", "/api/v1/customers/me/extra"),
    ],
)
def test_unmatched_api_paths_are_problem_documents_even_under_debug(
    settings, debug, method, path
):
    settings.DEBUG = debug
    # A browser-like client: CSRF is checked and a session is present.
    client = Client(enforce_csrf_checks=True)
    client.force_login(StaffUserFactory())

    response = getattr(client, method)(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"
