import django_filters
from django.utils.translation import gettext_lazy as _

from billing.choices import CreditReason, InvoiceStatus
from billing.models import CreditNote, Invoice
from customers.choices import PaymentTerms
from oms.filters import SearchFilterSet
from oms.forms import date_input


def day_filter(label, lookup: str) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        label=label, field_name="issue_date", lookup_expr=lookup, widget=date_input()
    )


class InvoiceFilterSet(SearchFilterSet):
    search_fields = ("number", "order__number", "customer__name", "customer__code", "taxpayer_id")

    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=InvoiceStatus.choices)
    payment_terms = django_filters.MultipleChoiceFilter(
        label=_("Payment terms"), choices=PaymentTerms.choices
    )
    issued_from = day_filter(_("Issued from"), "gte")
    issued_until = day_filter(_("Issued until"), "lte")

    class Meta:
        model = Invoice
        fields = ["q", "status", "payment_terms", "issued_from", "issued_until"]


class CreditNoteFilterSet(SearchFilterSet):
    search_fields = ("number", "invoice__number", "order__number", "customer__name")

    reason = django_filters.MultipleChoiceFilter(label=_("Reason"), choices=CreditReason.choices)
    issued_from = day_filter(_("Issued from"), "gte")
    issued_until = day_filter(_("Issued until"), "lte")

    class Meta:
        model = CreditNote
        fields = ["q", "reason", "issued_from", "issued_until"]
