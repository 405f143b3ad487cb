"""Reads of customer profiles. Each runs one query.

Lookups take the raw value from the URL or query string: a malformed one
finds nothing rather than raising.
"""

import uuid

from django.db.models import QuerySet

from customers.models import Customer
from customers.validators import EXTERNAL_ID_RE


def parse_public_id(value: str) -> uuid.UUID | None:
    """A public id in its canonical form (any letter case), else None."""
    try:
        parsed = uuid.UUID(value)
    except (TypeError, ValueError):
        return None
    return parsed if str(parsed) == value.lower() else None


def customer_get_by_public_id(*, public_id: str) -> Customer | None:
    parsed = parse_public_id(public_id)
    if parsed is None:
        return None
    try:
        return Customer.objects.get(public_id=parsed)
    except Customer.DoesNotExist:
        return None


def customer_get_by_external_id(*, external_id: str) -> Customer | None:
    if not EXTERNAL_ID_RE.fullmatch(external_id):
        return None
    try:
        return Customer.objects.get(external_id=external_id)
    except Customer.DoesNotExist:
        return None


def customer_list(*, include_inactive: bool) -> QuerySet[Customer]:
    """Newest first, in the order of the ``customer_newest_first`` index."""
    customers = Customer.objects.order_by("-created_at", "-id")
    return customers if include_inactive else customers.filter(is_active=True)


def customer_exists_by_email(*, email: str) -> bool:
    """Any profile, active or not: a closed profile's email stays taken.

    ``iexact`` compares ``UPPER(email)``, which the unique index
    ``customer_email_ci_unique`` serves.
    """
    return Customer.objects.filter(email__iexact=email).exists()


def customer_get_by_email(*, email: str) -> Customer | None:
    """The profile with this email in any letter case, active or not."""
    return Customer.objects.filter(email__iexact=email).first()


def customer_exists_by_external_id(*, external_id: str) -> bool:
    return Customer.objects.filter(external_id=external_id).exists()
