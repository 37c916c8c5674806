"""The payment list's filters and tables, and the allocation tables of the detail pages."""

import django_filters
import django_tables2 as tables
from django.db.models import Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from billing.choices import PaymentKind, PaymentMethod, PaymentSource
from billing.models import Payment, PaymentAllocation
from oms.filters import SearchFilterSet
from oms.forms import date_input
from oms.tables import BaseTable, DateColumn, MoneyColumn, format_money


def received_filter(label, lookup: str) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        label=label, field_name="received_on", lookup_expr=lookup, widget=date_input()
    )


class PaymentFilterSet(SearchFilterSet):
    search_fields = ("number", "reference", "payer", "customer__name", "customer__code")

    kind = django_filters.MultipleChoiceFilter(label=_("Kind"), choices=PaymentKind.choices)
    method = django_filters.MultipleChoiceFilter(label=_("Method"), choices=PaymentMethod.choices)
    source = django_filters.MultipleChoiceFilter(label=_("Source"), choices=PaymentSource.choices)
    with_credit = django_filters.BooleanFilter(
        label=_("With unapplied credit"), method="filter_with_credit"
    )
    received_from = received_filter(_("Received from"), "gte")
    received_until = received_filter(_("Received until"), "lte")

    class Meta:
        model = Payment
        fields = ["q", "kind", "method", "source", "with_credit", "received_from", "received_until"]

    def filter_with_credit(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(unapplied__gt=0) if value else queryset.filter(unapplied=0)


def page_amount(table) -> str:
    """The sum of the amounts on this page (refunds count negative)."""
    rows = table.page.object_list if getattr(table, "page", None) else []
    return format_money(sum(getattr(row, "record", row).amount for row in rows))


class PaymentTable(BaseTable):
    number = tables.Column(linkify=True, attrs={"td": {"class": "text-nowrap"}})
    received_on = DateColumn(verbose_name=_("Date"))
    customer = tables.Column(
        accessor="customer__name",
        verbose_name=_("Customer"),
        order_by=("customer__name",),
        footer=_("Page total"),
    )
    kind = tables.Column()
    method = tables.Column()
    reference = tables.Column()
    payer = tables.Column()
    amount = MoneyColumn(footer=page_amount)
    unapplied = MoneyColumn(verbose_name=_("Credit left"))
    fee = MoneyColumn()

    class Meta(BaseTable.Meta):
        model = Payment
        fields = (
            "number",
            "received_on",
            "customer",
            "kind",
            "method",
            "reference",
            "payer",
            "amount",
            "unapplied",
            "fee",
        )
        empty_text = _("No payments match these filters.")

    export_values = {
        "customer": Concat("customer__name", Value(" ("), "customer__code", Value(")"))
    }


class PaymentAllocationTable(BaseTable):
    """On a payment's page: the invoices it settles."""

    invoice = tables.Column(
        accessor="invoice__number",
        verbose_name=_("Invoice"),
        linkify=lambda record: record.invoice.get_absolute_url(),
    )
    order = tables.Column(
        accessor="invoice__order__number",
        verbose_name=_("Order"),
        linkify=lambda record: record.invoice.order.get_absolute_url(),
    )
    due = DateColumn(accessor="invoice__due_date", verbose_name=_("Due"))
    invoice_total = MoneyColumn(accessor="invoice__total", verbose_name=_("Invoice total"))
    amount = MoneyColumn(verbose_name=_("Allocated"))

    class Meta(BaseTable.Meta):
        model = PaymentAllocation
        fields = ("invoice", "order", "due", "invoice_total", "amount")
        orderable = False
        empty_text = _("Nothing allocated: the whole amount is the customer's credit.")


class InvoicePaymentTable(BaseTable):
    """On an invoice's page: the payments that settle it."""

    payment = tables.Column(
        accessor="payment__number",
        verbose_name=_("Payment"),
        linkify=lambda record: record.payment.get_absolute_url(),
    )
    received_on = DateColumn(accessor="payment__received_on", verbose_name=_("Date"))
    method = tables.Column(accessor="payment__method", verbose_name=_("Method"))
    reference = tables.Column(accessor="payment__reference", verbose_name=_("Reference"))
    amount = MoneyColumn(verbose_name=_("Allocated"))

    class Meta(BaseTable.Meta):
        model = PaymentAllocation
        fields = ("payment", "received_on", "method", "reference", "amount")
        orderable = False
        empty_text = _("No payment yet.")

    def render_method(self, value, record):
        return record.payment.get_method_display()
