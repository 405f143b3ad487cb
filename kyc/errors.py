"""Error codes of the kyc app; clients branch on these."""

from enum import StrEnum

from customer_service.errors import FieldError, ServiceError


class KycErrorCode(StrEnum):
    # The current state does not allow the transition, including a decision
    # on a customer someone else has decided already.
    INVALID_TRANSITION = "invalid_transition"
    # The state allows it, but the customer does not qualify yet.
    CONDITION_FAILED = "kyc_condition_failed"
    INVALID_REASON = "invalid_reason"
    PERMISSION_DENIED = "permission_denied"
    VALIDATION_ERROR = "validation_error"
    # Per field, as the API's serializers name the same problem.
    MAX_LENGTH = "max_length"


class InvalidTransition(ServiceError):
    def __init__(self, detail: str) -> None:
        super().__init__(
            status=409, code=KycErrorCode.INVALID_TRANSITION, detail=detail
        )


class ConditionFailed(ServiceError):
    def __init__(self, refusals: list[str]) -> None:
        super().__init__(
            status=409,
            code=KycErrorCode.CONDITION_FAILED,
            detail=" ".join(refusals),
        )


class InvalidReason(ServiceError):
    def __init__(self) -> None:
        super().__init__(
            status=400,
            code=KycErrorCode.INVALID_REASON,
            detail="A failure needs one of the listed reason codes.",
            errors=[
                FieldError(
                    field="reason",
                    code=KycErrorCode.INVALID_REASON,
                    message="Choose one of the listed reason codes.",
                )
            ],
        )


class TextTooLong(ServiceError):
    """Free text over its limit, from a caller that skipped the API."""

    def __init__(self, limits: dict[str, int]) -> None:
        super().__init__(
            status=400,
            code=KycErrorCode.VALIDATION_ERROR,
            detail="The request has invalid fields.",
            errors=[
                FieldError(
                    field=field,
                    code=KycErrorCode.MAX_LENGTH,
                    message=f"Ensure this field has no more than {limit} characters.",
                )
                for field, limit in limits.items()
            ],
        )


class DecisionNotAllowed(ServiceError):
    def __init__(self) -> None:
        super().__init__(
            status=403,
            code=KycErrorCode.PERMISSION_DENIED,
            detail="You are not allowed to decide KYC.",
        )
