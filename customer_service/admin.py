"""Service clients in the admin: see them, change their scopes, remove them.

New clients are made with ``manage.py create_service_client``, which is
the one place their secret is ever shown.
"""

import logging

from django import forms
from django.contrib import admin
from oauth2_provider.models import get_application_model

from customer_service.access import OAUTH_SCOPES, SERVICE_SCOPES
from customer_service.models import ServiceClient, validate_service_scopes

logger = logging.getLogger(__name__)


class ServiceClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=[
            (scope, f"{scope}: {OAUTH_SCOPES[scope]}")
            for scope in sorted(SERVICE_SCOPES)
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Taking a scope away applies at once, to tokens already issued too.",
    )

    class Meta:
        model = ServiceClient
        fields = ["scopes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["scopes"] = sorted(self.instance.scope_set)

    def clean_scopes(self) -> str:
        scopes = self.cleaned_data["scopes"]
        validate_service_scopes(frozenset(scopes))
        return " ".join(sorted(scopes))


@admin.register(ServiceClient)
class ServiceClientAdmin(admin.ModelAdmin):
    form = ServiceClientForm
    list_display = ["name", "client_id", "scopes", "created_at"]
    list_select_related = ["application"]
    search_fields = ["application__name", "application__client_id"]
    fields = ["name", "client_id", "scopes", "created_at"]
    readonly_fields = ["name", "client_id", "created_at"]

    @admin.display(ordering="application__name")
    def name(self, client: ServiceClient) -> str:
        return client.application.name

    @admin.display(description="client id")
    def client_id(self, client: ServiceClient) -> str:
        return client.application.client_id

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        logger.info(
            "service client %s now holds %s (by user %s)",
            obj.application.client_id,
            obj.scopes or "no scopes",
            request.user.pk,
        )

    def delete_model(self, request, obj):
        # The credentials go too, and with them every token.
        obj.application.delete()

    def delete_queryset(self, request, queryset):
        get_application_model().objects.filter(service_client__in=queryset).delete()
