"""factory-boy factories for every model, shared by the tests and the seed.

Customers get realistic names and addresses for their country and a valid
phone number for it, so seeded data passes the same validation as sign-up.
"""

import factory
import phonenumbers
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from factory.django import DjangoModelFactory
from faker import Faker

from customers.models import Customer

LOCALES = {"GB": "en_GB", "DE": "de_DE", "FR": "fr_FR", "NL": "nl_NL", "US": "en_US"}
FAKERS = {country: Faker(locale) for country, locale in LOCALES.items()}


def fake(attribute: str):
    """A value from the Faker of the customer's country, on one line."""
    return factory.LazyAttribute(
        lambda o: getattr(FAKERS[o.address_country], attribute)().replace("\n", ", ")
    )


def example_phone(country: str, sequence: int) -> str:
    """A valid number of the country, made unique by the sequence."""
    example = phonenumbers.example_number_for_type(
        country, phonenumbers.PhoneNumberType.MOBILE
    )
    national = str(example.national_number)
    tail = str(sequence % 10**5).zfill(5)
    number = phonenumbers.parse(
        f"+{example.country_code}{national[: -len(tail)]}{tail}"
    )
    if not phonenumbers.is_valid_number(number):
        number = example
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


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
