"""Customers sign in with their email and password.

A customer has a login only once KYC is verified (the account is created
on approval), and loses it when the profile or the account is closed.
Staff keep signing in with their username through Django's ModelBackend.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend
from django.views.decorators.debug import sensitive_variables

from customers.models import Customer


class CustomerEmailBackend(BaseBackend):
    """Matches the profile's email in any letter case."""

    @sensitive_variables("password")
    def authenticate(self, request, email=None, password=None, **kwargs):
        if not email or password is None:
            return None

        customer = (
            Customer.objects.select_related("user")
            .filter(email__iexact=email.strip(), is_active=True, user__is_active=True)
            .first()
        )
        if customer is None or not customer.user.has_usable_password():
            # Hash anyway, so the answer takes as long as for a real
            # account and timing does not tell which emails have one.
            get_user_model()().set_password(password)
            return None

        user = customer.user
        return user if user.check_password(password) else None

    def get_user(self, user_id):
        # Sessions end as soon as the profile is closed.
        return (
            get_user_model()
            ._default_manager.select_related("customer")
            .filter(pk=user_id, is_active=True, customer__is_active=True)
            .first()
        )
