"""The dashboard's sales charts and order tiles (orders.analytics supplies the figures)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from oms.registry import KpiValue
from oms.tables import format_money
from oms.types import AnyUser
from orders import analytics, dashboard_figures
from orders.choices import OrderStatus
from orders.selectors import orders_visible_to

PERIODS = analytics.DASHBOARD_PERIODS


def sales_charts_panel(request: HttpRequest, obj: Any) -> dict[str, Any]:
    """The charts card: ?days=30 (default) or 90; anything else is the default."""
    asked = request.GET.get("days", "")
    period = next((days for days in PERIODS if str(days) == asked), PERIODS[0])
    charts = dashboard_figures.dashboard_charts(user=request.user, days=period)
    data = dashboard_figures.chart_json(charts)
    data["labels"] = {"revenue": _("Net revenue"), "orders": _("Orders")}
    return {
        "days": period,
        "periods": PERIODS,
        "series": charts["series"],
        "breakdowns": [
            {
                "key": "channels",
                "title": _("Net revenue by channel"),
                "column": _("Channel"),
                "rows": charts["channels"],
            },
            {
                "key": "products",
                "title": _("Top 10 products"),
                "column": _("Product"),
                "rows": charts["products"],
            },
            {
                "key": "regions",
                "title": _("Net revenue by province"),
                "column": _("Province"),
                "rows": charts["regions"],
            },
        ],
        "chart_data": data,
        # The past days are the summaries': the card says how fresh they are.
        "last_refresh": analytics.last_refresh(),
        "analytics_url": reverse("analytics:sales")
        if request.user.has_perm(analytics.VIEW_ANALYTICS)
        else "",
    }


def _count(value: int) -> str:
    return number_format(value, force_grouping=True)


def kpi_orders_today(user: AnyUser) -> KpiValue:
    pulse = dashboard_figures.order_pulse(user)
    return KpiValue(
        _("Orders today"),
        pulse.today,
        url=reverse("orders:list"),
        detail=_("%(week)s this week · %(yesterday)s yesterday")
        % {"week": _count(pulse.this_week), "yesterday": _count(pulse.yesterday)},
    )


def kpi_revenue_week(user: AnyUser) -> KpiValue:
    pulse = dashboard_figures.order_pulse(user)
    detail = _("same days last week: %(amount)s") % {
        "amount": format_money(pulse.revenue_last_week)
    }
    if pulse.revenue_last_week:
        change = (pulse.revenue_week - pulse.revenue_last_week) * 100 / pulse.revenue_last_week
        detail += f" ({'+' if change > 0 else ''}{number_format(round(change, 1), 1)} %)"
    return KpiValue(
        _("Net revenue this week"),
        pulse.revenue_week,
        money=True,
        url=reverse("analytics:sales") if user.has_perm(analytics.VIEW_ANALYTICS) else "",
        detail=detail,
    )


def kpi_waiting_for_review(user: AnyUser) -> KpiValue:
    count = orders_visible_to(user).filter(status=OrderStatus.PENDING_REVIEW).count()
    return KpiValue(
        _("Orders waiting for review"),
        count,
        url=reverse("orders:list") + f"?status={OrderStatus.PENDING_REVIEW.value}",
        warn=count > 0,
    )
