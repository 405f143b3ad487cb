"""The API's JSON shapes, in camelCase.

Input serializers validate shape and format and reject unknown fields;
decisions belong to the services. Output serializers are read-only.
"""

from django_countries import countries
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from customers.errors import FieldNotUpdatable
from customers.models import Address, KycStatus
from customers.services import UPDATABLE_FIELDS
from customers.validators import validate_external_id, validate_printable

NOT_A_STRING = "Not a valid string."


class StrictSerializer(serializers.Serializer):
    """Rejects fields it does not know instead of silently dropping them."""

    def to_internal_value(self, data):
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, dict) else []
        errors = {
            name: [serializers.ErrorDetail("Unknown field.", code="unknown_field")]
            for name in unknown
        }
        try:
            values = super().to_internal_value(data)
        except serializers.ValidationError as error:
            raise serializers.ValidationError({**error.detail, **errors}) from None
        if errors:
            raise serializers.ValidationError(errors)
        return values


class StringOnly:
    """For text fields: only a JSON string is text, and never with NUL.

    DRF's own text fields turn numbers into text, so ``1e999`` would be
    stored as the name "inf". PostgreSQL cannot hold NUL, and fields that
    parse their text (phone numbers) would otherwise drop it silently.
    """

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError(NOT_A_STRING, code="invalid")
        if "\x00" in data:
            raise serializers.ValidationError(
                "Null characters are not allowed.",
                code="null_characters_not_allowed",
            )
        return super().to_internal_value(data)


class StrictCharField(StringOnly, serializers.CharField):
    """The text field of every input.

    An optional field that allows both blank and null takes null as blank:
    apps often send null for "nothing here".
    """

    def validate_empty_values(self, data):
        if data is None and self.allow_null and self.allow_blank:
            return True, ""
        return super().validate_empty_values(data)


class StrictEmailField(StringOnly, serializers.EmailField):
    pass


class StrictPhoneNumberField(StringOnly, PhoneNumberField):
    pass


def name_field(**options) -> StrictCharField:
    """A name: 1 to 100 printable characters, trimmed."""
    return StrictCharField(max_length=100, validators=[validate_printable], **options)


def optional_text(*, max_length: int) -> StrictCharField:
    """A line that may be left out, blank or null, all meaning empty."""
    return StrictCharField(
        max_length=max_length,
        required=False,
        allow_blank=True,
        allow_null=True,
        default="",
        validators=[validate_printable],
    )


class AddressInput(StrictSerializer):
    line1 = StrictCharField(max_length=200, validators=[validate_printable])
    line2 = optional_text(max_length=200)
    city = StrictCharField(max_length=100, validators=[validate_printable])
    region = optional_text(max_length=100)
    postalCode = StrictCharField(max_length=20, validators=[validate_printable])
    country = serializers.ChoiceField(
        choices=[code for code, _ in countries],
        error_messages={"invalid_choice": "Use an ISO 3166-1 alpha-2 country code."},
    )

    def to_internal_value(self, data) -> Address:
        if isinstance(data, dict) and isinstance(data.get("country"), str):
            data = {**data, "country": data["country"].strip().upper()}
        values = super().to_internal_value(data)
        return Address(
            line1=values["line1"],
            line2=values["line2"],
            city=values["city"],
            region=values["region"],
            postal_code=values["postalCode"],
            country=values["country"],
        )


class CustomerCreateInput(StrictSerializer):
    """A sign-up. Optional fields may be left out or sent as null."""

    externalId = StrictCharField(
        max_length=64,
        required=False,
        allow_null=True,
        validators=[validate_external_id],
    )
    firstName = name_field()
    lastName = name_field()
    nickname = name_field(required=False, allow_blank=True, allow_null=True)
    email = StrictEmailField(max_length=254)
    phone = StrictPhoneNumberField()
    address = AddressInput()

    def service_arguments(self) -> dict:
        data = self.validated_data
        return {
            "external_id": data.get("externalId"),
            "first_name": data["firstName"],
            "last_name": data["lastName"],
            "nickname": data.get("nickname", ""),
            "email": data["email"],
            "phone": str(data["phone"]),
            "address": data["address"],
        }


class AddressOutput(serializers.Serializer):
    line1 = serializers.CharField(source="address_line1")
    line2 = serializers.CharField(source="address_line2")
    city = serializers.CharField(source="address_city")
    region = serializers.CharField(source="address_region")
    postalCode = serializers.CharField(source="address_postal_code")
    country = serializers.CharField(source="address_country.code")


class CustomerOutput(serializers.Serializer):
    """A profile as a client sees it: never the version or database key.

    Pass ``include_pii=False`` in the context to leave out email, phone and
    address.
    """

    PII_FIELDS = ("email", "phone", "address")

    id = serializers.UUIDField(source="public_id")
    externalId = serializers.CharField(source="external_id", allow_null=True)
    firstName = serializers.CharField(source="first_name")
    lastName = serializers.CharField(source="last_name")
    nickname = serializers.CharField()
    email = serializers.EmailField(required=False)
    phone = serializers.CharField(required=False)
    address = AddressOutput(source="*", required=False)
    kycStatus = serializers.ChoiceField(source="kyc_status", choices=KycStatus.choices)
    isActive = serializers.BooleanField(source="is_active")
    createdAt = serializers.DateTimeField(source="created_at")

    def get_fields(self):
        fields = super().get_fields()
        if not self.context.get("include_pii", True):
            for name in self.PII_FIELDS:
                fields.pop(name)
        return fields


class CustomerCreated(serializers.Serializer):
    message = serializers.CharField()
    customer = CustomerOutput()


class CustomerUpdateInput(StrictSerializer):
    """A change to a profile, validated as at sign-up.

    Null clears an optional field (``nickname``, ``address.line2``,
    ``address.region``); required ones cannot be null.
    """

    IMMUTABLE_FIELDS = ("id", "externalId", "email", "kycStatus", "createdAt")
    MODEL_FIELDS = {api: model for model, api in UPDATABLE_FIELDS.items()}

    # What a change leaves out stays as it is; an address is given whole.
    firstName = name_field(required=False)
    lastName = name_field(required=False)
    nickname = name_field(required=False, allow_blank=True, allow_null=True)
    phone = StrictPhoneNumberField(required=False)
    address = AddressInput(required=False)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            immutable = [name for name in self.IMMUTABLE_FIELDS if name in data]
            if immutable:
                raise FieldNotUpdatable(immutable)
        return super().to_internal_value(data)

    def changes(self) -> dict:
        """The validated change, keyed by model field."""
        data = self.validated_data
        changes = {
            self.MODEL_FIELDS[name]: value
            for name, value in data.items()
            if name in self.MODEL_FIELDS
        }
        if "phone" in changes:
            changes["phone"] = str(changes["phone"])
        return changes


class CustomerUpdated(serializers.Serializer):
    message = serializers.CharField()
    customer = CustomerOutput()


class CustomerExistsQuery(StrictSerializer):
    """Exactly one of ``email`` or ``externalId``."""

    email = StrictEmailField(max_length=254, required=False)
    externalId = StrictCharField(
        max_length=64, required=False, validators=[validate_external_id]
    )

    def validate(self, attrs):
        if len(attrs) != 1:
            raise serializers.ValidationError(
                "Give exactly one of email or externalId.", code="one_parameter"
            )
        return attrs


class CustomerExists(serializers.Serializer):
    exists = serializers.BooleanField()
