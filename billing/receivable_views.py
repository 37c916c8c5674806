"""Finance's receivables page (/receivables/): per customer the open amount in aging buckets,
a totals row over the whole filtered set, CSV and XLSX export; and the drill-down to one
customer's open installments."""

from datetime import timedelta
from typing import Any

import django_filters
import django_tables2 as tables
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing import receivables
from billing.models import ReminderLevel
from billing.receivables import (
    BUCKETS,
    aging,
    aging_totals,
    with_customers,
)
from customers.choices import CustomerGroup
from customers.selectors import customers_visible_to
from oms.exports import export_plan, is_large, plain_rows
from oms.filters import SearchFilterSet
from oms.generic import ObjectDetailView, ObjectListView, _with_param
from oms.regions import REGION_CHOICES
from oms.tables import BaseTable, DateColumn, FooterCell, MoneyColumn, format_money
from oms.xlsx import CONTENT_TYPE, xlsx_bytes

VIEW = "billing.view_invoice"


class ReceivableFilterSet(SearchFilterSet):
    search_fields = ("customer__name", "customer__code")

    group = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Customer group"),
        field_name="customer__group",
        choices=CustomerGroup.choices,
        distinct=False,  # one customer per row: no DISTINCT over the whole list
    )
    salesperson = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Salesperson"),
        field_name="customer__salesperson",
        queryset=get_user_model().objects.filter(groups__name="sales").order_by("username"),
    )
    region = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Region"),
        field_name="customer__region",
        choices=REGION_CHOICES,
        distinct=False,
    )
    bucket = django_filters.ChoiceFilter(
        label=gettext_lazy("Has an amount"), choices=BUCKETS, method="in_bucket"
    )
    overdue = django_filters.BooleanFilter(
        label=gettext_lazy("Overdue only"),
        method="only_overdue",
        widget=django_filters.widgets.BooleanWidget(),
    )

    class Meta:
        model = receivables.CustomerReceivable
        fields = ["q", "group", "salesperson", "region", "bucket", "overdue"]

    def in_bucket(self, queryset, name, value):
        # A column of the customers' receivables rows: a WHERE on the small table.
        return queryset.filter(**{f"{value}__gt": 0}) if value else queryset

    def only_overdue(self, queryset, name, value):
        return queryset.filter(overdue__gt=0) if value else queryset


def _total(name: str):
    def footer(table) -> str:
        return format_money(table.totals[name])

    return footer


class AmountColumn(MoneyColumn):
    """A bucket: blank when nothing is in it, so the amounts that matter stand out."""

    def render(self, value):
        return format_money(value) if value else ""


class ReceivableTable(BaseTable):
    name = tables.Column(verbose_name=gettext_lazy("Customer"), orderable=False)
    code = tables.Column(verbose_name=gettext_lazy("Code"), orderable=False)
    salesperson = tables.Column(verbose_name=gettext_lazy("Salesperson"), orderable=False)
    not_due = AmountColumn(verbose_name=BUCKETS[0][1])
    days_1_30 = AmountColumn(verbose_name=BUCKETS[1][1])
    days_31_60 = AmountColumn(verbose_name=BUCKETS[2][1])
    days_61_90 = AmountColumn(verbose_name=BUCKETS[3][1])
    days_over_90 = AmountColumn(verbose_name=BUCKETS[4][1])
    total = MoneyColumn(
        verbose_name=gettext_lazy("Total open"), attrs={"td": {"class": "text-end fw-semibold"}}
    )
    unapplied = AmountColumn(verbose_name=gettext_lazy("Unapplied credit"), orderable=False)
    credit_limit = MoneyColumn(verbose_name=gettext_lazy("Credit limit"), orderable=False)
    credit_used = MoneyColumn(verbose_name=gettext_lazy("Credit used"), orderable=False)
    last_payment = DateColumn(verbose_name=gettext_lazy("Last payment"), orderable=False)
    reminder_level = tables.Column(verbose_name=gettext_lazy("Reminder"), orderable=False)

    class Meta(BaseTable.Meta):
        empty_text = gettext_lazy("No customer owes anything that matches these filters.")
        order_by = ("-total",)

    AMOUNT_COLUMNS = (*receivables.BUCKET_NAMES, "total")

    def render_name(self, value, record):
        url = reverse("billing:receivable_customer", args=[record["customer"]])
        return format_html('<a href="{}">{}</a>', url, value or record["customer"])

    def render_reminder_level(self, value):
        tone = {1: "text-bg-info", 2: "text-bg-warning", 3: "text-bg-danger"}.get(value, "")
        return format_html('<span class="badge {}">{}</span>', tone, ReminderLevel(value).label)

    def value_reminder_level(self, value):
        return ReminderLevel(value).label if value else ""

    def render_credit_used(self, value, record):
        over = record["credit_limit"] and value > record["credit_limit"]
        text = format_money(value)
        return (
            format_html('<span class="text-danger fw-semibold">{}</span>', text) if over else text
        )

    def paginate(self, *args, **kwargs):
        super().paginate(*args, **kwargs)
        # The page's customers, with their columns, in one query (never one per row).
        with_customers([getattr(row, "record", row) for row in self.page.object_list])

    @property
    def totals(self) -> dict:
        if not hasattr(self, "_totals"):
            # One aggregate over the filtered rows (the page's query stays a LIMIT on an
            # index when sorted by total).
            self._totals = aging_totals(self.data.data)
        return self._totals

    def summary_footer(self) -> list[FooterCell]:
        if not getattr(self, "page", None):
            return []
        totals = self.totals
        label = _("Total of %(count)s customers") % {"count": totals["customers"]}
        cells = [FooterCell(label, colspan=3, css="fw-semibold")]
        cells += [
            FooterCell(format_money(totals[name]), css="text-end fw-semibold")
            for name in self.AMOUNT_COLUMNS
        ]
        cells.append(FooterCell("", colspan=len(self.columns) - len(cells) - 2))
        return cells


class ReceivableListView(ObjectListView):
    permission_required = VIEW
    filterset_class = ReceivableFilterSet
    table_class = ReceivableTable
    template_name = "billing/receivables_list.html"
    title = gettext_lazy("Receivables")
    export_name = "receivables"

    def get_queryset(self) -> QuerySet:
        return aging(self.request.user)

    def get_summary(self, queryset) -> str:
        return _("Open amounts by installment due date, as of %(date)s.") % {
            "date": timezone.localdate().isoformat()
        }

    def get_extra_context(self) -> dict[str, Any]:
        return {
            "xlsx_url": _with_param(self.request, "export", "xlsx"),
            "buckets": BUCKETS,
            "statement_start": (timezone.localdate() - timedelta(days=90)).replace(day=1),
            "statement_end": timezone.localdate(),
        }

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            return self.export_xlsx(request)
        if request.GET.get("export") == "csv":
            queryset = self.filter_queryset(request)[1]
            if is_large(queryset):  # the page that offers a file job
                return self.export_csv(self.table_class(queryset))
            return self.export_csv(self.export_table(request))
        return super().get(request, *args, **kwargs)

    def export_table(self, request) -> tables.Table:
        """Every row of the filtered, sorted list with its customer's columns, the customers
        read a chunk at a time."""
        _filterset, queryset = self.filter_queryset(request)
        table = self.table_class(queryset)
        tables.RequestConfig(request, paginate=False).configure(table)
        rows = list(table.data.data)
        for start in range(0, len(rows), 2000):
            with_customers(rows[start : start + 2000])
        return self.table_class(rows, order_by=())

    def export_xlsx(self, request) -> HttpResponse:
        _filterset, queryset = self.filter_queryset(request)
        if is_large(queryset):
            return render(
                request,
                "oms/export_start.html",
                {
                    "title": self.title,
                    "action": _with_param(request, "export", "csv"),
                    "list_url": _with_param(request, "export", None),
                    "limit": settings.OMS_EXPORT_INLINE_MAX_ROWS,
                },
            )
        table = self.export_table(request)
        plan = export_plan(table, table.data.data)
        rows = [row for chunk in plain_rows(plan, table.data.data) for row in chunk]
        response = HttpResponse(
            xlsx_bytes(plan.headers, rows, str(self.title)), content_type=CONTENT_TYPE
        )
        name = f"{self.export_name}-{timezone.localtime().strftime('%Y%m%d-%H%M')}.xlsx"
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response


class ReceivableCustomerView(ObjectDetailView):
    """One customer's open invoices and installments: due, open, days overdue."""

    permission_required = VIEW
    template_name = "billing/receivables_customer.html"

    def get_object(self):
        return customers_visible_to(self.request.user).filter(pk=self.kwargs["pk"]).first()

    def get_context_data(self, **kwargs):
        if self.object is None:
            raise Http404
        context = super().get_context_data(**kwargs)
        context["rows"] = receivables.customer_open_installments(self.object)
        context["balance"] = receivables.customer_balance(self.object)
        context["buckets"] = [(name, label, context["balance"][name]) for name, label in BUCKETS]
        context["panels"] = []
        return context
