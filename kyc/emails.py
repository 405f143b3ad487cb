"""Emails that tell a customer the outcome of their verification.

They are sent after the decision has committed, so a rolled-back decision
never emails anyone. A failed send is logged and never undoes the decision
(``customers.emails.email_send``).
"""

from customers.accounts import activation_email_context
from customers.emails import email_send
from customers.models import Customer


def kyc_approved_email_send(*, customer_id: int) -> None:
    """Welcome the customer and send the link that activates their login."""
    customer = Customer.objects.select_related("user").get(pk=customer_id)
    context = activation_email_context(customer)
    email_send(customer=customer, template="kyc_approved", context=context)


def kyc_failed_email_send(*, customer_id: int) -> None:
    """Tell the customer verification did not succeed, without internals."""
    customer = Customer.objects.get(pk=customer_id)
    context = {"first_name": customer.first_name}
    email_send(customer=customer, template="kyc_failed", context=context)
