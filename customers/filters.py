"""Query filters for the customer list (GET /api/v1/customers)."""

from django.db.models import Q
from django_countries import countries
from django_filters import rest_framework as filters

from customer_service.access import caller_of
from customer_service.permissions import sees_pii
from customers.models import Customer, KycStatus

NAME_FIELDS = ("first_name", "last_name", "nickname")


class CustomerFilter(filters.FilterSet):
    kycStatus = filters.ChoiceFilter(field_name="kyc_status", choices=KycStatus.choices)
    # A choice, not a boolean filter: those ignore values they cannot read.
    isActive = filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")], method="active"
    )
    country = filters.ChoiceFilter(
        field_name="address_country", choices=list(countries)
    )
    createdAfter = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    createdBefore = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    search = filters.CharFilter(method="search_words", max_length=100)

    class Meta:
        model = Customer
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and "country" in data:
            data = data.copy()
            data["country"] = data["country"].strip().upper()
        super().__init__(data, *args, **kwargs)

    def active(self, queryset, name, value):
        return queryset.filter(is_active=value == "true")

    def search_words(self, queryset, name, value):
        """Every word must appear in a name, or for PII readers the email."""
        fields = NAME_FIELDS
        if sees_pii(caller_of(self.request)):
            fields = (*NAME_FIELDS, "email")
        for word in value.split():
            matches = Q()
            for field in fields:
                matches |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(matches)
        return queryset
