"""Writes to customer profiles. Views, the admin and commands call these."""

import logging

from django.db import IntegrityError, transaction

from customers.errors import EmailTaken, ExternalIdTaken
from customers.models import Address, Customer
from customers.validators import normalize_email

logger = logging.getLogger(__name__)


def customer_create(
    *,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    address: Address,
    external_id: str | None = None,
    nickname: str = "",
) -> Customer:
    """Sign a customer up. The profile starts pending KYC, without login.

    Uniqueness is decided by the database constraints, so two sign-ups racing
    with one email give one profile and one ``EmailTaken``.
    """
    customer = Customer(
        first_name=first_name,
        last_name=last_name,
        nickname=nickname,
        email=normalize_email(email),
        phone=phone,
        external_id=external_id or None,
        address_line1=address.line1,
        address_line2=address.line2,
        address_city=address.city,
        address_region=address.region,
        address_postal_code=address.postal_code,
        address_country=address.country,
    )

    try:
        with transaction.atomic():
            customer.save(force_insert=True)
    except IntegrityError as error:
        raise unique_violation(error) from None

    logger.info("customer %s signed up", customer.public_id)
    return customer


def unique_violation(error: IntegrityError) -> Exception:
    """Map a unique-constraint failure to the error a client should see."""
    message = str(error).lower()
    cause = getattr(error, "__cause__", None)
    constraint = getattr(getattr(cause, "diag", None), "constraint_name", "") or ""
    if "customer_email_ci_unique" in (constraint + message):
        return EmailTaken()
    if "external_id" in (constraint + message):
        return ExternalIdTaken()
    return error
