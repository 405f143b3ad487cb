"""Two decisions racing on one customer: exactly one wins.

Real threads with their own PostgreSQL connections, so the row lock is
what decides.
"""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from customer_service.access import SYSTEM, Channel
from customer_service.errors import ServiceError
from customers.factories import CustomerFactory
from customers.models import Customer, KycStatus
from kyc.models import KycEvent
from kyc.services import kyc_approve, kyc_fail


def approve(customer):
    kyc_approve(customer=customer, actor=SYSTEM, channel=Channel.API)


def fail(customer):
    kyc_fail(
        customer=customer,
        actor=SYSTEM,
        channel=Channel.API,
        reason_code="identity_mismatch",
    )


def race(customer, decisions) -> list[str]:
    """Run the decisions at once; each outcome is "won" or an error code."""
    barrier = threading.Barrier(len(decisions))
    outcomes: list[str] = []

    def decide(run):
        barrier.wait()
        try:
            run(customer)
            outcomes.append("won")
        except ServiceError as error:
            outcomes.append(str(error.code))
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(run,)) for run in decisions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "decisions",
    [[approve, approve], [approve, fail], [approve, approve, fail, fail]],
    ids=["two-approvals", "approve-and-fail", "four-operators"],
)
def test_racing_decisions_give_one_winner_one_event_one_login(decisions):
    customer = CustomerFactory()

    outcomes = race(customer, decisions)

    assert outcomes.count("won") == 1
    assert outcomes.count("invalid_transition") == len(decisions) - 1
    event = KycEvent.objects.get(customer=customer)
    customer.refresh_from_db()
    assert customer.kyc_status == event.to_state
    assert customer.version == 2
    logins = get_user_model().objects.count()
    if customer.kyc_status == KycStatus.VERIFIED:
        assert logins == 1
        assert Customer.objects.get(pk=customer.pk).user is not None
    else:
        assert logins == 0
