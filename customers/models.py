import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django_countries.fields import CountryField
from django_fsm import FSMField, FSMModelMixin
from phonenumber_field.modelfields import PhoneNumberField

from customers.validators import EXTERNAL_ID_PATTERN, validate_external_id


class KycStatus(models.TextChoices):
    """Where a customer stands in identity verification.

    The field holding it is protected; the ``kyc`` app owns the transitions.
    """

    PENDING = "pending", "KYC pending"
    VERIFIED = "verified", "Verified"
    FAILED = "failed", "Failed"


@dataclass(frozen=True)
class Address:
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str = ""
    region: str = ""

    def is_complete(self) -> bool:
        return all((self.line1, self.city, self.postal_code, self.country))


class Customer(FSMModelMixin, models.Model):
    """A customer's profile.

    ``public_id`` is the only id a client ever sees; the integer key stays
    inside the service. ``version`` grows with every change and travels to
    clients in the ETag header, never in a body.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    external_id = models.CharField(
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_external_id],
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    nickname = models.CharField(max_length=100, blank=True, default="")
    email = models.EmailField(max_length=254)
    phone = PhoneNumberField()

    address_line1 = models.CharField(max_length=200)
    address_line2 = models.CharField(max_length=200, blank=True, default="")
    address_city = models.CharField(max_length=100)
    address_region = models.CharField(max_length=100, blank=True, default="")
    address_postal_code = models.CharField(max_length=20)
    address_country = CountryField()

    is_active = models.BooleanField(default=True)
    kyc_status = FSMField(
        max_length=16,
        choices=KycStatus.choices,
        default=KycStatus.PENDING,
        protected=True,
    )
    # When the current KYC attempt began: sign-up, or the last reopening.
    # The KYC queue is ordered by it.
    kyc_pending_since = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    # Created when KYC is verified: before that the customer cannot sign in.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customer",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        permissions = [
            ("view_customer_pii", "Can see customers' email, phone and address"),
        ]
        constraints = [
            # Django's iexact lookup compares UPPER(email), so this index also
            # serves every case-insensitive email search.
            models.UniqueConstraint(Upper("email"), name="customer_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(external_id__isnull=True)
                | models.Q(external_id__regex=EXTERNAL_ID_PATTERN),
                name="customer_external_id_format",
            ),
            models.CheckConstraint(
                condition=models.Q(kyc_status__in=KycStatus.values),
                name="customer_kyc_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="customer_version_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="customer_newest_first"),
            models.Index(
                fields=["kyc_pending_since", "id"],
                condition=models.Q(kyc_status=KycStatus.PENDING, is_active=True),
                name="customer_kyc_queue",
            ),
        ]

    def __str__(self) -> str:
        # Admin pages and logs show this: the public id, never personal data.
        return f"Customer {self.public_id}"

    @property
    def address(self) -> Address:
        return Address(
            line1=self.address_line1,
            line2=self.address_line2,
            city=self.address_city,
            region=self.address_region,
            postal_code=self.address_postal_code,
            country=str(self.address_country),
        )

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


class CustomerChange(models.Model):
    """One recorded change of a profile: who, when, through what, and which
    fields. Values are not kept here, so the record holds no personal data.
    """

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="changes"
    )
    version = models.PositiveIntegerField(help_text="The version it produced.")
    fields = models.JSONField(help_text="API names of the fields changed.")
    reason = models.CharField(max_length=500, blank=True, default="")
    actor_kind = models.CharField(max_length=16)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_client_id = models.CharField(max_length=100, blank=True, default="")
    channel = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="change_by_customer"),
        ]

    def __str__(self) -> str:
        return f"Change to version {self.version}"
