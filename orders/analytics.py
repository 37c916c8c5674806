"""Sales analytics: the nightly summary tables, and every read of them (dashboard charts, the
sales analytics page, its export).

Which orders are sales: every order placed (its `created_at`, in the installation's time
zone, decides the day) that is neither a draft, waiting for review nor cancelled. Revenue is
the lines' net amount (after discounts, without tax and shipping).

Past days are read from the summaries (orders.models.analytics), written per day by
`sales_summary_refresh` (delete and insert in one transaction: running it twice changes
nothing); today is small and read live from the orders with the same SQL, so a figure never
waits for the night. The nightly job rewrites the last week, so an order cancelled a few days
after it was placed leaves the summaries the next night. Every refresh then sums the
dashboard's top products over its periods once (`sales_windows_refresh`, SalesWindow), so the
home page reads a few thousand rows instead of the product grain's hundreds of thousands.

Heavy reads go to `oms.db.analytics_db()` (the replica when one is configured).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.choices import CustomerGroup
from customers.selectors import own_customers_only
from inventory.models import Category, Product
from oms.db import analytics_db
from oms.regions import region_label
from oms.services import audit_record
from oms.types import AnyUser, User
from orders.choices import OrderStatus
from orders.intake.channels import channel_names
from orders.models import (
    DailyOrderSales,
    DailySales,
    Order,
    OrderLine,
    SalesSummaryDay,
    SalesWindow,
    SalesWindowProduct,
)

VIEW_ANALYTICS = "orders.view_sales_analytics"
REFRESH_SUMMARY = "orders.refresh_sales_summary"
NOT_SALES = [OrderStatus.DRAFT.value, OrderStatus.PENDING_REVIEW.value, OrderStatus.CANCELLED.value]
NIGHTLY_DAYS = 7  # the nightly job rewrites yesterday and the six days before it
DASHBOARD_PERIODS = (30, 90)  # the home page's charts: the last 30 or 90 days, today included
# Taken shared by a day's refresh and alone by the windows' (a window summed from a day's
# rows while they are rewritten would keep the old figures).
WINDOWS_LOCK = zlib.crc32(b"sales_windows")
ZERO = Decimal("0.00")

_ORDER = Order._meta.db_table
_LINE = OrderLine._meta.db_table
_PRODUCT = Product._meta.db_table
_CUSTOMER = "customers_customer"

# The facts of the orders placed in [start, end): the one SQL that both fills the summaries
# and reads today live. The customer is looked up per order (LATERAL by primary key; LIMIT 1
# keeps the planner from turning it back into a join that hashes every customer). %(tz)s, %(start)s, %(end)s and %(not_sales)s are its parameters.
_LOCAL_DAY = "(o.created_at AT TIME ZONE %(tz)s)::date"
PRODUCT_FACTS = f"""
    SELECT {_LOCAL_DAY} AS day, o.channel, o.ship_region AS region, l.product_id,
           p.category_id, c."group" AS customer_group, c.salesperson_id,
           COUNT(DISTINCT o.id) AS orders, COUNT(*) AS lines, SUM(l.quantity) AS quantity,
           SUM(l.net_amount) AS net_revenue, SUM(l.tax_amount) AS tax
      FROM {_ORDER} o
      JOIN {_LINE} l ON l.order_id = o.id
      JOIN {_PRODUCT} p ON p.id = l.product_id
     CROSS JOIN LATERAL (SELECT "group", salesperson_id FROM {_CUSTOMER}
                          WHERE id = o.customer_id LIMIT 1) c
     WHERE o.created_at >= %(start)s AND o.created_at < %(end)s
       AND o.status <> ALL(%(not_sales)s)
     GROUP BY 1, 2, 3, 4, 5, 6, 7
"""
ORDER_FACTS = f"""
    SELECT {_LOCAL_DAY} AS day, o.channel, o.ship_region AS region,
           c."group" AS customer_group, c.salesperson_id,
           COUNT(*) AS orders, SUM(o.subtotal) AS net_revenue, SUM(o.tax_total) AS tax
      FROM {_ORDER} o
     CROSS JOIN LATERAL (SELECT "group", salesperson_id FROM {_CUSTOMER}
                          WHERE id = o.customer_id LIMIT 1) c
     WHERE o.created_at >= %(start)s AND o.created_at < %(end)s
       AND o.status <> ALL(%(not_sales)s)
     GROUP BY 1, 2, 3, 4, 5
"""
PRODUCT_COLUMNS = (
    "day, channel, region, product_id, category_id, customer_group, salesperson_id, "
    "orders, lines, quantity, net_revenue, tax"
)
ORDER_COLUMNS = "day, channel, region, customer_group, salesperson_id, orders, net_revenue, tax"


def day_bounds(start: date, end: date) -> dict[str, Any]:
    """The SQL parameters for the local days start..end (inclusive)."""
    zone = timezone.get_current_timezone()
    return {
        "tz": settings.TIME_ZONE,
        "start": timezone.make_aware(datetime.combine(start, time.min), zone),
        "end": timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), zone),
        "not_sales": NOT_SALES,
    }


# --- writing the summaries -----------------------------------------------------------------


@transaction.atomic
def sales_summary_refresh(*, day: date, actor: User | None = None) -> SalesSummaryDay:
    """Rewrite the summaries of one day from the orders: delete the day's rows and insert
    them again, in one transaction (idempotent; readers see the old rows or the new ones).
    Two refreshes of the same day wait for each other (an advisory lock per day). A refresh a
    person asked for is audited; the nightly one is not."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s::bigint)",
            [zlib.crc32(b"sales_summary") * 10_000_000 + day.toordinal()],
        )
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s::bigint)", [WINDOWS_LOCK])
        # The dashboard's sums over this day are no longer the summaries' (cascades to rows).
        SalesWindow.objects.filter(first_day__lte=day, last_day__gte=day).delete()
        params = day_bounds(day, day)
        cursor.execute(f"DELETE FROM {DailySales._meta.db_table} WHERE day = %s", [day])
        cursor.execute(f"DELETE FROM {DailyOrderSales._meta.db_table} WHERE day = %s", [day])
        cursor.execute(
            f"INSERT INTO {DailySales._meta.db_table} ({PRODUCT_COLUMNS}) {PRODUCT_FACTS}",
            params,
        )
        cursor.execute(
            f"INSERT INTO {DailyOrderSales._meta.db_table} ({ORDER_COLUMNS}) {ORDER_FACTS}",
            params,
        )
        cursor.execute(
            f"SELECT COALESCE(SUM(orders), 0) FROM {DailyOrderSales._meta.db_table} WHERE day = %s",
            [day],
        )
        orders = cursor.fetchone()[0]
    summary, _created = SalesSummaryDay.objects.update_or_create(
        day=day, defaults={"refreshed_at": timezone.now(), "orders": orders}
    )
    if actor is not None:
        audit_record(
            actor=actor, action="sales_summary.refresh", obj=summary, changes={"orders": orders}
        )
    return summary


def sales_summaries_refresh(
    *, start: date, end: date, actor: User | None = None
) -> list[SalesSummaryDay]:
    """Refresh every day from start to end (inclusive; never today, which is read live), one
    transaction per day so a long range never holds one huge transaction; then the dashboard's
    windows when a day inside them was rewritten."""
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    day, done = start, []
    while day <= min(end, yesterday):
        done.append(sales_summary_refresh(day=day, actor=actor))
        day += timedelta(days=1)
    if done and done[-1].day >= today - timedelta(days=max(DASHBOARD_PERIODS) - 1):
        sales_windows_refresh()
    return done


def window_days(days: int, today: date | None = None) -> tuple[date, date]:
    """The past days of a dashboard period of `days` days: its first day up to yesterday."""
    today = today or timezone.localdate()
    return today - timedelta(days=days - 1), today - timedelta(days=1)


@transaction.atomic
def sales_windows_refresh() -> list[SalesWindow]:
    """Sum the summaries per product over the past days of each dashboard period (the top
    products' figures but today's), replacing the windows of earlier days. One transaction;
    a day's refresh waits for it and the other way round (WINDOWS_LOCK), so a window is always
    the sum of the summaries as they are."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s::bigint)", [WINDOWS_LOCK])
    SalesWindow.objects.all().delete()
    now, windows = timezone.now(), []
    for days in DASHBOARD_PERIODS:
        first, last = window_days(days)
        window = SalesWindow.objects.create(first_day=first, last_day=last, refreshed_at=now)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {SalesWindowProduct._meta.db_table} "
                "(window_id, product_id, orders, net_revenue) "
                "SELECT %s, product_id, SUM(orders), SUM(net_revenue) "
                f"FROM {DailySales._meta.db_table} WHERE day >= %s AND day <= %s "
                "GROUP BY product_id",
                [window.pk, first, last],
            )
        windows.append(window)
    return windows


def sales_summaries_refresh_recent(*, days: int = NIGHTLY_DAYS) -> int:
    """The nightly job: yesterday and the days before it (late cancellations)."""
    yesterday = timezone.localdate() - timedelta(days=1)
    return len(sales_summaries_refresh(start=yesterday - timedelta(days=days - 1), end=yesterday))


def last_refresh() -> SalesSummaryDay | None:
    return SalesSummaryDay.objects.using(analytics_db()).order_by("-refreshed_at").first()


# --- reading -------------------------------------------------------------------------------


DIMENSIONS: dict[str, Any] = {
    "day": gettext_lazy("Day"),
    "week": gettext_lazy("Week"),
    "month": gettext_lazy("Month"),
    "channel": gettext_lazy("Channel"),
    "region": gettext_lazy("Province"),
    "product": gettext_lazy("Product"),
    "category": gettext_lazy("Category"),
    "customer_group": gettext_lazy("Customer group"),
    "salesperson": gettext_lazy("Salesperson"),
}
# The SQL expression of each dimension over the facts (f).
_GROUP_SQL = {
    "day": "f.day",
    "week": "date_trunc('week', f.day)::date",
    "month": "date_trunc('month', f.day)::date",
    "channel": "f.channel",
    "region": "f.region",
    "product": "f.product_id",
    "category": "f.category_id",
    "customer_group": "f.customer_group",
    "salesperson": "f.salesperson_id",
}
PRODUCT_DIMENSIONS = {"product", "category"}


@dataclass
class SalesFilter:
    """What the analytics page (or a dashboard chart) asks for: local days start..end and
    the values each dimension may take (empty: any)."""

    start: date
    end: date
    channels: Sequence[str] = ()
    regions: Sequence[str] = ()
    products: Sequence[int] = ()
    categories: Sequence[int] = ()
    customer_groups: Sequence[str] = ()
    salespeople: Sequence[int] = ()

    @property
    def needs_products(self) -> bool:
        return bool(self.products or self.categories)

    def previous(self) -> SalesFilter:
        """The same filter over the period of the same length just before."""
        length = (self.end - self.start).days + 1
        return SalesFilter(
            start=self.start - timedelta(days=length),
            end=self.start - timedelta(days=1),
            channels=self.channels,
            regions=self.regions,
            products=self.products,
            categories=self.categories,
            customer_groups=self.customer_groups,
            salespeople=self.salespeople,
        )


@dataclass
class SalesRow:
    key: Any
    label: str = ""
    orders: int | None = 0
    lines: int | None = None
    quantity: int | None = None
    net_revenue: Decimal = ZERO
    tax: Decimal = ZERO
    previous_revenue: Decimal | None = None
    previous_orders: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def change_percent(self) -> Decimal | None:
        """Revenue against the previous period, in percent (None when it had none)."""
        if not self.previous_revenue:
            return None
        return ((self.net_revenue - self.previous_revenue) * 100 / self.previous_revenue).quantize(
            Decimal("0.1")
        )


def _facts_sql(product_grain: bool, sales: SalesFilter, params: dict[str, Any]) -> str:
    """The facts of the filter's days: the summaries of the past days, and today's read live
    when the period reaches it (UNION ALL: one statement either way)."""
    today = timezone.localdate()
    table = (DailySales if product_grain else DailyOrderSales)._meta.db_table
    columns = PRODUCT_COLUMNS if product_grain else ORDER_COLUMNS
    parts = []
    if sales.start < today:
        params["summary_start"] = sales.start
        params["summary_end"] = min(sales.end, today - timedelta(days=1))
        parts.append(
            f"SELECT {columns} FROM {table} "
            "WHERE day >= %(summary_start)s AND day <= %(summary_end)s"
        )
    if sales.start <= today <= sales.end:
        params.update(day_bounds(today, today))
        parts.append(PRODUCT_FACTS if product_grain else ORDER_FACTS)
    if not parts:
        return f"SELECT {columns} FROM {table} WHERE false"
    return " UNION ALL ".join(f"({part})" for part in parts)


def _where(sales: SalesFilter, user: AnyUser, params: dict[str, Any]) -> str:
    conditions = []
    for name, column in (
        ("channels", "channel"),
        ("regions", "region"),
        ("products", "product_id"),
        ("categories", "category_id"),
        ("customer_groups", "customer_group"),
        ("salespeople", "salesperson_id"),
    ):
        values = list(getattr(sales, name))
        if values:
            params[f"f_{name}"] = values
            conditions.append(f"f.{column} = ANY(%(f_{name})s)")
    if own_customers_only(user):  # a sales user sees the sales of their own customers
        params["own_salesperson"] = user.pk
        conditions.append("f.salesperson_id = %(own_salesperson)s")
    return " AND ".join(conditions) or "true"


def sales_aggregate(
    *,
    user: AnyUser,
    sales: SalesFilter,
    group: str,
    limit: int | None = None,
    lean: bool = False,
) -> list[SalesRow]:
    """Orders, lines, quantity, revenue and tax per value of `group` (a DIMENSIONS key), the
    largest revenue first (periods: in time order). One statement. Orders per category count
    an order once per product it bought of the category."""
    product_grain = group in PRODUCT_DIMENSIONS or sales.needs_products
    params: dict[str, Any] = {}
    facts = _facts_sql(product_grain, sales, params)
    where = _where(sales, user, params)
    key = _GROUP_SQL[group]
    # `lean` (the dashboard's charts): orders and revenue only, fewer sums over many rows.
    detail = "SUM(f.lines), SUM(f.quantity)" if product_grain and not lean else "NULL, NULL"
    tax = "NULL" if lean else "SUM(f.tax)"
    order = "1" if group in {"day", "week", "month"} else "5 DESC, 1"
    sql = (
        f"SELECT {key} AS key, SUM(f.orders), {detail}, SUM(f.net_revenue), {tax} "
        f"FROM ({facts}) f WHERE {where} GROUP BY 1 ORDER BY {order}"
    )
    if limit:
        sql += f" LIMIT {int(limit)}"
    with connections[analytics_db()].cursor() as cursor:
        cursor.execute(sql, params)
        rows = [
            SalesRow(
                key=key_value,
                orders=int(orders or 0),
                lines=None if lines is None else int(lines),
                quantity=None if quantity is None else int(quantity),
                net_revenue=revenue or ZERO,
                tax=tax or ZERO,
            )
            for key_value, orders, lines, quantity, revenue, tax in cursor.fetchall()
        ]
    label_rows(group, rows)
    return rows


def sales_total(*, user: AnyUser, sales: SalesFilter) -> SalesRow:
    """The filter's totals in one row; orders counted exactly (from the order grain) unless a
    product or category filter needs the product grain, where an order's products add up."""
    product_grain = sales.needs_products
    params: dict[str, Any] = {}
    facts = _facts_sql(product_grain, sales, params)
    where = _where(sales, user, params)
    detail = "SUM(f.lines), SUM(f.quantity)" if product_grain else "NULL, NULL"
    with connections[analytics_db()].cursor() as cursor:
        cursor.execute(
            f"SELECT SUM(f.orders), {detail}, SUM(f.net_revenue), SUM(f.tax) "
            f"FROM ({facts}) f WHERE {where}",
            params,
        )
        orders, lines, quantity, revenue, tax = cursor.fetchone()
    return SalesRow(
        key=None,
        label=_("Total"),
        orders=int(orders or 0),
        lines=None if lines is None else int(lines),
        quantity=None if quantity is None else int(quantity),
        net_revenue=revenue or ZERO,
        tax=tax or ZERO,
    )


def with_previous(
    rows: list[SalesRow], previous: Iterable[SalesRow], *, shift_days: int = 0
) -> list[SalesRow]:
    """Put the previous period's revenue and orders beside each row of the same key; days
    are matched with the day `shift_days` before (a period's first day with the previous
    period's first day), weeks and months by their place in the period."""
    earlier = list(previous)
    if shift_days:
        before = {row.key + timedelta(days=shift_days): row for row in earlier}
    elif rows and isinstance(rows[0].key, date):
        before = {row.key: old for row, old in zip(rows, earlier, strict=False)}
    else:
        before = {row.key: row for row in earlier}
    for row in rows:
        if (old := before.get(row.key)) is not None:
            row.previous_revenue, row.previous_orders = old.net_revenue, old.orders
        else:
            row.previous_revenue, row.previous_orders = ZERO, 0
    return rows


def label_rows(group: str, rows: list[SalesRow]) -> None:
    """Each row's key in words, in the reader's language (one query for names, at most)."""
    if group in {"day", "week", "month"}:
        from django.utils.formats import date_format

        fmt = {
            "day": "SHORT_DATE_FORMAT",
            "week": "SHORT_DATE_FORMAT",
            "month": "YEAR_MONTH_FORMAT",
        }
        for row in rows:
            row.label = date_format(row.key, fmt[group]) if row.key else ""
        return
    if group == "channel":
        names = channel_names(row.key for row in rows)
        for row in rows:
            row.label = str(names.get(row.key, row.key))
        return
    if group == "region":
        for row in rows:
            row.label = region_label(row.key)
        return
    if group == "customer_group":
        groups = dict(CustomerGroup.choices)
        for row in rows:
            row.label = str(groups.get(row.key, row.key))
        return
    ids = [row.key for row in rows if row.key is not None]
    if group == "product":
        products = {
            p.pk: p
            for p in Product.objects.using(analytics_db())
            .filter(pk__in=ids)
            .only("sku", "name", "name_en")
        }
        for row in rows:
            product = products.get(row.key)
            row.label = f"{product.sku} {product.name}" if product else str(row.key)
            row.extra["sku"] = product.sku if product else ""
        return
    if group == "category":
        categories: dict[int, str] = dict(
            Category.objects.using(analytics_db()).filter(pk__in=ids).values_list("pk", "name")
        )
        for row in rows:
            row.label = categories.get(row.key) or _("No category")
        return
    if group == "salesperson":
        users = dict(
            get_user_model()
            .objects.using(analytics_db())
            .filter(pk__in=ids)
            .values_list("pk", "username")
        )
        for row in rows:
            row.label = users.get(row.key) or _("No salesperson")
        return
    raise ValueError(group)
