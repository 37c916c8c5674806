"""The sales analytics page (/analytics/sales/): filters, group by, table, chart, CSV/XLSX,
comparison with the previous period; and the managers' "refresh the summaries" button.

Rights: orders.view_sales_analytics (managers, finance, sales, administrators). A sales user
limited to their own customers (OMS_SALES_OWN_CUSTOMERS_ONLY) sees only the sales of the
customers they look after, and cannot filter or group by salesperson.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from customers.choices import CustomerGroup
from customers.selectors import own_customers_only
from inventory.models import Category, Product
from oms.exports import LINE_END, defuse
from oms.forms import BootstrapFormMixin
from oms.generic import ObjectActionView, RequirePermissionMixin
from oms.regions import REGION_CHOICES
from oms.tasks import enqueue_on_commit
from oms.xlsx import CONTENT_TYPE, xlsx_bytes
from orders import analytics
from orders.analytics import DIMENSIONS, REFRESH_SUMMARY, VIEW_ANALYTICS, SalesFilter, SalesRow
from orders.intake.channels import channel_choices

MAX_DAYS = 3 * 366
CHART_ROWS = 15
INLINE_REFRESH_DAYS = 31  # longer ranges are refreshed by the worker
MAX_SKUS = 50
# Dates people may ask about: keeps a typo (year 1 or 9999) from overflowing date arithmetic.
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def check_date_range(form: forms.Form, *names: str) -> None:
    for name in names:
        value = form.cleaned_data.get(name)
        if value is not None and not EARLIEST <= value <= LATEST:
            form.add_error(
                name,
                _("Choose a date from %(first)s to %(last)s.")
                % {"first": EARLIEST.year, "last": LATEST.year},
            )


class SalesAnalyticsForm(BootstrapFormMixin, forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    group = forms.ChoiceField(
        label=gettext_lazy("Group by"), choices=list(DIMENSIONS.items()), required=False
    )
    channel = forms.MultipleChoiceField(
        label=gettext_lazy("Channel"), choices=channel_choices, required=False
    )
    region = forms.MultipleChoiceField(
        label=gettext_lazy("Province"), choices=REGION_CHOICES, required=False
    )
    sku = forms.CharField(
        label=gettext_lazy("Products (SKUs)"),
        required=False,
        max_length=1000,
        help_text=gettext_lazy("One or more SKUs, separated by commas or spaces."),
    )
    category = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Category"), queryset=Category.objects.order_by("name"), required=False
    )
    customer_group = forms.MultipleChoiceField(
        label=gettext_lazy("Customer group"), choices=CustomerGroup.choices, required=False
    )
    salesperson = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Salesperson"),
        queryset=get_user_model().objects.filter(customers__isnull=False).distinct(),
        required=False,
    )
    compare = forms.BooleanField(
        label=gettext_lazy("Compare with the previous period"), required=False
    )

    def __init__(self, *args, own_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # short lists: the form stays a compact panel
            if isinstance(field.widget, forms.SelectMultiple):
                field.widget.attrs["size"] = 3
        self.fields["salesperson"].queryset = self.fields["salesperson"].queryset.order_by(
            "username"
        )
        if own_only:  # a sales user sees their own customers' sales: no salesperson choice
            del self.fields["salesperson"]
            self.fields["group"].choices = [
                c for c in self.fields["group"].choices if c[0] != "salesperson"
            ]

    def clean_sku(self) -> list[int]:
        skus = [s.strip().upper() for s in self.cleaned_data["sku"].replace(",", " ").split()]
        skus = list(dict.fromkeys(s for s in skus if s))
        if len(skus) > MAX_SKUS:
            raise forms.ValidationError(_("Choose at most %(n)s products.") % {"n": MAX_SKUS})
        found = dict(
            Product.objects.filter(sku__in=skus).values_list("sku", "pk")
        )  # SKUs are stored upper-case
        missing = [s for s in skus if s not in found]
        if missing:
            raise forms.ValidationError(
                _("No product has the SKU %(skus)s.") % {"skus": ", ".join(missing[:5])}
            )
        return [found[s] for s in skus]

    def clean(self):
        cleaned = super().clean()
        check_date_range(self, "start", "end")
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and not self.errors:
            if end < start:
                self.add_error("end", _("The end is before the start."))
            elif (end - start).days > MAX_DAYS:
                self.add_error("end", _("Choose at most three years."))
        return cleaned


def default_period() -> tuple[date, date]:
    today = timezone.localdate()
    return today - timedelta(days=29), today


def sales_filter(cleaned: dict[str, Any]) -> tuple[SalesFilter, str, bool]:
    start, end = default_period()
    if cleaned.get("start") and cleaned.get("end"):
        start, end = cleaned["start"], cleaned["end"]
    elif cleaned.get("start"):
        start = cleaned["start"]
        end = max(start, min(end, start + timedelta(days=MAX_DAYS)))
    elif cleaned.get("end"):
        end = cleaned["end"]
        start = end - timedelta(days=29)
    sales = SalesFilter(
        start=start,
        end=end,
        channels=cleaned.get("channel") or (),
        regions=cleaned.get("region") or (),
        products=cleaned.get("sku") or (),
        categories=[c.pk for c in cleaned.get("category") or ()],
        customer_groups=cleaned.get("customer_group") or (),
        salespeople=[u.pk for u in cleaned.get("salesperson") or ()],
    )
    return sales, cleaned.get("group") or "day", bool(cleaned.get("compare"))


def export_rows(
    rows: list[SalesRow], total: SalesRow, compare: bool
) -> tuple[list[str], list[list[Any]]]:
    headers = [
        str(_("Group")),
        str(_("Orders")),
        str(_("Lines")),
        str(_("Quantity")),
        str(_("Net revenue")),
        str(_("Tax")),
    ]
    if compare:
        headers += [str(_("Previous period revenue")), str(_("Change %"))]
    body = []
    for row in [*rows, total]:
        cells: list[Any] = [
            row.label,
            row.orders,
            row.lines if row.lines is not None else "",
            row.quantity if row.quantity is not None else "",
            row.net_revenue,
            row.tax,
        ]
        if compare:
            cells += [
                row.previous_revenue if row.previous_revenue is not None else "",
                row.change_percent if row.change_percent is not None else "",
            ]
        body.append(cells)
    return headers, body


class SalesAnalyticsView(RequirePermissionMixin, TemplateView):
    permission_required = VIEW_ANALYTICS
    template_name = "orders/analytics/sales.html"

    def get(self, request: HttpRequest, *args, **kwargs):
        own_only = own_customers_only(request.user)
        form = SalesAnalyticsForm(request.GET or None, own_only=own_only)
        title = _("Sales analytics")
        if request.GET and not form.is_valid():
            return self.render_to_response({"form": form, "title": title}, status=422)
        cleaned = form.cleaned_data if request.GET else {}
        sales, group, compare = sales_filter(cleaned)
        rows = analytics.sales_aggregate(user=request.user, sales=sales, group=group)
        total = analytics.sales_total(user=request.user, sales=sales)
        previous_total = None
        if compare:
            previous = sales.previous()
            analytics.with_previous(
                rows,
                analytics.sales_aggregate(user=request.user, sales=previous, group=group),
                shift_days=(sales.start - previous.start).days if group == "day" else 0,
            )
            previous_total = analytics.sales_total(user=request.user, sales=previous)
            total.previous_revenue = previous_total.net_revenue
            total.previous_orders = previous_total.orders
        export = request.GET.get("export")
        if export in {"csv", "xlsx"}:
            return self.export(export, rows, total, compare, group, sales)
        chart_rows = rows if group in {"day", "week", "month"} else rows[:CHART_ROWS]
        chart = {
            "kind": "line" if group in {"day", "week", "month"} else "bar",
            "labels": [row.label for row in chart_rows],
            "revenue": [float(row.net_revenue) for row in chart_rows],
            "orders": [row.orders for row in chart_rows],
            "previous": [float(row.previous_revenue or 0) for row in chart_rows]
            if compare
            else None,
            "revenueLabel": str(_("Net revenue")),
            "previousLabel": str(_("Previous period")),
            "ordersLabel": str(_("Orders")),
            "currency": settings.OMS_CURRENCY,
        }
        query = request.GET.copy()
        query.pop("export", None)
        return self.render_to_response(
            {
                "form": form,
                "title": title,
                "rows": rows,
                "total": total,
                "group": group,
                "group_label": DIMENSIONS[group],
                "sales": sales,
                "previous": sales.previous() if compare else None,
                "compare": compare,
                "chart": chart,
                "chart_truncated": len(rows) > len(chart_rows),
                "csv_url": "?" + _with(query, "export", "csv"),
                "xlsx_url": "?" + _with(query, "export", "xlsx"),
                "product_grain": group in analytics.PRODUCT_DIMENSIONS or sales.needs_products,
                "last_refresh": analytics.last_refresh(),
                "may_refresh": request.user.has_perm(REFRESH_SUMMARY),
            }
        )

    def export(self, kind, rows, total, compare, group, sales) -> HttpResponse:
        headers, body = export_rows(rows, total, compare)
        headers[0] = str(DIMENSIONS[group])
        name = f"sales-{group}-{sales.start:%Y%m%d}-{sales.end:%Y%m%d}"
        if kind == "xlsx":
            response = HttpResponse(
                xlsx_bytes(headers, body, str(_("Sales analytics"))), content_type=CONTENT_TYPE
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
            return response
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out, lineterminator=LINE_END)
        writer.writerow(headers)
        for cells in body:
            writer.writerow([defuse(c) if isinstance(c, str) else c for c in cells])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response


def _with(query, key: str, value: str) -> str:
    query = query.copy()
    query[key] = value
    return query.urlencode()


class RefreshForm(forms.Form):
    start = forms.DateField()
    end = forms.DateField()

    def clean(self):
        cleaned = super().clean()
        check_date_range(self, "start", "end")
        return cleaned


class SalesSummaryRefreshView(ObjectActionView):
    """POST: rewrite the summaries of a range of days (at once for up to a month, else in the
    worker). Managers: orders.refresh_sales_summary."""

    permission_required = REFRESH_SUMMARY

    def perform(self, request, **kwargs) -> str:
        from django.core.exceptions import ValidationError

        form = RefreshForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose the days to refresh."))
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        end = min(end, timezone.localdate() - timedelta(days=1))
        if end < start:
            raise ValidationError(_("Only past days have summaries; today is always live."))
        if (end - start).days > MAX_DAYS:
            raise ValidationError(_("Choose at most three years."))
        days = (end - start).days + 1
        if days <= INLINE_REFRESH_DAYS:
            analytics.sales_summaries_refresh(start=start, end=end, actor=request.user)
            return _("The sales summaries of %(days)s days were refreshed.") % {"days": days}
        from orders.tasks import refresh_sales_summary_range

        enqueue_on_commit(
            refresh_sales_summary_range, start.isoformat(), end.isoformat(), request.user.pk
        )
        return _(
            "The sales summaries of %(days)s days are being refreshed in the background; "
            "reload the page in a minute."
        ) % {"days": days}
