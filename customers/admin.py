"""The operations back office for customer profiles.

Support and operations search and read profiles here all day, on a table
of a million rows, so every page costs a fixed number of queries and every
search matches an index (see the admin search index migration). People
without the PII permission neither see nor search by email, phone or
address. Edits go through ``customer_update`` with the version the page
was loaded with, so an operator never overwrites a newer change unseen.
"""

from typing import NamedTuple

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connections
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from phonenumbers import (
    NumberParseException,
    PhoneNumberFormat,
    format_number,
    is_valid_number,
    parse,
)

from customer_service.access import Caller, Channel, Scope, resolve_caller
from customer_service.errors import ServiceError
from customers.models import Address, Customer, CustomerChange
from customers.services import (
    customer_deactivate,
    customer_reactivate,
    customer_update,
)
from customers.validators import validate_printable

CONTACT_FIELDS = ("email", "phone")
ADDRESS_FIELDS = (
    "address_line1",
    "address_line2",
    "address_city",
    "address_region",
    "address_postal_code",
    "address_country",
)
NAME_FIELDS = ("first_name", "last_name", "nickname")
READ_ONLY_FIELDS = (
    "public_id",
    "external_id",
    "email",
    "kyc_status",
    "is_active",
    "version",
    "created_at",
    "updated_at",
)
# The only fields the changelist may filter on through its URL; anything
# else (``?email__startswith=a``) would be a search by another name.
FILTERABLE_FIELDS = frozenset(
    {"kyc_status", "is_active", "address_country", "created_at"}
)


def mask_email(email: str) -> str:
    """``jane@example.com`` becomes ``j***@example.com``."""
    local, at, domain = email.partition("@")
    if not at or not local:
        return "***"
    return f"{local[0]}***@{domain}"


def admin_caller(request) -> Caller:
    return resolve_caller(request.user, None)


def can_see_pii(request) -> bool:
    return admin_caller(request).has(Scope.READ_PII)


def as_e164(term: str) -> str | None:
    """The E.164 form of a phone number typed with spaces, or ``None``."""
    if not term.startswith("+"):
        return None
    try:
        number = parse(term, None)
    except NumberParseException:
        return None
    if not is_valid_number(number):
        return None
    return format_number(number, PhoneNumberFormat.E164)


class EstimatedCountPaginator(Paginator):
    """Counts matching rows up to a limit, and estimates beyond it.

    COUNT(*) reads every matching row on every page load, so its cost
    grows with the table (up to 120 ms measured at a million customers
    with everything cached, far more from disk). Counting at most
    ``exact_limit + 1`` rows costs about as much as showing a page. Past
    the limit an unfiltered list on PostgreSQL takes the planner's row
    estimate of the table, and anything else says "more than" the limit.
    """

    exact_limit = 10_000

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.count_kind = "exact"

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        rows = queryset.order_by().values("pk")
        bounded = rows[: self.exact_limit + 1].count()
        if bounded <= self.exact_limit:
            return bounded

        self.count_kind = "at_least"
        if not queryset.query.where:
            estimate = table_row_estimate(queryset)
            if estimate > self.exact_limit:
                self.count_kind = "estimate"
                return estimate
        return bounded

    @property
    def count_text(self) -> str:
        """The count as the paginator line shows it."""
        if self.count_kind == "estimate":
            return f"about {self.count:,}"
        if self.count_kind == "at_least":
            return f"more than {self.exact_limit:,}"
        return f"{self.count:,}"


def table_row_estimate(queryset) -> int:
    """PostgreSQL's estimate of a table's rows; 0 where there is none."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return 0
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
            [table],
        )
        row = cursor.fetchone()
    # -1 means the table was never analysed.
    return max(row[0], 0) if row else 0


class CountryFilter(admin.ChoicesFieldListFilter):
    template = "admin/customers/collapsed_filter.html"


class ObjectTool(NamedTuple):
    """A button above the customer page, leading to a confirmation page."""

    label: str
    url: str


class CustomerAdminForm(forms.ModelForm):
    # The version the page was loaded with: saving a page someone else
    # changed in the meantime must fail rather than overwrite their change.
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Customer
        fields = ()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["expected_version"].initial = self.instance.version
        for name in (*NAME_FIELDS, *ADDRESS_FIELDS):
            if name in self.fields and name != "address_country":
                self.fields[name].validators.append(validate_printable)

    def profile_changes(self) -> dict:
        """The edited profile in the shape ``customer_update`` takes.

        Every editable value goes in; the service writes only those that
        differ from the stored profile.
        """
        data = self.cleaned_data
        changes = {
            name: data[name] for name in (*NAME_FIELDS, "phone") if name in self.fields
        }
        if "address_line1" in self.fields:
            changes["address"] = Address(
                line1=data["address_line1"],
                line2=data["address_line2"],
                city=data["address_city"],
                region=data["address_region"],
                postal_code=data["address_postal_code"],
                country=str(data["address_country"]),
            )
        return changes


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        validators=[validate_printable],
        help_text="Recorded with the change; the customer does not see it.",
    )


class AuditTrailInline(admin.TabularInline):
    """A read-only list of audit rows naming who acted: a staff member by
    username, a service by client id, otherwise the kind of actor.
    """

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor_user")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="by")
    def actor(self, row) -> str:
        if row.actor_user is not None:
            return row.actor_user.get_username()
        return row.actor_client_id or row.actor_kind


class CustomerChangeInline(AuditTrailInline):
    """Who changed the profile, when, through what, and which fields."""

    model = CustomerChange
    verbose_name = "profile change"
    verbose_name_plural = "Profile changes"
    fields = ("created_at", "actor", "channel", "changed_fields", "version", "reason")

    @admin.display(description="fields")
    def changed_fields(self, change: CustomerChange) -> str:
        return ", ".join(change.fields)


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    form = CustomerAdminForm
    inlines = [CustomerChangeInline]
    change_form_template = "admin/customers/customer/change_form.html"
    action_form_template = "admin/customers/customer/confirm_action.html"

    list_filter = (
        "kyc_status",
        "is_active",
        ("address_country", CountryFilter),
        ("created_at", admin.DateFieldListFilter),
    )
    # Counts per filter choice would aggregate over the whole table.
    show_facets = admin.ShowFacets.NEVER
    ordering = ("-created_at", "-id")
    # Sorting by other columns would sort the whole table on every page.
    sortable_by = ("created_at",)
    list_per_page = 50
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    # Profiles are never deleted, and KYC decisions are taken one person
    # at a time: no bulk actions at all.
    actions = None
    search_help_text = (
        "Name (any part), externalId, or with the PII permission the exact "
        "email or phone number (+44 7400 123456)."
    )

    def get_list_display(self, request):
        email = "email" if can_see_pii(request) else "masked_email"
        return (
            "name",
            email,
            "kyc_status",
            "is_active",
            "address_country",
            "created_at",
        )

    def get_search_fields(self, request):
        # Each lookup matches an index: UPPER(email) for iexact, the unique
        # external_id index, trigram indexes on UPPER(name) for icontains,
        # and phone as stored (E.164).
        fields = ["external_id__exact", "first_name", "last_name"]
        if can_see_pii(request):
            fields += ["=email", "phone__exact"]
        return fields

    def get_search_results(self, request, queryset, search_term):
        phone = as_e164(search_term.strip()) if can_see_pii(request) else None
        if phone is not None:
            search_term = phone
        return super().get_search_results(request, queryset, search_term)

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        if lookup.split(LOOKUP_SEP)[0] not in FILTERABLE_FIELDS:
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (
                None,
                {
                    "fields": (
                        "public_id",
                        "external_id",
                        *NAME_FIELDS,
                        "kyc_status",
                        "is_active",
                    )
                },
            )
        ]
        if can_see_pii(request):
            fieldsets += [
                ("Contact", {"fields": CONTACT_FIELDS}),
                ("Address", {"fields": ADDRESS_FIELDS}),
            ]
        record = ("version", "created_at", "updated_at")
        if self.has_change_permission(request, obj):
            record += ("expected_version",)
        fieldsets.append(("Record", {"fields": record}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return READ_ONLY_FIELDS

    def has_add_permission(self, request) -> bool:
        # Customers sign themselves up through the API.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="name")
    def name(self, customer: Customer) -> str:
        return f"{customer.first_name} {customer.last_name}"

    @admin.display(description="email")
    def masked_email(self, customer: Customer) -> str:
        return mask_email(customer.email)

    def save_model(self, request, obj, form, change) -> None:
        # The form has already copied the edits onto ``obj``; the service
        # compares them with the stored profile, so it gets that instead.
        # A stale version raises, and changeform_view turns it into a
        # message.
        stored = Customer.objects.get(pk=obj.pk)
        saved = customer_update(
            customer=stored,
            expected_version=form.cleaned_data["expected_version"],
            changes=form.profile_changes(),
            actor=admin_caller(request),
            channel=Channel.ADMIN,
        )
        obj.version = saved.version

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceError as error:
            # The admin's transaction has rolled back; the page reloads
            # with what is stored now.
            self.message_user(request, error.detail, messages.ERROR)
            return HttpResponseRedirect(request.path)

    def render_change_form(
        self, request, context, add=False, change=False, form_url="", obj=None
    ):
        context["object_tools"] = self.get_object_tools(request, obj) if obj else []
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_object_tools(self, request, customer: Customer) -> list[ObjectTool]:
        """The buttons above the customer page this user may use."""
        if not self.has_change_permission(request, customer):
            return []
        if customer.is_active:
            return [ObjectTool("Deactivate", self.tool_url("deactivate", customer))]
        return [ObjectTool("Reactivate", self.tool_url("reactivate", customer))]

    def tool_url(self, name: str, customer: Customer) -> str:
        opts = self.opts
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_{name}",
            args=[quote(customer.pk)],
            current_app=self.admin_site.name,
        )

    def get_urls(self):
        opts = self.opts
        prefix = f"{opts.app_label}_{opts.model_name}"
        return [
            path(
                "<path:object_id>/deactivate/",
                self.admin_site.admin_view(self.deactivate_view),
                name=f"{prefix}_deactivate",
            ),
            path(
                "<path:object_id>/reactivate/",
                self.admin_site.admin_view(self.reactivate_view),
                name=f"{prefix}_reactivate",
            ),
            *super().get_urls(),
        ]

    def deactivate_view(self, request, object_id):
        return self.active_change_view(request, object_id, active=False)

    def reactivate_view(self, request, object_id):
        return self.active_change_view(request, object_id, active=True)

    def active_change_view(self, request, object_id, *, active: bool):
        customer = self.customer_for_tool(request, object_id)
        if not self.has_change_permission(request, customer):
            raise PermissionDenied
        verb = "reactivate" if active else "deactivate"
        if customer.is_active == active:
            state = "active" if active else "inactive"
            self.message_user(
                request, f"{customer} is already {state}.", messages.WARNING
            )
            return self.change_page_redirect(customer)

        form = ReasonForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            service = customer_reactivate if active else customer_deactivate
            service(
                customer=customer,
                actor=admin_caller(request),
                channel=Channel.ADMIN,
                reason=form.cleaned_data["reason"],
            )
            self.message_user(request, f"{customer} was {verb}d.", messages.SUCCESS)
            return self.change_page_redirect(customer)

        return self.render_action_form(
            request,
            customer,
            form,
            title=f"{verb.capitalize()} {customer}",
            explanation=(
                "The customer can sign in again."
                if active
                else "The customer can no longer sign in and their tokens are "
                "revoked. Nothing is deleted; the profile can be reactivated."
            ),
            submit=f"Yes, {verb}",
        )

    def customer_for_tool(self, request, object_id) -> Customer:
        customer = self.get_object(request, unquote(object_id))
        if customer is None:
            raise Http404("No such customer.")
        if not self.has_view_permission(request, customer):
            raise PermissionDenied
        return customer

    def change_page_redirect(self, customer: Customer) -> HttpResponseRedirect:
        return HttpResponseRedirect(self.tool_url("change", customer))

    def render_action_form(
        self, request, customer, form, *, title, explanation, submit
    ) -> TemplateResponse:
        """A confirmation page: what will happen, a form, and a button."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": customer,
            "title": title,
            "explanation": explanation,
            "form": form,
            "submit_label": submit,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, self.action_form_template, context)
