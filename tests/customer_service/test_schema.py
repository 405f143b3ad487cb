"""The OpenAPI description is complete, valid and served without a CDN."""

import pytest
from django.core.management import call_command


def test_schema_generates_without_warnings(tmp_path):
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "schema.yaml"),
    )


@pytest.mark.django_db
def test_schema_and_docs_are_served(client):
    schema = client.get("/api/v1/schema", HTTP_ACCEPT="application/json")
    docs = client.get("/api/v1/docs")

    assert schema.status_code == 200
    assert "/api/v1/customers" in schema.json()["paths"]
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()
