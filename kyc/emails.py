"""Emails that tell a customer the outcome of their verification.

They are sent after the decision has committed, so a rolled-back decision
never emails anyone. A failed send is logged (by public id and error type
only) and never undoes the decision.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from customers.accounts import ACTIVATION_TIMEOUT, activation_url
from customers.models import Customer

logger = logging.getLogger(__name__)


def kyc_approved_email_send(*, customer_id: int) -> None:
    """Welcome the customer and send the link that activates their login."""
    customer = Customer.objects.select_related("user").get(pk=customer_id)
    context = {
        "first_name": customer.first_name,
        "activation_url": activation_url(customer),
        "valid_hours": int(ACTIVATION_TIMEOUT.total_seconds() // 3600),
    }
    email_send(customer=customer, template="kyc_approved", context=context)


def kyc_failed_email_send(*, customer_id: int) -> None:
    """Tell the customer verification did not succeed, without internals."""
    customer = Customer.objects.get(pk=customer_id)
    context = {"first_name": customer.first_name}
    email_send(customer=customer, template="kyc_failed", context=context)


def email_send(*, customer: Customer, template: str, context: dict) -> None:
    subject = render_to_string(f"emails/{template}_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string(f"emails/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[customer.email],
    )
    message.attach_alternative(
        render_to_string(f"emails/{template}.html", context), "text/html"
    )

    try:
        message.send()
    except Exception as error:
        # The error text of a mail server can name the recipient.
        logger.error(
            "%s email for customer %s was not sent (%s)",
            template,
            customer.public_id,
            type(error).__name__,
        )
        return
    logger.info("%s email sent to customer %s", template, customer.public_id)
