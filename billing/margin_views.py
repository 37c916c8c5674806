"""The margin report (/margin/) and the order page's margin panel; figures from billing.margin."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.generic import TemplateView

from billing.margin import GROUPS, VIEW_MARGIN, Margin, margin_rows, order_margin, totals
from oms.exports import LINE_END, defuse
from oms.generic import RequirePermissionMixin
from oms.regions import region_label
from oms.tables import format_money
from orders.intake.channels import channel_names
from orders.models import Order

CHART_ROWS = 12
MAX_DAYS = 3 * 366


class MarginFilterForm(forms.Form):
    group = forms.ChoiceField(
        label=gettext_lazy("Group by"), choices=list(GROUPS.items()), initial="product"
    )
    start = forms.DateField(
        label=gettext_lazy("Orders from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("Orders to"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end is before the start."))
            elif (end - start).days > MAX_DAYS:
                self.add_error("end", _("Choose at most three years."))
        return cleaned


def default_filters() -> dict[str, Any]:
    today = timezone.localdate()
    return {"group": "product", "start": today - timedelta(days=365), "end": today}


def _label(group: str, row: Margin) -> str:
    if group == "region":
        return region_label(row.label)
    if group == "channel":
        return channel_names([row.label]).get(row.label, row.label)
    if group == "category" and not row.label:
        return _("No category")
    return row.label


def margin_chart(rows: list[Margin]) -> SafeString:
    """Horizontal bars drawn on the server (no script, no CDN): revenue in grey, the margin
    over it in green, a negative margin in red to the left of the axis."""
    rows = rows[:CHART_ROWS]
    if not rows:
        return mark_safe("")
    label_width, bar_width, row_height, top = 220, 520, 26, 24
    lowest = min([Decimal(0), *(row.margin for row in rows)])
    highest = max([Decimal(1), *(row.revenue for row in rows), *(row.margin for row in rows)])
    scale = Decimal(bar_width) / (highest - lowest)
    axis = label_width + float(-lowest * scale)
    height = top + row_height * len(rows) + 8
    width = label_width + bar_width + 110
    parts = [
        f'<svg class="oms-chart" role="img" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(_("Revenue and margin"))}">',
        f'<rect x="{label_width}" y="4" width="12" height="10" class="oms-chart-revenue"/>'
        f'<text x="{label_width + 16}" y="13" class="oms-chart-legend">{escape(_("Revenue"))}</text>'
        f'<rect x="{label_width + 110}" y="4" width="12" height="10" class="oms-chart-margin"/>'
        f'<text x="{label_width + 126}" y="13" class="oms-chart-legend">{escape(_("Margin"))}</text>',
    ]
    for index, row in enumerate(rows):
        y = top + index * row_height
        revenue = float(max(row.revenue, Decimal(0)) * scale)
        margin = float(row.margin * scale)
        label = row.extra.get("label", row.label)
        short = label if len(label) <= 28 else label[:27] + "…"
        css = "oms-chart-margin" if row.margin >= 0 else "oms-chart-loss"
        x = axis if margin >= 0 else axis + margin
        percent = row.margin_percent
        parts.append(
            f"<g><title>{escape(label)}: {escape(format_money(row.margin))}</title>"
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" '
            f'class="oms-chart-label">{escape(short)}</text>'
            f'<rect x="{axis:.1f}" y="{y + 2}" width="{revenue:.1f}" height="18" '
            f'class="oms-chart-revenue"/>'
            f'<rect x="{x:.1f}" y="{y + 6}" width="{abs(margin):.1f}" height="10" class="{css}"/>'
            f'<text x="{axis + max(revenue, margin, 0) + 6:.1f}" y="{y + 15}" '
            f'class="oms-chart-value">{"" if percent is None else f"{percent} %"}</text></g>'
        )
    parts.append(
        f'<line x1="{axis:.1f}" x2="{axis:.1f}" y1="{top - 2}" y2="{height - 4}" '
        f'class="oms-chart-axis"/></svg>'
    )
    return mark_safe("".join(parts))


CSV_COLUMNS = (
    ("label", pgettext_lazy("margin report column", "Group")),
    ("orders", gettext_lazy("Orders")),
    ("revenue", gettext_lazy("Revenue (net)")),
    ("goods_cost", gettext_lazy("Cost of goods")),
    ("shipping_cost", gettext_lazy("Shipping cost")),
    ("payment_fees", gettext_lazy("Payment fees")),
    ("margin", gettext_lazy("Margin")),
    ("margin_percent", gettext_lazy("Margin %")),
)


def margin_csv(rows: list[Margin], total: Margin, filename: str) -> HttpResponse:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator=LINE_END)
    writer.writerow([str(title) for _name, title in CSV_COLUMNS])
    for row in [*rows, total]:
        values = []
        for name, _title in CSV_COLUMNS:
            value = row.extra.get("label", row.label) if name == "label" else getattr(row, name)
            values.append(
                defuse(value) if isinstance(value, str) else ("" if value is None else value)
            )
        writer.writerow(values)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class MarginReportView(RequirePermissionMixin, TemplateView):
    permission_required = VIEW_MARGIN
    template_name = "billing/margin_report.html"

    def get(self, request: HttpRequest, *args, **kwargs):
        form = MarginFilterForm(request.GET or None, initial=default_filters())
        data = default_filters()
        if request.GET:
            if not form.is_valid():
                return self.render_to_response(
                    {"form": form, "title": _("Margin"), "groups": GROUPS}, status=422
                )
            data = {**data, **{k: v for k, v in form.cleaned_data.items() if v}}
        group = data["group"]
        rows = margin_rows(user=request.user, group=group, start=data["start"], end=data["end"])
        for row in rows:
            row.extra["label"] = _label(group, row)
        total = totals(rows)
        if request.GET.get("format") == "csv":
            name = f"margin-{group}-{data['start']:%Y%m%d}-{data['end']:%Y%m%d}.csv"
            return margin_csv(rows, total, name)
        query = request.GET.copy()
        query["format"] = "csv"
        for key, value in data.items():
            query.setdefault(key, value.isoformat() if isinstance(value, date) else value)
        return self.render_to_response(
            {
                "form": form,
                "title": _("Margin"),
                "rows": rows,
                "total": total,
                "group": group,
                "group_label": GROUPS[group],
                "start": data["start"],
                "end": data["end"],
                "chart": margin_chart(rows),
                "csv_url": "?" + query.urlencode(),
            }
        )


def order_margin_panel(request: HttpRequest, order: Order) -> dict[str, Any] | None:
    """The order page's margin card (managers and finance: billing.view_margin)."""
    return {"order": order, "margin": order_margin(order)}
