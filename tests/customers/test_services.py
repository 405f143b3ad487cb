"""customer_create maps only its own unique constraints to conflicts."""

import pytest
from django.db import IntegrityError

from customers.errors import EmailTaken, ExternalIdTaken
from customers.factories import CustomerFactory
from customers.models import Address, Customer
from customers.services import customer_create, unique_violation

ADDRESS = Address(
    line1="1 Main Street",
    line2="",
    city="Dublin",
    region="",
    postal_code="D01 F5P2",
    country="IE",
)


def create(**overrides) -> Customer:
    arguments = {
        "first_name": "Ada",
        "last_name": "Byron",
        "email": "ada@example.com",
        "phone": "+35312345678",
        "address": ADDRESS,
        **overrides,
    }
    return customer_create(**arguments)


@pytest.mark.django_db
class TestCustomerCreate:
    def test_a_taken_email_in_another_case_is_email_taken(self):
        CustomerFactory(email="Ada@Example.com")

        with pytest.raises(EmailTaken):
            create(email="ada@example.com")

    def test_a_taken_external_id_is_external_id_taken(self):
        CustomerFactory(external_id="crm:1")

        with pytest.raises(ExternalIdTaken):
            create(external_id="crm:1")

    def test_a_malformed_external_id_is_not_reported_as_taken(self):
        # The API validates first; reaching the check constraint is a bug.
        with pytest.raises(IntegrityError, match="customer_external_id_format"):
            create(external_id="has space")

        assert not Customer.objects.exists()


@pytest.mark.parametrize(
    "message",
    [
        "UNIQUE constraint failed: customers_customer.public_id",
        "UNIQUE constraint failed: customers_customer.user_id",
        "CHECK constraint failed: customer_external_id_format",
        "external_id something else",
        "customer_email_ci_unique_but_longer",
    ],
)
def test_other_integrity_errors_are_not_conflicts(message):
    assert unique_violation(IntegrityError(message)) is None
