"""Writes to customer profiles. Views, the admin and commands call these."""

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from customer_service.access import Caller, CallerKind, Channel
from customer_service.errors import ServiceError
from customers.errors import EmailTaken, ExternalIdTaken, VersionConflict
from customers.models import Address, Customer, CustomerChange
from customers.validators import normalize_email

# What a profile update may change, with the API name each change is
# recorded under. Email, externalId and KYC status are never updatable.
UPDATABLE_FIELDS = {
    "first_name": "firstName",
    "last_name": "lastName",
    "nickname": "nickname",
    "phone": "phone",
    "address": "address",
}

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
        **address_columns(address),
    )

    try:
        with transaction.atomic():
            customer.save(force_insert=True)
    except IntegrityError as error:
        taken = unique_violation(error)
        if taken is None:
            raise
        raise taken from None

    logger.info("customer %s signed up", customer.public_id)
    return customer


def customer_update(
    *,
    customer: Customer,
    expected_version: int,
    changes: dict[str, Any],
    actor: Caller,
    channel: Channel,
) -> Customer:
    """Apply ``changes`` if the profile is still at ``expected_version``.

    The version is checked and bumped in the same UPDATE (compare-and-set),
    so of two writers holding one version exactly one succeeds and the other
    gets ``VersionConflict``; nothing is lost in between. Changes that leave
    every value as it is write nothing and keep the version.
    """
    not_updatable = set(changes) - set(UPDATABLE_FIELDS)
    if not_updatable:
        raise ValueError(f"Not updatable: {sorted(not_updatable)}")
    if expected_version != customer.version:
        raise VersionConflict(current_version=customer.version)

    columns = changed_columns(customer, changes)
    if not columns:
        return customer
    changed_fields = sorted({api_name_of(column) for column in columns})

    now = timezone.now()
    with transaction.atomic():
        updated = Customer.objects.filter(
            pk=customer.pk, version=expected_version
        ).update(**columns, version=F("version") + 1, updated_at=now)
        if not updated:
            raise VersionConflict(current_version=current_version_of(customer))
        record_change(
            customer=customer,
            version=expected_version + 1,
            fields=changed_fields,
            actor=actor,
            channel=channel,
        )

    for column, value in columns.items():
        setattr(customer, column, value)
    customer.version = expected_version + 1
    customer.updated_at = now
    logger.info(
        "customer %s updated to version %s: %s",
        customer.public_id,
        customer.version,
        ", ".join(changed_fields),
    )
    return customer


def customer_deactivate(
    *, customer: Customer, actor: Caller, channel: Channel, reason: str
) -> Customer:
    """Close a profile: it stays, inactive, and its sign-in ends now.

    The customer's tokens are revoked and their login disabled; nothing is
    deleted, and the email stays taken.
    """
    return set_active(
        customer=customer, active=False, actor=actor, channel=channel, reason=reason
    )


def customer_reactivate(
    *, customer: Customer, actor: Caller, channel: Channel, reason: str
) -> Customer:
    """Reopen a closed profile; the customer may sign in again."""
    return set_active(
        customer=customer, active=True, actor=actor, channel=channel, reason=reason
    )


def set_active(
    *, customer: Customer, active: bool, actor: Caller, channel: Channel, reason: str
) -> Customer:
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        if locked.is_active == active:
            return locked

        locked.is_active = active
        locked.version = F("version") + 1
        locked.save(update_fields=["is_active", "version", "updated_at"])
        locked.refresh_from_db(fields=["version"])
        if locked.user_id is not None:
            set_login_enabled(user_id=locked.user_id, enabled=active)
        record_change(
            customer=locked,
            version=locked.version,
            fields=["isActive"],
            actor=actor,
            channel=channel,
            reason=reason,
        )

    logger.info(
        "customer %s %s", locked.public_id, "reactivated" if active else "closed"
    )
    return locked


def set_login_enabled(*, user_id: int, enabled: bool) -> None:
    get_user_model().objects.filter(pk=user_id).update(is_active=enabled)
    if not enabled:
        get_refresh_token_model().objects.filter(user_id=user_id).delete()
        get_access_token_model().objects.filter(user_id=user_id).delete()


def record_change(
    *,
    customer: Customer,
    version: int,
    fields: list[str],
    actor: Caller,
    channel: Channel,
    reason: str = "",
) -> CustomerChange:
    return CustomerChange.objects.create(
        customer=customer,
        version=version,
        fields=fields,
        reason=reason,
        actor_kind=actor.kind,
        actor_user=actor.user if actor.kind != CallerKind.SERVICE else None,
        actor_client_id=(
            actor.application.client_id if actor.application is not None else ""
        ),
        channel=channel,
    )


def changed_columns(customer: Customer, changes: dict[str, Any]) -> dict[str, Any]:
    """The model columns whose value ``changes`` would really alter."""
    wanted = {}
    for name, value in changes.items():
        if name == "address":
            wanted.update(address_columns(value))
        else:
            wanted[name] = value
    return {
        column: value
        for column, value in wanted.items()
        if comparable(getattr(customer, column)) != comparable(value)
    }


def address_columns(address: Address) -> dict[str, str]:
    """An address as the profile's columns hold it."""
    return {
        "address_line1": address.line1,
        "address_line2": address.line2,
        "address_city": address.city,
        "address_region": address.region,
        "address_postal_code": address.postal_code,
        "address_country": address.country,
    }


def comparable(value: Any) -> str:
    """Phone numbers and countries compare by their stored text."""
    return str(getattr(value, "code", value))


def api_name_of(column: str) -> str:
    return "address" if column.startswith("address_") else UPDATABLE_FIELDS[column]


def current_version_of(customer: Customer) -> int:
    return Customer.objects.values_list("version", flat=True).get(pk=customer.pk)


# The unique constraints a sign-up can break, by the name PostgreSQL
# reports and by the message SQLite gives.
TAKEN_BY_CONSTRAINT = {
    "customer_email_ci_unique": EmailTaken,
    "customers_customer_external_id_key": ExternalIdTaken,
}
TAKEN_BY_SQLITE_MESSAGE = {
    "UNIQUE constraint failed: index 'customer_email_ci_unique'": EmailTaken,
    "UNIQUE constraint failed: customers_customer.external_id": ExternalIdTaken,
}


def unique_violation(error: IntegrityError) -> ServiceError | None:
    """The error a client should see for a taken email or externalId.

    None for any other integrity error, such as a check constraint: that
    is a bug to surface, not a conflict to report.
    """
    diagnostics = getattr(error.__cause__, "diag", None)
    constraint = getattr(diagnostics, "constraint_name", None)
    if constraint is not None:
        taken = TAKEN_BY_CONSTRAINT.get(constraint)
    else:
        taken = TAKEN_BY_SQLITE_MESSAGE.get(str(error))
    return taken() if taken is not None else None
