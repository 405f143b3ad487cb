"""factory-boy factories for every model, shared by the tests and the seed.

Customers get realistic names and addresses for their country and a valid
phone number for it, so seeded data passes the same validation as sign-up.
"""

import functools

import factory
import factory.random
import phonenumbers
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from factory.django import DjangoModelFactory
from faker import Faker

from customers.models import Customer

LOCALES = {"GB": "en_GB", "DE": "de_DE", "FR": "fr_FR", "NL": "nl_NL", "US": "en_US"}
FAKERS = {country: Faker(locale) for country, locale in LOCALES.items()}


POOL_SIZE = 2000


@functools.cache
def faker_pool(country: str, attribute: str) -> tuple[str, ...]:
    """Values from the country's Faker, made once and drawn from after.

    Drawing from a pool keeps names and addresses realistic while making a
    hundred thousand profiles in seconds rather than minutes.
    """
    generate = getattr(FAKERS[country], attribute)
    return tuple(generate().replace("\n", ", ") for _ in range(POOL_SIZE))


def fake(attribute: str):
    """A value for the customer's country, on one line."""
    return factory.LazyAttribute(
        lambda o: factory.random.randgen.choice(
            faker_pool(o.address_country, attribute)
        )
    )


@functools.cache
def mobile_prefix(country: str) -> tuple[int, str]:
    example = phonenumbers.example_number_for_type(
        country, phonenumbers.PhoneNumberType.MOBILE
    )
    return example.country_code, str(example.national_number)[:-5]


def example_phone(country: str, sequence: int) -> str:
    """A valid mobile number of the country, varied by the sequence.

    It keeps the country's example mobile number and replaces its last five
    digits, which stays a valid number for every country in LOCALES.
    """
    country_code, prefix = mobile_prefix(country)
    return f"+{country_code}{prefix}{sequence % 10**5:05d}"


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer
        skip_postgeneration_save = True

    address_country = factory.Iterator(list(LOCALES))
    first_name = fake("first_name")
    last_name = fake("last_name")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    phone = factory.LazyAttributeSequence(
        lambda o, n: example_phone(o.address_country, n)
    )
    address_line1 = fake("street_address")
    address_city = fake("city")
    address_postal_code = fake("postcode")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")


class StaffUserFactory(UserFactory):
    """A staff member; pass ``permissions=["app.codename", ...]``."""

    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True

    @factory.post_generation
    def permissions(self, create, extracted, **kwargs):
        for dotted in extracted or ():
            app_label, codename = dotted.split(".")
            self.user_permissions.add(
                Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                )
            )


class KycEventFactory(DjangoModelFactory):
    """A history row written by the system.

    The model is named by its label, so the customers app never imports kyc.
    """

    class Meta:
        model = "kyc.KycEvent"

    customer = factory.SubFactory(CustomerFactory)
    from_state = "pending"
    to_state = "verified"
    transition = "approve"
    actor_kind = "system"
    channel = "system"
