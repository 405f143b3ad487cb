"""PATCH /api/v1/customers/me and /api/v1/customers/{id}: versioned changes."""

import pytest

from customers.factories import CustomerFactory
from customers.models import Customer, CustomerChange
from tests.conftest import bearer

ME = "/api/v1/customers/me"
NEW_ADDRESS = {
    "line1": "1 Rue de Rivoli",
    "line2": "Bâtiment B",
    "city": "Paris",
    "region": "Île-de-France",
    "postalCode": "75001",
    "country": "fr",
}


@pytest.fixture
def customer(db):
    return CustomerFactory(
        first_name="Ada",
        last_name="Lovelace",
        nickname="",
        address_country="GB",
        phone="+442071838750",
        external_id="crm:1",
    )


@pytest.fixture
def app(customer, customer_token):
    """The customer app, signed in as ``customer``."""
    return bearer(customer_token(customer))


def row(customer) -> dict:
    return Customer.objects.values().get(pk=customer.pk)


def patch(client, body, *, if_match: str | None = '"1"', url: str = ME):
    headers = {} if if_match is None else {"If-Match": if_match}
    return client.patch(url, body, format="json", headers=headers)


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == code
    return response.json()


@pytest.mark.django_db
class TestValidChanges:
    def test_a_change_is_answered_and_shows_on_the_next_read(self, app):
        response = patch(app, {"firstName": "Augusta", "nickname": "Countess"})

        assert response.status_code == 200
        assert response.json()["message"] == (
            "Your profile has been updated successfully."
        )
        assert response.json()["customer"]["firstName"] == "Augusta"
        assert response["ETag"] == '"2"'
        again = app.get(ME)
        assert again.json()["firstName"] == "Augusta"
        assert again.json()["nickname"] == "Countess"
        assert again["ETag"] == '"2"'

    def test_the_address_is_replaced_whole_and_validated_as_at_sign_up(self, app):
        response = patch(app, {"address": NEW_ADDRESS})

        assert response.status_code == 200
        assert response.json()["customer"]["address"] == {
            **NEW_ADDRESS,
            "country": "FR",
        }

    def test_the_phone_is_stored_in_e164(self, app, customer):
        response = patch(app, {"phone": "+44 20 7946 0958"})

        assert response.json()["customer"]["phone"] == "+442079460958"
        assert row(customer)["phone"] == "+442079460958"

    def test_the_owner_may_change_it_by_id_too(self, app, customer):
        response = patch(
            app, {"lastName": "King"}, url=f"/api/v1/customers/{customer.public_id}"
        )

        assert response.status_code == 200
        assert row(customer)["last_name"] == "King"

    def test_a_change_that_changes_nothing_keeps_the_version(self, app, customer):
        response = patch(app, {"firstName": "Ada", "phone": "+442071838750"})

        assert response.status_code == 200
        assert response["ETag"] == '"1"'
        assert row(customer)["version"] == 1
        assert not CustomerChange.objects.exists()

    def test_null_clears_the_nickname(self, app, customer):
        Customer.objects.filter(pk=customer.pk).update(nickname="Countess")

        response = patch(app, {"nickname": None})

        assert response.status_code == 200, response.content
        assert response.json()["customer"]["nickname"] == ""
        assert row(customer)["nickname"] == ""

    def test_null_clears_the_second_address_line_and_the_region(self, app, customer):
        patch(app, {"address": NEW_ADDRESS})

        response = patch(
            app,
            {"address": {**NEW_ADDRESS, "line2": None, "region": None}},
            if_match='"2"',
        )

        assert response.status_code == 200, response.content
        assert row(customer)["address_line2"] == ""
        assert row(customer)["address_region"] == ""
        assert row(customer)["address_line1"] == NEW_ADDRESS["line1"]

    def test_each_change_is_recorded_without_its_values(self, app, customer):
        patch(app, {"firstName": "Augusta", "address": NEW_ADDRESS})

        change = CustomerChange.objects.get()
        assert change.customer_id == customer.pk
        assert sorted(change.fields) == ["address", "firstName"]
        assert change.version == 2
        assert change.actor_kind == "customer"
        assert change.actor_user_id == customer.user_id
        assert change.channel == "api"
        assert "Augusta" not in str(change.__dict__)


@pytest.mark.django_db
class TestRefusedChanges:
    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("externalId", "crm:2"),
            ("externalId", "crm:1"),
            ("email", "someone.else@example.com"),
            ("id", "00000000-0000-0000-0000-000000000000"),
            ("kycStatus", "verified"),
            ("kycStatus", "pending"),
            ("createdAt", "2020-01-01T00:00:00Z"),
        ],
    )
    def test_an_immutable_field_gives_400_and_changes_nothing(
        self, app, customer, field, value
    ):
        before = row(customer)

        body = assert_problem(
            patch(app, {field: value, "firstName": "Augusta"}),
            400,
            "field_not_updatable",
        )

        assert body["detail"] == "Field not updatable."
        assert body["errors"] == [
            {
                "field": field,
                "code": "field_not_updatable",
                "message": "Field not updatable.",
            }
        ]
        assert row(customer) == before

    def test_every_immutable_field_sent_is_named(self, app):
        body = assert_problem(
            patch(app, {"email": "x@example.com", "kycStatus": "verified"}),
            400,
            "field_not_updatable",
        )

        assert {error["field"] for error in body["errors"]} == {"email", "kycStatus"}

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"favouriteColour": "blue"}, "favouriteColour"),
            ({"phone": "12345"}, "phone"),
            ({"phone": "+1 555 0100 000"}, "phone"),
            ({"firstName": ""}, "firstName"),
            ({"firstName": None}, "firstName"),
            ({"lastName": "x" * 101}, "lastName"),
            ({"nickname": "bad\u0000name"}, "nickname"),
            (
                {"address": {"line1": "1 Main St", "city": "Paris"}},
                "address.postalCode",
            ),
            ({"address": {**NEW_ADDRESS, "country": "XX"}}, "address.country"),
            ({"address": {**NEW_ADDRESS, "planet": "Earth"}}, "address.planet"),
            ({"address": None}, "address"),
            ({"lastName": None}, "lastName"),
            ({"phone": None}, "phone"),
            ({"firstName": 123}, "firstName"),
            ({"nickname": ["Ada"]}, "nickname"),
            ({"phone": 442071838750}, "phone"),
            ({"address": {**NEW_ADDRESS, "postalCode": 75001}}, "address.postalCode"),
            ({"address": {**NEW_ADDRESS, "line1": None}}, "address.line1"),
            ({"address": {**NEW_ADDRESS, "line2": "B\u0007"}}, "address.line2"),
            ({"address": {**NEW_ADDRESS, "region": "\u202eIDF"}}, "address.region"),
            ({"nickname": "\u200bAda"}, "nickname"),
        ],
    )
    def test_an_invalid_change_gives_400_naming_the_field_and_changes_nothing(
        self, app, customer, body, field
    ):
        before = row(customer)

        problem = assert_problem(patch(app, body), 400, "validation_error")

        assert field in {error["field"] for error in problem["errors"]}
        assert row(customer) == before

    def test_a_body_that_is_not_an_object_gives_400(self, app, customer):
        before = row(customer)

        assert_problem(patch(app, ["firstName"]), 400, "validation_error")
        assert row(customer) == before


@pytest.mark.django_db
class TestVersions:
    def test_without_if_match_the_answer_is_428_with_a_clear_message(
        self, app, customer
    ):
        before = row(customer)

        body = assert_problem(
            patch(app, {"firstName": "Augusta"}, if_match=None),
            428,
            "precondition_required",
        )

        assert "If-Match" in body["detail"]
        assert row(customer) == before

    @pytest.mark.parametrize(
        "if_match", ["1", 'W/"1"', "*", '"1", "2"', '"abc"', '""', '"0"', '"-1"']
    )
    def test_a_malformed_if_match_gives_400_and_changes_nothing(
        self, app, customer, if_match
    ):
        before = row(customer)

        assert_problem(
            patch(app, {"firstName": "Augusta"}, if_match=if_match),
            400,
            "invalid_if_match",
        )
        assert row(customer) == before

    def test_a_stale_version_gives_409_with_the_current_etag(self, app, customer):
        patch(app, {"firstName": "Augusta"}, if_match='"1"')
        before = row(customer)

        response = patch(app, {"firstName": "Ada"}, if_match='"1"')

        assert_problem(response, 409, "version_conflict")
        assert response["ETag"] == '"2"'
        assert row(customer) == before

    def test_a_version_from_the_future_gives_409(self, app, customer):
        response = patch(app, {"firstName": "Augusta"}, if_match='"7"')

        assert_problem(response, 409, "version_conflict")
        assert response["ETag"] == '"1"'

    def test_the_version_never_appears_in_a_body(self, app):
        body = patch(app, {"firstName": "Augusta"}).json()

        assert "version" not in body
        assert "version" not in body["customer"]


@pytest.mark.django_db
class TestWhoMayChange:
    @pytest.fixture
    def url(self, customer):
        return f"/api/v1/customers/{customer.public_id}"

    def test_another_customer_gets_403(self, customer_token, customer, url):
        other = bearer(customer_token(CustomerFactory()))
        before = row(customer)

        assert_problem(
            patch(other, {"firstName": "X"}, url=url), 403, "permission_denied"
        )
        assert row(customer) == before

    def test_a_service_cannot_change_a_profile(self, service_token, url):
        client = bearer(service_token("customers:read", "customers:read_pii"))

        assert patch(client, {"firstName": "X"}, url=url).status_code == 403

    def test_staff_change_profiles_in_the_admin_not_here(self, staff_client, url):
        client = staff_client(superuser=True)

        assert patch(client, {"firstName": "X"}, url=url).status_code == 403

    def test_without_credentials_the_answer_is_401(self, api_client, url):
        assert patch(api_client, {"firstName": "X"}, url=url).status_code == 401
        assert patch(api_client, {"firstName": "X"}).status_code == 401
