"""Error codes of the customers app; clients branch on these."""

from enum import StrEnum

from customer_service.errors import ServiceError


class CustomerErrorCode(StrEnum):
    EMAIL_TAKEN = "email_taken"
    EXTERNAL_ID_TAKEN = "external_id_taken"
    NOT_FOUND = "not_found"
    PROFILE_NOT_AVAILABLE = "profile_not_available"
    VERSION_CONFLICT = "version_conflict"


class EmailTaken(ServiceError):
    def __init__(self) -> None:
        super().__init__(
            status=409,
            code=CustomerErrorCode.EMAIL_TAKEN,
            detail="A customer with this email already exists.",
        )


class ExternalIdTaken(ServiceError):
    def __init__(self) -> None:
        super().__init__(
            status=409,
            code=CustomerErrorCode.EXTERNAL_ID_TAKEN,
            detail="A customer with this externalId already exists.",
        )


class VersionConflict(ServiceError):
    """The profile changed since the caller read it; carries the new ETag."""

    def __init__(self, *, current_version: int) -> None:
        super().__init__(
            status=409,
            code=CustomerErrorCode.VERSION_CONFLICT,
            detail="The profile has changed since you read it. Reload it and "
            "apply your change again.",
            headers={"ETag": f'"{current_version}"'},
        )
