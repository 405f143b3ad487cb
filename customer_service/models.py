"""Service clients: the backend services allowed to call the API."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from customer_service.access import SERVICE_SCOPES, Scope


def validate_service_scopes(scopes: list[str] | frozenset[str]) -> None:
    """Only grantable scopes, and PII only on top of plain reading."""
    unknown = sorted(set(scopes) - SERVICE_SCOPES)
    if unknown:
        raise ValidationError(
            "Unknown or not grantable to a service: %(unknown)s. Choose from: "
            "%(known)s.",
            code="unknown_scope",
            params={
                "unknown": ", ".join(unknown),
                "known": ", ".join(sorted(SERVICE_SCOPES)),
            },
        )
    if Scope.READ_PII in scopes and Scope.READ not in scopes:
        raise ValidationError(
            "customers:read_pii only adds contact data to customers:read; grant both.",
            code="pii_without_read",
        )


class ServiceClient(models.Model):
    """A service calling with client credentials, and the scopes it holds.

    The OAuth application carries the credentials (its secret stored
    hashed); this row says what the service may do. Narrowing ``scopes``
    takes effect at once, also for tokens already issued.
    """

    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="service_client",
    )
    scopes = models.CharField(
        max_length=255,
        blank=True,
        help_text="Granted scopes, separated by spaces.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application__name"]

    def __str__(self) -> str:
        return self.application.name or self.application.client_id

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    def clean(self) -> None:
        try:
            validate_service_scopes(self.scope_set)
        except ValidationError as error:
            raise ValidationError({"scopes": error}) from None
