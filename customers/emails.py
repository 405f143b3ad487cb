"""Sending an email to a customer, from the templates in templates/emails.

Callers send after their transaction has committed. A failed send is
logged by public id and error type only, and never raises: the change
that caused the email stands.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from customers.models import Customer

logger = logging.getLogger(__name__)


def email_send(*, customer: Customer, template: str, context: dict) -> bool:
    """Render ``emails/<template>*`` and send it; False if it failed."""
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
        return False
    logger.info("%s email sent to customer %s", template, customer.public_id)
    return True
