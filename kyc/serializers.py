"""JSON shapes of the KYC API, in camelCase."""

from rest_framework import serializers

from customers.models import KycStatus
from customers.serializers import CustomerOutput, StrictCharField, StrictSerializer
from customers.validators import validate_multiline, validate_printable
from kyc.models import (
    NOTE_MAX_LENGTH,
    REFERENCE_MAX_LENGTH,
    ActorKind,
    KycChannel,
    KycReason,
    KycTransition,
)


def reference_field() -> StrictCharField:
    return StrictCharField(
        max_length=REFERENCE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        validators=[validate_printable],
        help_text="The KYC provider's own case id.",
    )


def note_field() -> StrictCharField:
    return StrictCharField(
        max_length=NOTE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        validators=[validate_multiline],
    )


# An approval's reason is a one-line summary; longer text goes in the note.
APPROVAL_REASON_MAX_LENGTH = 200


class KycApproveInput(StrictSerializer):
    """An approval. `reason` and `note` are both kept as the history's note,
    so give one of them, not both.
    """

    # Approvals have no reason codes: a free-text reason is a note, shown
    # like any note only to readers allowed to see personal data.
    reason = StrictCharField(
        max_length=APPROVAL_REASON_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        validators=[validate_printable],
        help_text=(
            "Why the identity was accepted, one line of free text; kept in "
            "the history as the note. Give this or `note`, not both."
        ),
    )
    reference = reference_field()
    note = note_field()

    def validate(self, attrs):
        if attrs["reason"] and attrs["note"]:
            raise serializers.ValidationError(
                {"reason": "Give the reason or a note, not both."},
                code="reason_and_note",
            )
        return attrs

    def service_arguments(self) -> dict:
        data = self.validated_data
        return {
            "reference": data["reference"],
            "note": data["reason"] or data["note"],
        }


class KycFailInput(StrictSerializer):
    reason = serializers.ChoiceField(
        choices=KycReason.choices,
        error_messages={"invalid_choice": "Choose one of the listed reason codes."},
    )
    reference = reference_field()
    note = note_field()


class KycDecidedCustomer(CustomerOutput):
    """The decided customer: `id` and `kycStatus` for every caller that
    decides; the rest of the profile with `customers:read`, and contact data
    with `customers:read_pii`, as a read of the profile shows it.
    """

    ALWAYS = ("id", "kycStatus")

    def get_fields(self):
        fields = super().get_fields()
        # The short form, for callers that may not read the profile.
        if not self.context.get("include_profile", True):
            return {name: fields[name] for name in self.ALWAYS}
        for name, field in fields.items():
            if name not in self.ALWAYS:
                field.required = False
        return fields


class KycDecided(serializers.Serializer):
    message = serializers.CharField()
    customer = KycDecidedCustomer()


class KycEventOutput(serializers.Serializer):
    """One KYC transition: from, to, by what kind of actor, through what.

    The customer does not see ``reason`` and ``reference``; ``note`` needs
    ``customers:read_pii``.
    """

    DETAIL_FIELDS = ("reason", "reference")

    transition = serializers.ChoiceField(choices=KycTransition.choices)
    fromState = serializers.ChoiceField(source="from_state", choices=KycStatus.choices)
    toState = serializers.ChoiceField(source="to_state", choices=KycStatus.choices)
    reason = serializers.CharField(
        source="reason_code", required=False, help_text="Set when KYC failed."
    )
    reference = serializers.CharField(required=False)
    note = serializers.CharField(required=False)
    actor = serializers.ChoiceField(source="actor_kind", choices=ActorKind.choices)
    channel = serializers.ChoiceField(choices=KycChannel.choices)
    createdAt = serializers.DateTimeField(source="created_at")

    def get_fields(self):
        fields = super().get_fields()
        if not self.context.get("include_details", True):
            for name in self.DETAIL_FIELDS:
                fields.pop(name)
        if not self.context.get("include_note", True):
            fields.pop("note")
        return fields


class KycHistoryOutput(serializers.Serializer):
    events = KycEventOutput(many=True)
