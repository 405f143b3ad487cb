"""Error codes of the customers app; clients branch on these."""

from enum import StrEnum

from customer_service.errors import FieldError, ServiceError


class CustomerErrorCode(StrEnum):
    EMAIL_TAKEN = "email_taken"
    EXTERNAL_ID_TAKEN = "external_id_taken"
    NOT_FOUND = "not_found"
    PROFILE_NOT_AVAILABLE = "profile_not_available"
    INVALID_ACTIVATION_LINK = "invalid_activation_link"
    VERSION_CONFLICT = "version_conflict"
    FIELD_NOT_UPDATABLE = "field_not_updatable"
    PRECONDITION_REQUIRED = "precondition_required"
    INVALID_IF_MATCH = "invalid_if_match"
    VALIDATION_ERROR = "validation_error"
    # A password Django's validators refuse without naming a rule. (An
    # error code, not a secret.)
    INVALID_PASSWORD = "invalid_password"  # noqa: S105
    PERMISSION_DENIED = "permission_denied"


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


class InvalidActivationLink(ServiceError):
    """Unknown, used or expired: the caller is never told which."""

    def __init__(self) -> None:
        super().__init__(
            status=400,
            code=CustomerErrorCode.INVALID_ACTIVATION_LINK,
            detail=(
                "This activation link is not valid: it has expired or has "
                "already been used."
            ),
        )


class PasswordRefused(ServiceError):
    """The password breaks Django's rules; ``errors`` names each one."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(
            status=400,
            code=CustomerErrorCode.VALIDATION_ERROR,
            detail="The request has invalid fields.",
            errors=errors,
        )


class ActivationResendNotAllowed(ServiceError):
    def __init__(self) -> None:
        super().__init__(
            status=403,
            code=CustomerErrorCode.PERMISSION_DENIED,
            detail="You are not allowed to send activation links.",
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


class ProfileNotAvailable(ServiceError):
    """The profile exists but is closed; staff still see it."""

    def __init__(self) -> None:
        super().__init__(
            status=404,
            code=CustomerErrorCode.PROFILE_NOT_AVAILABLE,
            detail="Profile not available.",
        )


class PreconditionRequired(ServiceError):
    def __init__(self) -> None:
        super().__init__(
            status=428,
            code=CustomerErrorCode.PRECONDITION_REQUIRED,
            detail="Send the ETag of the profile you read in the If-Match header, "
            "so that your change cannot overwrite a newer one.",
        )


class InvalidIfMatch(ServiceError):
    def __init__(self) -> None:
        super().__init__(
            status=400,
            code=CustomerErrorCode.INVALID_IF_MATCH,
            detail='If-Match must be exactly one ETag of this profile, such as "3".',
        )


class FieldNotUpdatable(ServiceError):
    def __init__(self, fields: list[str]) -> None:
        super().__init__(
            status=400,
            code=CustomerErrorCode.FIELD_NOT_UPDATABLE,
            detail="Field not updatable.",
            errors=[
                FieldError(
                    field=name,
                    code=CustomerErrorCode.FIELD_NOT_UPDATABLE,
                    message="Field not updatable.",
                )
                for name in fields
            ],
        )
