"""Reads of KYC state and history, for the API and the admin."""

from django.db.models import DateTimeField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from customer_service.access import Caller, CallerKind, Scope
from customers.models import Customer, KycStatus
from kyc.models import KycEvent, KycSubject, KycTransition


def kyc_may_decide(actor: Caller) -> bool:
    """Staff and services need the decide scope; the system always may."""
    if actor.kind == CallerKind.SYSTEM:
        return True
    return actor.kind in {CallerKind.STAFF, CallerKind.SERVICE} and actor.has(
        Scope.KYC_DECIDE
    )


def kyc_available_transitions(*, customer: Customer, actor: Caller) -> list[str]:
    """The transitions the actor may start from the customer's state.

    Conditions (active customer, complete address) are not checked here:
    the service refuses with a message saying which one is missing.
    """
    if not kyc_may_decide(actor):
        return []
    return [
        name
        for name in KycTransition.values
        if KycSubject.transition_from(name, customer.kyc_status) is not None
    ]


def kyc_history(*, customer: Customer) -> QuerySet[KycEvent]:
    """The customer's KYC events, oldest first."""
    return KycEvent.objects.filter(customer=customer).order_by("created_at", "id")


def kyc_queue() -> QuerySet[Customer]:
    """Active customers waiting for a decision, longest waiting first.

    ``waiting_since`` is the last reopening, or sign-up if there was none.
    """
    last_reopened = (
        KycEvent.objects.filter(
            customer=OuterRef("pk"), transition=KycTransition.REOPEN
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return (
        Customer.objects.filter(kyc_status=KycStatus.PENDING, is_active=True)
        .annotate(
            waiting_since=Coalesce(
                Subquery(last_reopened, output_field=DateTimeField()), "created_at"
            )
        )
        .order_by("waiting_since", "id")
    )
