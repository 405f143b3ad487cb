"""Log filters: a request id on every line, personal data on none.

The redaction filter is a safety net behind the rule that code logs public
ids only: it masks anything shaped like an email address, a phone number
or an activation link's token before a line leaves the process.
"""

import contextvars
import logging
import re

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar(
    "request_id", default="-"
)

EMAIL = re.compile(r"[^\s@/?&=\"']+@[^\s@/?&=\"']+")
PHONE = re.compile(r"\+\d[\d ()-]{6,}\d")
ACTIVATION_LINK = re.compile(r"(/account/activate/)[^/\s]+/[^/\s]+")


def redact(text: str) -> str:
    text = ACTIVATION_LINK.sub(r"\1[redacted]", text)
    text = EMAIL.sub("[email]", text)
    return PHONE.sub("[phone]", text)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class RedactPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
