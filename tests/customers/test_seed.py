import phonenumbers
import pytest
from django.core.management import CommandError, call_command

from customers.models import Customer
from customers.serializers import CustomerCreateInput, CustomerOutput


@pytest.mark.django_db
def test_seed_creates_the_requested_number_of_valid_pending_customers():
    call_command("seed_customers", count=25)

    customers = list(Customer.objects.all())
    assert len(customers) == 25
    assert {c.kyc_status for c in customers} == {"pending"}
    for customer in customers:
        number = phonenumbers.parse(str(customer.phone))
        assert phonenumbers.is_valid_number(number)


@pytest.mark.django_db
def test_seeded_profiles_pass_sign_up_validation():
    call_command("seed_customers", count=10)

    for customer in Customer.objects.all():
        body = CustomerOutput(customer).data
        payload = {
            "firstName": body["firstName"],
            "lastName": body["lastName"],
            "email": body["email"],
            "phone": body["phone"],
            "address": {k: v for k, v in body["address"].items() if v},
        }
        serializer = CustomerCreateInput(data=payload)
        assert serializer.is_valid(), serializer.errors


@pytest.mark.django_db
def test_seeding_twice_adds_instead_of_colliding():
    call_command("seed_customers", count=5)
    call_command("seed_customers", count=5)

    assert Customer.objects.count() == 10


@pytest.mark.django_db
def test_seed_refuses_a_count_below_one():
    with pytest.raises(CommandError):
        call_command("seed_customers", count=0)
