"""JSON shapes of the KYC API, in camelCase."""

from rest_framework import serializers

from customers.models import KycStatus
from customers.serializers import CustomerOutput, StrictSerializer
from kyc.models import (
    NOTE_MAX_LENGTH,
    REFERENCE_MAX_LENGTH,
    ActorKind,
    KycChannel,
    KycReason,
    KycTransition,
)


def reference_field() -> serializers.CharField:
    return serializers.CharField(
        max_length=REFERENCE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="The KYC provider's own case id.",
    )


def note_field() -> serializers.CharField:
    return serializers.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class KycApproveInput(StrictSerializer):
    reference = reference_field()
    note = note_field()


class KycFailInput(StrictSerializer):
    reason = serializers.ChoiceField(
        choices=KycReason.choices,
        error_messages={"invalid_choice": "Choose one of the listed reason codes."},
    )
    reference = reference_field()
    note = note_field()


class KycDecided(serializers.Serializer):
    message = serializers.CharField()
    customer = CustomerOutput()


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
