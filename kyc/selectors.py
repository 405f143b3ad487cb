"""Reads of KYC state and history, for the API and the admin."""

from django.db.models import QuerySet

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

    A customer waits from sign-up, or from the last reopening; the partial
    index ``customer_kyc_queue`` serves exactly this filter and order.
    """
    return Customer.objects.filter(
        kyc_status=KycStatus.PENDING, is_active=True
    ).order_by("kyc_pending_since", "id")
