import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

EXTERNAL_ID_PATTERN = r"^[A-Za-z0-9._:-]{1,64}$"

validate_external_id = RegexValidator(
    EXTERNAL_ID_PATTERN,
    message="Use 1 to 64 letters, digits, dots, underscores, colons or hyphens.",
    code="invalid_external_id",
)

EXTERNAL_ID_RE = re.compile(EXTERNAL_ID_PATTERN)


def validate_printable(value: str) -> None:
    """Names in any script, but no control or formatting characters."""
    if any(unicodedata.category(char) in {"Cc", "Cf"} for char in value):
        raise ValidationError(
            "Control characters are not allowed.", code="invalid_characters"
        )


# Removed before the check of free text that may run over several lines.
LAYOUT_CHARACTERS = str.maketrans("", "", "\n\r\t")


def validate_multiline(value: str) -> None:
    """Free text: as ``validate_printable``, but lines and tabs allowed."""
    validate_printable(value.translate(LAYOUT_CHARACTERS))


def normalize_email(value: str) -> str:
    """Trim and lower-case the domain; the local part keeps its case."""
    local, _, domain = value.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if local else value.strip()
