"""Customers' login accounts: created at KYC approval, activated by them.

A customer has no login until KYC is verified. Approval creates a Django
user with an unusable password and links it to the profile; the customer
then follows a one-time link, valid for 72 hours, to choose a password.
A customer whose link was lost or has expired can ask for a new one, which
replaces every earlier link.

The user row holds no personal data: its username is derived from the
public id, and email and names stay on the profile.
"""

import base64
import binascii
import logging
import uuid
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int
from django.views.decorators.debug import sensitive_variables

from customer_service.access import Caller, CallerKind, Channel, Scope
from customer_service.errors import FieldError
from customers.emails import email_send
from customers.errors import (
    ActivationResendNotAllowed,
    CustomerErrorCode,
    InvalidActivationLink,
    PasswordRefused,
)
from customers.models import Customer, KycStatus

logger = logging.getLogger(__name__)

ACTIVATION_TIMEOUT = timedelta(hours=72)


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    """One-time activation tokens with their own salt and lifetime.

    A token hashes the user's password field, so it stops working as soon
    as a password is set. Its lifetime is ``ACTIVATION_TIMEOUT``, not the
    password-reset setting.
    """

    key_salt = "customers.accounts.ActivationTokenGenerator"
    timeout = int(ACTIVATION_TIMEOUT.total_seconds())

    def check_token(self, user, token) -> bool:
        if not (user and token) or token.count("-") != 1:
            return False
        stamp, _ = token.split("-")
        try:
            issued = base36_to_int(stamp)
        except ValueError:
            return False

        secrets = [self.secret, *self.secret_fallbacks]
        if not any(
            constant_time_compare(
                self._make_token_with_timestamp(user, issued, secret), token
            )
            for secret in secrets
        ):
            return False

        return self._num_seconds(self._now()) - issued <= self.timeout


activation_tokens = ActivationTokenGenerator()


def username_for(customer: Customer) -> str:
    return f"customer-{customer.public_id}"


def account_create_for(customer: Customer) -> AbstractBaseUser:
    """Create and link the customer's login account, once.

    Call inside the transaction that verifies KYC, with the profile row
    locked. The password is unusable until the customer activates it.
    """
    if customer.user_id is not None:
        return customer.user

    user = get_user_model()(username=username_for(customer))
    user.set_unusable_password()
    user.save()

    customer.user = user
    customer.save(update_fields=["user"])
    return user


def activation_uid(customer: Customer) -> str:
    """The link's first part: the public id, base64url without padding."""
    return base64.urlsafe_b64encode(customer.public_id.bytes).decode().rstrip("=")


def customer_of_uid(uid: str) -> uuid.UUID | None:
    try:
        raw = base64.urlsafe_b64decode(uid + "=" * (-len(uid) % 4))
        return uuid.UUID(bytes=raw)
    except (binascii.Error, ValueError):
        return None


def activation_url(customer: Customer) -> str:
    """The absolute one-time link, for the activation email only."""
    path = reverse(
        "account-activate",
        kwargs={
            "uid": activation_uid(customer),
            "token": activation_tokens.make_token(customer.user),
        },
    )
    return f"{settings.PUBLIC_BASE_URL}{path}"


@sensitive_variables("token")
def account_for_activation(*, uid: str, token: str) -> Customer:
    """The customer whose account this link activates.

    Raises ``InvalidActivationLink`` for an unknown, used or expired link,
    and for a deactivated customer, without telling which.
    """
    public_id = customer_of_uid(uid)
    customer = (
        Customer.objects.select_related("user")
        .filter(
            public_id=public_id,
            is_active=True,
            user__isnull=False,
            user__is_active=True,
        )
        .first()
        if public_id is not None
        else None
    )
    if customer is None or not activation_tokens.check_token(customer.user, token):
        raise InvalidActivationLink()
    return customer


@sensitive_variables("token", "password")
def account_activate(*, uid: str, token: str, password: str) -> Customer:
    """Set the first password of a customer's account from an emailed link.

    The link works once: setting the password changes what the token
    hashes. The user row is locked, so two requests with one link cannot
    both succeed.
    """
    customer = account_for_activation(uid=uid, token=token)
    password_check(password=password, customer=customer)

    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=customer.user_id)
        if not activation_tokens.check_token(user, token):
            raise InvalidActivationLink()
        user.set_password(password)
        user.save(update_fields=["password"])

    logger.info("customer %s activated their account", customer.public_id)
    return customer


@sensitive_variables("password")
def password_check(*, password: str, customer: Customer) -> None:
    """Django's password validators, aware of the person's name and email.

    The login account holds no personal data, so the similarity check gets
    an unsaved copy that carries it.
    """
    owner = get_user_model()(
        pk=customer.user_id,
        username=customer.user.get_username(),
        first_name=customer.first_name,
        last_name=customer.last_name,
        email=customer.email,
    )
    try:
        validate_password(password, owner)
    except ValidationError as error:
        raise PasswordRefused(
            [
                FieldError(
                    field="password",
                    code=item.code or CustomerErrorCode.INVALID_PASSWORD,
                    message=" ".join(item.messages),
                )
                for item in error.error_list
            ]
        ) from None


def account_activation_resend(
    *, customer: Customer, actor: Caller, channel: Channel
) -> bool:
    """Email a new activation link to a customer who has not activated yet.

    Only a verified, active customer whose login has no password yet gets
    one; for anyone else nothing happens and the answer is False, so a
    caller learns nothing it could not already see. The new link replaces
    the earlier ones: the unusable password that tokens hash is drawn
    anew. The email leaves after commit.

    Staff need the permission that decides KYC. Anyone else may ask: the
    link only ever goes to the customer's own address.
    """
    if actor.kind in {CallerKind.STAFF, CallerKind.SERVICE} and not actor.has(
        Scope.KYC_DECIDE
    ):
        raise ActivationResendNotAllowed()

    with transaction.atomic():
        # The profile first, then the login: the order deactivation uses.
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        if locked.user_id is not None:
            locked.user = (
                get_user_model().objects.select_for_update().get(pk=locked.user_id)
            )
        if not account_awaits_activation(locked):
            return False

        locked.user.set_unusable_password()
        locked.user.save(update_fields=["password"])
        transaction.on_commit(
            partial(activation_link_email_send, customer_id=locked.pk)
        )

    logger.info(
        "new activation link for customer %s by %s via %s",
        locked.public_id,
        actor.label,
        channel,
    )
    return True


def account_awaits_activation(customer: Customer) -> bool:
    """Verified and active, with a login whose password is not chosen yet.

    The only case in which a new activation link helps; the admin shows
    its button by this.
    """
    user = customer.user if customer.user_id is not None else None
    return (
        customer.is_active
        and customer.kyc_status == KycStatus.VERIFIED
        and user is not None
        and user.is_active
        and not user.has_usable_password()
    )


def activation_email_context(customer: Customer) -> dict:
    """What an email carrying a fresh activation link needs."""
    return {
        "first_name": customer.first_name,
        "activation_url": activation_url(customer),
        "valid_hours": int(ACTIVATION_TIMEOUT.total_seconds() // 3600),
    }


def activation_link_email_send(*, customer_id: int) -> None:
    customer = Customer.objects.select_related("user").get(pk=customer_id)
    email_send(
        customer=customer,
        template="activation_link",
        context=activation_email_context(customer),
    )
