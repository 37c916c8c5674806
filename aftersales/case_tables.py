"""The complaint queue's filters and table, and the lot trace's table (the recall list)."""

import django_filters
import django_tables2 as tables
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.case_selectors import case_workers, due_state
from aftersales.models import Case, CaseCategory, CasePriority, CaseStatus
from oms.filters import SearchFilterSet
from oms.tables import BaseTable, DateTimeColumn, QuantityColumn
from oms.templatetags.oms import status_badge_html
from shipping.models import ShipmentLine

STATUS_TONES = {"open": "blue", "waiting": "amber", "resolved": "green", "closed": "grey"}
PRIORITY_TONES = {"urgent": "red", "high": "orange", "normal": "blue", "low": "grey"}
ROW_CLASSES = {"overdue": "table-danger", "due_soon": "table-warning"}


def status_badge(status: str) -> str:
    return status_badge_html("case", status, CaseStatus(status).label, STATUS_TONES[status])


def priority_badge(priority: str) -> str:
    return status_badge_html(
        "case-priority", priority, CasePriority(priority).label, PRIORITY_TONES[priority]
    )


class CaseFilterSet(SearchFilterSet):
    search_fields = (
        "number",
        "subject",
        "customer__name",
        "customer__code",
        "order__number",
        "lot",
    )

    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=CaseStatus.choices)
    category = django_filters.MultipleChoiceFilter(
        label=_("Category"), choices=CaseCategory.choices
    )
    priority = django_filters.MultipleChoiceFilter(
        label=_("Priority"), choices=CasePriority.choices
    )
    assignee = django_filters.ModelChoiceFilter(
        label=_("Assignee"), queryset=case_workers(), null_label=_("Nobody yet")
    )
    overdue = django_filters.BooleanFilter(
        label=_("Past SLA"), method="filter_overdue", widget=forms.CheckboxInput
    )
    due_soon = django_filters.BooleanFilter(
        label=_("SLA nearly used"), method="filter_due_soon", widget=forms.CheckboxInput
    )
    mine = django_filters.BooleanFilter(
        label=_("Mine"), method="filter_mine", widget=forms.CheckboxInput
    )

    class Meta:
        model = Case
        fields = ["q", "status", "category", "priority", "assignee", "overdue", "due_soon", "mine"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Evaluated per request, so a user who just got the role is in the list.
        self.filters["assignee"].queryset = case_workers()
        assignee = self.form.fields["assignee"]
        assignee.queryset = case_workers()
        assignee.label_from_instance = lambda user: user.get_full_name() or user.get_username()

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(sla_due_at__lte=timezone.now())

    def filter_due_soon(self, queryset, name, value):
        if not value:
            return queryset
        now = timezone.now()
        return queryset.filter(sla_warn_at__lte=now, sla_due_at__gt=now)

    def filter_mine(self, queryset, name, value):
        if not value or not self.request or not self.request.user.is_authenticated:
            return queryset
        return queryset.filter(Q(assignee=self.request.user))


class CaseTable(BaseTable):
    number = tables.Column(
        verbose_name=_("Case"),
        linkify=lambda record: record.get_absolute_url(),
        attrs={"td": {"class": "text-nowrap"}},
    )
    customer = tables.Column(
        accessor="customer__name",
        verbose_name=_("Customer"),
        linkify=lambda record: record.customer.get_absolute_url(),
    )
    subject = tables.Column(verbose_name=_("Subject"))
    category = tables.Column(verbose_name=_("Category"))
    priority = tables.Column(verbose_name=_("Priority"))
    status = tables.Column(verbose_name=_("Status"))
    assignee = tables.Column(accessor="assignee__username", verbose_name=_("Assignee"), default="—")
    sla_due_at = DateTimeColumn(verbose_name=_("SLA due"), default="—")
    order = tables.Column(
        accessor="order__number",
        verbose_name=_("Order"),
        default="",
        linkify=lambda record: record.order.get_absolute_url() if record.order_id else None,
    )
    lot = tables.Column(verbose_name=_("Lot"), default="")
    opened_at = DateTimeColumn(verbose_name=_("Opened"))

    class Meta(BaseTable.Meta):
        model = Case
        fields = (
            "number",
            "customer",
            "subject",
            "category",
            "priority",
            "status",
            "assignee",
            "sla_due_at",
            "order",
            "lot",
            "opened_at",
        )
        order_by = ("sla_due_at",)
        empty_text = _("No cases match these filters.")
        row_attrs = {
            "class": lambda record: ROW_CLASSES.get(due_state(record), ""),
            "data-due": lambda record: due_state(record),
        }

    def render_category(self, record):
        return record.get_category_display()

    def render_priority(self, record):
        return priority_badge(record.priority)

    def value_priority(self, value):
        return CasePriority(value).label

    def render_status(self, record):
        return status_badge(record.status)

    def value_status(self, value):
        return CaseStatus(value).label

    def render_assignee(self, record):
        return record.assignee.get_full_name() or record.assignee.get_username()

    def order_sla_due_at(self, queryset, is_descending):
        from django.db.models import F

        due = F("sla_due_at")
        return (
            queryset.order_by(
                due.desc(nulls_last=True) if is_descending else due.asc(nulls_last=True), "-id"
            ),
            True,
        )


class LotTraceTable(BaseTable):
    """The lot's shipment lines: what the recall list exports."""

    customer = tables.Column(
        accessor="shipment__order__customer__name",
        verbose_name=_("Customer"),
        linkify=lambda record: record.shipment.order.customer.get_absolute_url(),
    )
    customer_code = tables.Column(
        accessor="shipment__order__customer__code", verbose_name=_("Customer code")
    )
    phone = tables.Column(
        accessor="shipment__order__customer__phone", verbose_name=_("Phone"), default=""
    )
    order = tables.Column(
        accessor="shipment__order__number",
        verbose_name=_("Order"),
        linkify=lambda record: record.shipment.order.get_absolute_url(),
    )
    shipment = tables.Column(
        accessor="shipment__number",
        verbose_name=_("Shipment"),
        linkify=lambda record: record.shipment.get_absolute_url(),
    )
    sku = tables.Column(accessor="product__sku", verbose_name=_("SKU"))
    product = tables.Column(accessor="product__name", verbose_name=_("Product"))
    quantity = QuantityColumn(verbose_name=_("Quantity"))
    dispatched_at = DateTimeColumn(
        accessor="shipment__dispatched_at", verbose_name=_("Dispatched"), default="—"
    )
    lot = tables.Column(verbose_name=_("Lot"))

    class Meta(BaseTable.Meta):
        model = ShipmentLine
        fields = (
            "customer",
            "customer_code",
            "phone",
            "order",
            "shipment",
            "sku",
            "product",
            "quantity",
            "dispatched_at",
            "lot",
        )
        empty_text = _("No shipment line carries this lot.")


class LotTraceFilterSet(django_filters.FilterSet):
    """The lot to trace (exact, spaces around it ignored); without one the page lists nothing."""

    lot = django_filters.CharFilter(label=_("Lot / batch"), method="filter_lot")

    class Meta:
        model = ShipmentLine
        fields = ["lot"]

    def get_form_class(self):
        from oms.forms import BootstrapFormMixin

        return type("LotTraceForm", (BootstrapFormMixin, super().get_form_class()), {})

    def filter_lot(self, queryset, name, value):
        return queryset.filter(lot=value.strip())
