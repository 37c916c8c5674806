"""The home page's sales figures: its charts (over orders.analytics' summaries and windows)
and the live order tiles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone

from customers.models import Customer
from customers.selectors import own_customers_only
from oms.dashboard import shared_figure
from oms.db import analytics_db
from oms.types import AnyUser
from orders.analytics import (
    NOT_SALES,
    ZERO,
    SalesFilter,
    SalesRow,
    day_bounds,
    label_rows,
    sales_aggregate,
    window_days,
)
from orders.models import Order, OrderLine, SalesWindow, SalesWindowProduct

_ORDER = Order._meta.db_table
_LINE = OrderLine._meta.db_table
_CUSTOMER = Customer._meta.db_table


def dashboard_charts(*, user: AnyUser, days: int) -> dict[str, Any]:
    """The home page's charts over the last `days` days (today included): orders and revenue
    per day, revenue by channel, the top 10 products, revenue by province. Five statements
    whatever the data (six with the product names)."""
    today = timezone.localdate()
    sales = SalesFilter(start=today - timedelta(days=days - 1), end=today)
    per_day = {
        row.key: row for row in sales_aggregate(user=user, sales=sales, group="day", lean=True)
    }
    series = []
    day = sales.start
    while day <= today:
        row = per_day.get(day)
        series.append(
            {
                "day": day.isoformat(),
                "orders": row.orders if row else 0,
                "revenue": row.net_revenue if row else ZERO,
            }
        )
        day += timedelta(days=1)
    return {
        "days": days,
        "start": sales.start,
        "end": today,
        "series": series,
        "channels": sales_aggregate(user=user, sales=sales, group="channel", lean=True),
        "products": top_products(user=user, days=days, limit=10),
        "regions": sales_aggregate(user=user, sales=sales, group="region", lean=True),
    }


def top_products(*, user: AnyUser, days: int, limit: int) -> list[SalesRow]:
    """The products with the most revenue in the last `days` days (today included): the
    period's window (its past days summed by `sales_windows_refresh`) and today's orders read
    live, in one statement after the window's lookup. Without a window (before the night's
    refresh, right after a day's) or for a sales user who sees their own customers only (the
    windows are not per salesperson), the summaries are summed here: the same figures."""
    today = timezone.localdate()
    first, last = window_days(days, today)
    window = (
        SalesWindow.objects.using(analytics_db())
        .filter(first_day=first, last_day=last)
        .values_list("pk", flat=True)
        .first()
    )
    sales = SalesFilter(start=first, end=today)
    if window is None or own_customers_only(user):
        return sales_aggregate(user=user, sales=sales, group="product", limit=limit, lean=True)
    params: dict[str, Any] = {"window": window, **day_bounds(today, today)}
    # Today per product only: one day's order has one channel, province, customer group and
    # salesperson, so its orders per product are PRODUCT_FACTS' summed over those (without
    # their customer look-ups and the sort over seven keys).
    sql = (
        "SELECT f.product_id, SUM(f.orders), SUM(f.net_revenue) FROM ("
        f"(SELECT product_id, orders, net_revenue FROM {SalesWindowProduct._meta.db_table} "
        "WHERE window_id = %(window)s) UNION ALL "
        "(SELECT l.product_id, COUNT(DISTINCT o.id), SUM(l.net_amount) "
        f"FROM {_ORDER} o JOIN {_LINE} l ON l.order_id = o.id "
        "WHERE o.created_at >= %(start)s AND o.created_at < %(end)s "
        "AND o.status <> ALL(%(not_sales)s) GROUP BY 1)"
        f") f GROUP BY 1 ORDER BY 3 DESC, 1 LIMIT {int(limit)}"
    )
    with connections[analytics_db()].cursor() as cursor:
        cursor.execute(sql, params)
        rows = [
            SalesRow(key=product, orders=int(orders or 0), net_revenue=revenue or ZERO)
            for product, orders, revenue in cursor.fetchall()
        ]
    label_rows("product", rows)
    return rows


def chart_json(charts: dict[str, Any]) -> dict[str, Any]:
    """The charts' data for the page's JSON script (numbers as numbers, labels as words)."""

    def pairs(rows: list[SalesRow]) -> dict[str, list]:
        return {
            "labels": [row.label for row in rows],
            "revenue": [float(row.net_revenue) for row in rows],
            "orders": [row.orders for row in rows],
        }

    return {
        "series": {
            "labels": [point["day"] for point in charts["series"]],
            "orders": [point["orders"] for point in charts["series"]],
            "revenue": [float(point["revenue"]) for point in charts["series"]],
        },
        "channels": pairs(charts["channels"]),
        "products": pairs(charts["products"]),
        "regions": pairs(charts["regions"]),
        "currency": settings.OMS_CURRENCY,
    }


@dataclass(frozen=True)
class OrderPulse:
    today: int
    yesterday: int
    this_week: int
    revenue_week: Decimal
    revenue_last_week: Decimal


def order_pulse(user: AnyUser) -> OrderPulse:
    """The dashboard tiles' live figures: orders today and yesterday, orders and revenue this
    week (Monday to now) and in the same days of last week. One statement over the orders of
    two weeks (the created-time index), the local days' bounds compared as times (no time zone
    conversion per order); the two tiles of one page share it."""
    return shared_figure(("orders.order_pulse", user.pk), lambda: _order_pulse(user))


def _order_pulse(user: AnyUser) -> OrderPulse:
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    last_monday = monday - timedelta(days=7)
    zone = timezone.get_current_timezone()

    def midnight(day: date) -> datetime:
        return timezone.make_aware(datetime.combine(day, time.min), zone)

    params: dict[str, Any] = {
        "start": midnight(last_monday),
        "end": midnight(today + timedelta(days=1)),
        "today": midnight(today),
        "yesterday": midnight(today - timedelta(days=1)),
        "monday": midnight(monday),
        "same_day_last_week_end": midnight(today - timedelta(days=6)),
        "not_sales": NOT_SALES,
    }
    own = ""
    if own_customers_only(user):
        params["own_salesperson"] = user.pk
        own = (
            f" AND o.customer_id IN (SELECT id FROM {_CUSTOMER} "
            "WHERE salesperson_id = %(own_salesperson)s)"
        )
    sql = f"""
        SELECT COUNT(*) FILTER (WHERE o.created_at >= %(today)s),
               COUNT(*) FILTER (WHERE o.created_at >= %(yesterday)s
                                  AND o.created_at < %(today)s),
               COUNT(*) FILTER (WHERE o.created_at >= %(monday)s),
               COALESCE(SUM(o.subtotal) FILTER (WHERE o.created_at >= %(monday)s), 0),
               COALESCE(SUM(o.subtotal) FILTER (WHERE o.created_at < %(monday)s
                                         AND o.created_at < %(same_day_last_week_end)s), 0)
          FROM {_ORDER} o
         WHERE o.created_at >= %(start)s AND o.created_at < %(end)s
           AND o.status <> ALL(%(not_sales)s){own}
    """
    with connections[analytics_db()].cursor() as cursor:
        cursor.execute(sql, params)
        today_n, yesterday_n, week_n, revenue, revenue_before = cursor.fetchone()
    return OrderPulse(today_n, yesterday_n, week_n, revenue, revenue_before)
