"""The KYC state machine and its append-only history.

``Customer.kyc_status`` is declared by the customers app as a protected
FSM field; this app owns the transitions, declared on ``KycSubject``, a
proxy of the customer. Only the services in ``kyc.services`` run them.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import transition

from customer_service.access import CallerKind, Channel
from customers.models import Customer, KycStatus


class KycTransition(models.TextChoices):
    APPROVE = "approve", "Approved"
    FAIL = "fail", "Failed"
    REOPEN = "reopen", "Reopened"


class KycReason(models.TextChoices):
    """Why a verification failed; a free note can add detail."""

    DOCUMENT_UNREADABLE = "document_unreadable", "Document unreadable"
    DOCUMENT_EXPIRED = "document_expired", "Document expired"
    IDENTITY_MISMATCH = "identity_mismatch", "Identity does not match the profile"
    SUSPECTED_FRAUD = "suspected_fraud", "Suspected fraud"
    OTHER = "other", "Other"


class ActorKind(models.TextChoices):
    """Who can decide KYC: the caller kinds of the access model."""

    STAFF = CallerKind.STAFF.value, "Staff member"
    SERVICE = CallerKind.SERVICE.value, "Service"
    SYSTEM = CallerKind.SYSTEM.value, "System"


class KycChannel(models.TextChoices):
    ADMIN = Channel.ADMIN.value, "Admin"
    API = Channel.API.value, "API"
    SYSTEM = Channel.SYSTEM.value, "System"


def refusal(message: str):
    """Attach the message a person sees when a condition is not met."""

    def mark(condition):
        condition.refusal = message
        return condition

    return mark


@refusal("KYC can only be approved for an active customer.")
def customer_is_active(subject: Customer) -> bool:
    return subject.is_active


@refusal("KYC can only be approved when the customer's address is complete.")
def address_is_complete(subject: Customer) -> bool:
    return subject.address.is_complete()


class KycSubject(Customer):
    """A customer seen from KYC: the one place its status can change."""

    class Meta:
        proxy = True
        verbose_name = "KYC subject"
        verbose_name_plural = "KYC queue"

    @transition(
        field="kyc_status",
        source=KycStatus.PENDING,
        target=KycStatus.VERIFIED,
        conditions=[customer_is_active, address_is_complete],
    )
    def approve(self) -> None:
        """Identity verified; the service then creates the login account."""

    @transition(field="kyc_status", source=KycStatus.PENDING, target=KycStatus.FAILED)
    def fail(self) -> None:
        """Identity not verified; the service records the reason."""

    @transition(field="kyc_status", source=KycStatus.FAILED, target=KycStatus.PENDING)
    def reopen(self) -> None:
        """A new attempt after a failure; it joins the queue's end."""
        self.kyc_pending_since = timezone.now()

    @classmethod
    def transition_from(cls, name: str, state: str):
        """The ``django_fsm`` transition ``name`` out of ``state``.

        ``None`` when that state does not allow it.
        """
        meta = getattr(cls, name)._django_fsm
        return meta.get_transition(state) if meta.has_transition(state) else None

    def transition_named(self, name: str):
        return self.transition_from(name, self.kyc_status)

    def refusals(self, name: str) -> list[str]:
        """Messages of the conditions of transition ``name`` not met now."""
        found = self.transition_named(name)
        conditions = found.conditions if found is not None else []
        return [c.refusal for c in conditions if not c(self)]


NOTE_MAX_LENGTH = 2000
REFERENCE_MAX_LENGTH = 200


class AppendOnlyError(Exception):
    """A KYC history row was about to be changed or removed."""


class KycEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("KYC history is append-only.")

    def delete(self):
        raise AppendOnlyError("KYC history is append-only.")


class KycEvent(models.Model):
    """One KYC transition, written once and never changed.

    On PostgreSQL a trigger refuses UPDATE and DELETE as well, so not even
    raw SQL can rewrite history. Rows keep their customer and staff user
    alive (PROTECT): deactivation never deletes anyone, and a decision
    must stay attributable.
    """

    # The (customer, created_at) index serves lookups by customer too.
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="kyc_events",
        db_index=False,
    )
    from_state = models.CharField(max_length=16, choices=KycStatus.choices)
    to_state = models.CharField(max_length=16, choices=KycStatus.choices)
    transition = models.CharField(max_length=16, choices=KycTransition.choices)
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    # PROTECT, not SET_NULL: nulling the column would be an UPDATE of an
    # append-only row. Staff leave by being deactivated, not deleted.
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_client_id = models.CharField(max_length=100, blank=True, default="")
    channel = models.CharField(max_length=16, choices=KycChannel.choices)
    reason_code = models.CharField(
        max_length=32, choices=KycReason.choices, blank=True, default=""
    )
    note = models.TextField(blank=True, default="")
    # The automated provider's own case id, for cross-checking.
    reference = models.CharField(
        max_length=REFERENCE_MAX_LENGTH, blank=True, default=""
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = KycEventQuerySet.as_manager()

    class Meta:
        verbose_name = "KYC event"
        verbose_name_plural = "KYC history"
        ordering = ["created_at", "id"]
        # History is written by the services only, so the admin needs no
        # add, change or delete permission for it.
        default_permissions = ("view",)
        permissions = [("decide_kyc", "Can approve or fail KYC")]
        indexes = [
            models.Index(fields=["customer", "created_at"], name="kyc_event_history"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(transition=KycTransition.FAIL)
                | ~models.Q(reason_code=""),
                name="kyc_event_fail_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(actor_kind=ActorKind.STAFF, actor_user__isnull=False)
                | models.Q(actor_kind=ActorKind.SERVICE, actor_client_id__gt="")
                | models.Q(actor_kind=ActorKind.SYSTEM),
                name="kyc_event_actor_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_state=models.F("to_state")),
                name="kyc_event_changes_state",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.transition}: {self.from_state} → {self.to_state}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("KYC history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("KYC history is append-only.")
