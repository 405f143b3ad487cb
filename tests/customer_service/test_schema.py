"""The OpenAPI description is complete, valid and served without a CDN."""

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from customer_service.access import SERVICE_SCOPES

PROBLEM = "application/problem+json"


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


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def by_id(schema: dict, operation_id: str) -> dict:
    return next(op for _, op in operations(schema) if op["operationId"] == operation_id)


def test_every_error_is_documented_as_a_problem_document(schema):
    errors = {
        f"{name} {status}": set(response.get("content", {}))
        for name, operation in operations(schema)
        for status, response in operation["responses"].items()
        if status.startswith(("4", "5"))
    }

    assert errors
    assert {name for name, types in errors.items() if types != {PROBLEM}} == set()


@pytest.mark.parametrize(
    ("status", "header"), [("401", "WWW-Authenticate"), ("429", "Retry-After")]
)
def test_every_401_and_429_names_its_header(schema, status, header):
    responses = [
        (name, operation["responses"][status])
        for name, operation in operations(schema)
        if status in operation["responses"]
    ]

    assert responses
    assert [
        name
        for name, response in responses
        if header not in response.get("headers", {})
    ] == []


@pytest.mark.parametrize(
    ("operation_id", "statuses"),
    [
        ("customers_create", {"201"}),
        ("customers_me", {"200"}),
        ("customers_me_update", {"200", "409"}),
        ("customers_retrieve", {"200"}),
        ("customers_update", {"200", "409"}),
        ("customers_retrieve_by_external_id", {"200"}),
        ("kyc_approve", {"200"}),
        ("kyc_fail", {"200"}),
    ],
)
def test_every_response_carrying_a_profile_declares_its_etag(
    schema, operation_id, statuses
):
    responses = by_id(schema, operation_id)["responses"]

    with_etag = {
        status
        for status, response in responses.items()
        if "ETag" in response.get("headers", {})
    }
    assert with_etag == statuses


def test_sign_up_declares_the_location_of_the_new_profile(schema):
    headers = by_id(schema, "customers_create")["responses"]["201"]["headers"]

    assert headers["Location"]["required"] is True


def test_each_oauth_flow_offers_only_the_scopes_its_clients_get(schema):
    flows = schema["components"]["securitySchemes"]["oauth2"]["flows"]

    assert set(flows["authorizationCode"]["scopes"]) == {"profile"}
    assert set(flows["clientCredentials"]["scopes"]) == set(SERVICE_SCOPES)
    assert "profile" not in flows["clientCredentials"]["scopes"]


def test_optional_sign_up_fields_are_nullable_and_required_ones_are_not(schema):
    components = schema["components"]["schemas"]
    signup = components["CustomerCreateInputRequest"]["properties"]
    address = components["AddressInputRequest"]["properties"]

    assert {name for name, field in signup.items() if field.get("nullable")} == {
        "externalId",
        "nickname",
    }
    assert {name for name, field in address.items() if field.get("nullable")} == {
        "line2",
        "region",
    }


def test_page_size_is_documented_with_its_bounds(schema):
    parameters = by_id(schema, "customers_list")["parameters"]

    page_size = next(p for p in parameters if p["name"] == "pageSize")
    assert page_size["schema"] == {"type": "integer", "minimum": 1, "maximum": 200}
