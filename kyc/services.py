"""KYC decisions: the only way a customer's KYC status changes.

The API, the admin and any job call these functions, so each rule lives
here once. Every decision locks the customer row, re-reads the state,
runs the transition, bumps the profile version (the status is part of the
representation the ETag stands for), appends a history row, and sends
email only after the transaction has committed.
"""

import logging
from functools import partial

from django.db import transaction
from django.db.models import F

from customer_service.access import Caller, CallerKind, Channel
from customers.accounts import account_create_for
from customers.models import Customer, KycStatus
from kyc.emails import kyc_approved_email_send, kyc_failed_email_send
from kyc.errors import (
    ConditionFailed,
    DecisionNotAllowed,
    InvalidReason,
    InvalidTransition,
    TextTooLong,
)
from kyc.models import (
    NOTE_MAX_LENGTH,
    REFERENCE_MAX_LENGTH,
    KycEvent,
    KycReason,
    KycSubject,
    KycTransition,
)
from kyc.selectors import kyc_may_decide

logger = logging.getLogger(__name__)

DECIDED = "KYC has already been decided for this customer."
NOT_ALLOWED = {
    (KycTransition.REOPEN, KycStatus.PENDING): "KYC is already pending.",
    (KycTransition.REOPEN, KycStatus.VERIFIED): "Verified KYC cannot be reopened.",
}


def kyc_approve(
    *,
    customer: Customer,
    actor: Caller,
    channel: Channel,
    reference: str = "",
    note: str = "",
) -> Customer:
    """Verify the customer and create their login account.

    After commit the customer is emailed a link to choose a password.
    """
    with transaction.atomic():
        subject = kyc_transition_run(
            customer=customer,
            actor=actor,
            channel=channel,
            name=KycTransition.APPROVE,
            reference=reference,
            note=note,
        )
        account_create_for(subject)
        transaction.on_commit(partial(kyc_approved_email_send, customer_id=subject.pk))
    return subject


def kyc_fail(
    *,
    customer: Customer,
    actor: Caller,
    channel: Channel,
    reason_code: str,
    note: str = "",
    reference: str = "",
) -> Customer:
    """Record that verification did not succeed, and tell the customer."""
    if reason_code not in KycReason.values:
        raise InvalidReason()

    with transaction.atomic():
        subject = kyc_transition_run(
            customer=customer,
            actor=actor,
            channel=channel,
            name=KycTransition.FAIL,
            reason_code=reason_code,
            reference=reference,
            note=note,
        )
        transaction.on_commit(partial(kyc_failed_email_send, customer_id=subject.pk))
    return subject


def kyc_reopen(
    *, customer: Customer, actor: Caller, channel: Channel, note: str = ""
) -> Customer:
    """Put a failed customer back in the queue for a new attempt."""
    with transaction.atomic():
        return kyc_transition_run(
            customer=customer,
            actor=actor,
            channel=channel,
            name=KycTransition.REOPEN,
            note=note,
        )


def kyc_transition_run(
    *,
    customer: Customer,
    actor: Caller,
    channel: Channel,
    name: KycTransition,
    reason_code: str = "",
    reference: str = "",
    note: str = "",
) -> KycSubject:
    """Lock, check, transition, save and record, inside the caller's atomic.

    Two decisions racing on one customer queue on the row lock; the second
    re-reads the decided state and gets ``InvalidTransition``.
    """
    if not kyc_may_decide(actor):
        raise DecisionNotAllowed()
    text_check(reference=reference, note=note)

    subject = KycSubject.objects.select_for_update().get(pk=customer.pk)
    source = subject.kyc_status
    if subject.transition_named(name) is None:
        raise InvalidTransition(NOT_ALLOWED.get((name, source), DECIDED))
    refusals = subject.refusals(name)
    if refusals:
        raise ConditionFailed(refusals)

    getattr(subject, name)()
    subject.version = F("version") + 1
    subject.save(
        update_fields=["kyc_status", "kyc_pending_since", "version", "updated_at"]
    )
    subject.refresh_from_db(fields=["version"])

    KycEvent.objects.create(
        customer=subject,
        from_state=source,
        to_state=subject.kyc_status,
        transition=name,
        actor_kind=actor.kind,
        actor_user=actor.user if actor.kind == CallerKind.STAFF else None,
        actor_client_id=client_id_of(actor),
        channel=channel,
        reason_code=reason_code,
        note=note,
        reference=reference,
    )

    logger.info(
        "kyc %s for customer %s by %s via %s",
        name,
        subject.public_id,
        actor.label,
        channel,
    )
    return subject


def client_id_of(actor: Caller) -> str:
    if actor.kind != CallerKind.SERVICE or actor.application is None:
        return ""
    return actor.application.client_id


def text_check(*, reference: str, note: str) -> None:
    too_long = {
        field: limit
        for field, value, limit in (
            ("reference", reference, REFERENCE_MAX_LENGTH),
            ("note", note, NOTE_MAX_LENGTH),
        )
        if len(value) > limit
    }
    if too_long:
        raise TextTooLong(too_long)
