"""Errors outside DRF views still answer API clients with problem details."""

import pytest


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
