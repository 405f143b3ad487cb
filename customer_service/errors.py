"""The one error type that services raise and every interface maps.

A service raises ``ServiceError`` (or a subclass) with an HTTP status, a
stable code from its app's enum and a detail for people. The API turns it
into a problem document; the admin shows the detail as a message.
"""

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field; ``field`` is a camelCase path."""

    field: str | None
    code: str
    message: str


@dataclass
class ServiceError(Exception):
    status: int
    code: StrEnum | str
    detail: str
    errors: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}"
