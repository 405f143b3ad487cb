"""KYC in the back office: the queue, the decisions and their history.

A decision is taken on the customer page, one person at a time, after
looking at the profile: approve, fail (with a reason) and reopen are
buttons leading to a confirmation page that POSTs to ``kyc.services``.
Each view checks the decide permission itself; hiding a button is only a
convenience. There are no bulk actions.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.timesince import timesince

from customer_service.access import Channel
from customer_service.errors import ServiceError
from customers.accounts import account_activation_resend, account_awaits_activation
from customers.admin import (
    AuditTrailInline,
    CustomerAdmin,
    EstimatedCountPaginator,
    ObjectTool,
    admin_caller,
)
from customers.models import Customer
from customers.validators import validate_printable
from kyc.models import NOTE_MAX_LENGTH, KycEvent, KycReason, KycSubject
from kyc.selectors import kyc_available_transitions, kyc_may_decide, kyc_queue
from kyc.services import kyc_approve, kyc_fail, kyc_reopen


def note_field() -> forms.CharField:
    return forms.CharField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        validators=[validate_printable],
        help_text="Kept in the KYC history; the customer does not see it.",
    )


class ApproveForm(forms.Form):
    note = note_field()


class FailForm(forms.Form):
    reason_code = forms.ChoiceField(label="Reason", choices=KycReason.choices)
    note = note_field()


class ReopenForm(forms.Form):
    note = note_field()


@dataclass(frozen=True)
class Decision:
    """One KYC transition as the admin offers it."""

    label: str
    form: type[forms.Form]
    service: Callable[..., Customer]
    explanation: str
    done: str


DECISIONS = {
    "approve": Decision(
        label="Approve KYC",
        form=ApproveForm,
        service=kyc_approve,
        explanation="The customer's identity is verified. A login account is "
        "created and the customer is emailed a link to choose a password.",
        done="KYC approved for {customer}; the customer was emailed a link "
        "to choose a password.",
    ),
    "fail": Decision(
        label="Fail KYC",
        form=FailForm,
        service=kyc_fail,
        explanation="The customer's identity could not be verified. The "
        "customer is emailed that verification did not succeed.",
        done="KYC failed for {customer}; the customer was emailed.",
    ),
    "reopen": Decision(
        label="Reopen KYC",
        form=ReopenForm,
        service=kyc_reopen,
        explanation="The customer goes back to the KYC queue for a new attempt.",
        done="KYC reopened for {customer}; the customer is back in the queue.",
    ),
}


class KycEventInline(AuditTrailInline):
    """The customer's KYC history, oldest first, read-only."""

    model = KycEvent
    verbose_name_plural = "KYC history"
    fields = (
        "created_at",
        "transition",
        "from_state",
        "to_state",
        "actor",
        "channel",
        "reason_code",
        "note",
        "reference",
    )


class KycCustomerAdmin(CustomerAdmin):
    """The customer page with its KYC history and decision buttons."""

    inlines = [*CustomerAdmin.inlines, KycEventInline]

    def get_object_tools(self, request, customer: Customer) -> list[ObjectTool]:
        available = kyc_available_transitions(
            customer=customer, actor=admin_caller(request)
        )
        decisions = [
            ObjectTool(DECISIONS[name].label, self.tool_url(f"kyc_{name}", customer))
            for name in available
        ]
        if available_to_resend(request, customer):
            url = self.tool_url("activation_resend", customer)
            decisions.append(ObjectTool("Send a new activation link", url))
        return decisions + super().get_object_tools(request, customer)

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        decisions = [
            path(
                f"<path:object_id>/kyc/{name}/",
                self.admin_site.admin_view(self.decision_view),
                {"name": name},
                name=f"{prefix}_kyc_{name}",
            )
            for name in DECISIONS
        ]
        resend = path(
            "<path:object_id>/activation/resend/",
            self.admin_site.admin_view(self.activation_resend_view),
            name=f"{prefix}_activation_resend",
        )
        return [*decisions, resend, *super().get_urls()]

    def activation_resend_view(self, request, object_id):
        """Follows up an approval whose link was lost or has expired."""
        customer = self.customer_for_tool(request, object_id)
        actor = admin_caller(request)
        if not kyc_may_decide(actor):
            raise PermissionDenied

        form = forms.Form(request.POST if request.method == "POST" else None)
        if not form.is_valid():
            return self.render_action_form(
                request,
                customer,
                form,
                title=f"Send a new activation link: {customer}",
                explanation="The customer is emailed a new link to choose "
                "their password, valid for 72 hours. Links sent before stop "
                "working.",
                submit="Send the link",
            )

        try:
            sent = account_activation_resend(
                customer=customer, actor=actor, channel=Channel.ADMIN
            )
        except ServiceError as error:
            self.message_user(request, error.detail, messages.ERROR)
        else:
            if sent:
                message = (
                    f"A new activation link was emailed to {customer}; "
                    "earlier links no longer work."
                )
                self.message_user(request, message, messages.SUCCESS)
            else:
                message = f"No link sent: {customer} is not waiting to activate."
                self.message_user(request, message, messages.WARNING)
        return self.change_page_redirect(customer)

    def decision_view(self, request, object_id, name: str):
        customer = self.customer_for_tool(request, object_id)
        actor = admin_caller(request)
        if not kyc_may_decide(actor):
            raise PermissionDenied
        decision = DECISIONS[name]
        if name not in kyc_available_transitions(customer=customer, actor=actor):
            self.message_user(
                request,
                f"{decision.label} is not possible: KYC of {customer} is "
                f"{customer.get_kyc_status_display()}.",
                messages.ERROR,
            )
            return self.change_page_redirect(customer)

        form = decision.form(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                decision.service(
                    customer=customer,
                    actor=actor,
                    channel=Channel.ADMIN,
                    **form.cleaned_data,
                )
            except ServiceError as error:
                self.message_user(request, error.detail, messages.ERROR)
            else:
                message = decision.done.format(customer=customer)
                self.message_user(request, message, messages.SUCCESS)
            return self.change_page_redirect(customer)

        return self.render_action_form(
            request,
            customer,
            form,
            title=f"{decision.label}: {customer}",
            explanation=decision.explanation,
            submit=decision.label,
        )


def available_to_resend(request, customer: Customer) -> bool:
    return kyc_may_decide(admin_caller(request)) and account_awaits_activation(customer)


# The customer page needs the KYC history and decisions, but the customers
# app must not depend on kyc. So kyc extends the customers admin and takes
# its place on the site; customers stays usable without kyc.
admin.site.unregister(Customer)
admin.site.register(Customer, KycCustomerAdmin)


@admin.register(KycSubject)
class KycQueueAdmin(admin.ModelAdmin):
    """Active customers waiting for a decision, longest waiting first.

    Each name leads to the customer page, where the decision is taken.
    """

    list_display = ("customer", "waiting", "external_id", "address_country")
    list_display_links = None
    sortable_by = ()
    actions = None
    list_per_page = 50
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    def get_queryset(self, request):
        return kyc_queue()

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("customers.view_customer") and kyc_may_decide(
            admin_caller(request)
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        extra_context = {"title": "KYC queue", **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # A decision is taken on the customer page, which checks its own
        # permissions; this proxy has no page of its own.
        return HttpResponseRedirect(
            reverse(
                "admin:customers_customer_change",
                args=[object_id],
                current_app=self.admin_site.name,
            )
        )

    @admin.display(description="customer")
    def customer(self, subject: Customer) -> str:
        url = reverse(
            "admin:customers_customer_change",
            args=[quote(subject.pk)],
            current_app=self.admin_site.name,
        )
        return format_html(
            '<a href="{}">{} {}</a>', url, subject.first_name, subject.last_name
        )

    @admin.display(description="waiting")
    def waiting(self, subject: Customer) -> str:
        return timesince(subject.kyc_pending_since)
