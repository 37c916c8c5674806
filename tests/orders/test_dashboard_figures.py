"""The dashboard's figures against direct counts of the orders: the top products' windows
(summed once per refresh, dropped by a refresh of a day inside them), the order tiles read
live, and the figures several tiles share computed once per page."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db.models import Count, Sum
from django.utils import timezone

from oms.dashboard import dashboard_figures, shared_figure
from orders.analytics import (
    DASHBOARD_PERIODS,
    NOT_SALES,
    sales_summaries_refresh,
    sales_summary_refresh,
    sales_windows_refresh,
    window_days,
)
from orders.analytics_panels import kpi_orders_today, kpi_revenue_week
from orders.dashboard_figures import dashboard_charts, order_pulse, top_products
from orders.models import Order, OrderLine, SalesWindow, SalesWindowProduct
from orders.services import order_cancel, order_submit
from tests.factories import UserFactory
from tests.helpers import page_queries
from tests.orders.test_sales_analytics import build_sales_book, placed_on


def midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def direct_top_products(first, last, limit=10) -> list[tuple]:
    """(product, orders, revenue) straight from the order lines of the local days."""
    rows = (
        OrderLine.objects.filter(
            order__created_at__gte=midnight(first),
            order__created_at__lt=midnight(last + timedelta(days=1)),
        )
        .exclude(order__status__in=NOT_SALES)
        .values("product")
        .annotate(orders=Count("order", distinct=True), revenue=Sum("net_amount"))
        .order_by("-revenue", "product")
    )
    return [(r["product"], r["orders"], r["revenue"]) for r in rows[:limit]]


def shown(rows) -> list[tuple]:
    return [(row.key, row.orders, row.net_revenue) for row in rows]


@pytest.fixture
def book(catalog, today):
    return build_sales_book(catalog, today)


@pytest.fixture
def manager(db):
    return UserFactory(username="boss", role="manager")


def test_a_refresh_writes_a_window_per_period_equal_to_the_orders(book, manager, today, catalog):
    # Today's orders in other provinces and groups, one with the same product on two lines.
    teapot, cups = book["teapot"], book["cups"]
    for region, group in (("SH", "wholesale"), ("BJ", "retail")):
        customer = catalog.customer(region=region, group=group)
        order = catalog.order(customer, (teapot, 1), (cups, 3), (teapot, 2))
        order_submit(actor=None, order=order)
    sales_summaries_refresh(start=book["days"][0], end=book["days"][-1])
    windows = {(w.first_day, w.last_day) for w in SalesWindow.objects.all()}
    assert windows == {window_days(days, today) for days in DASHBOARD_PERIODS}
    for days in DASHBOARD_PERIODS:
        first = today - timedelta(days=days - 1)
        expected = direct_top_products(first, today)
        assert len(expected) == 2  # the teapot and the cups, today's cups included
        assert shown(top_products(user=manager, days=days, limit=10)) == expected
        # The window holds the past days only: today's order is added live.
        first_day, last_day = window_days(days, today)
        window = SalesWindowProduct.objects.filter(
            window__first_day=first_day, window__last_day=last_day
        )
        assert {(r.product_id, r.orders, r.net_revenue) for r in window} == set(
            direct_top_products(first, today - timedelta(days=1))
        )


def test_a_days_refresh_drops_the_windows_over_it_and_the_figures_stay_exact(
    book, manager, today, catalog
):
    sales_summaries_refresh(start=book["days"][0], end=book["days"][-1])
    # A late cancellation, then a refresh of that one day: no window may keep the old sum.
    teapot_order = (
        Order.objects.filter(lines__product=book["teapot"], created_at__date__gte=book["days"][1])
        .exclude(status__in=NOT_SALES)
        .first()
    )
    order_cancel(actor=None, order=teapot_order, reason="late")
    sales_summary_refresh(day=timezone.localdate(teapot_order.created_at))
    assert not SalesWindow.objects.exists()
    expected = direct_top_products(today - timedelta(days=29), today)
    assert shown(top_products(user=manager, days=30, limit=10)) == expected  # summed here
    # The next refresh (the night's, a manager's) writes them again, with the same figures.
    sales_summaries_refresh(start=book["days"][-1], end=book["days"][-1])
    assert SalesWindow.objects.count() == len(DASHBOARD_PERIODS)
    assert shown(top_products(user=manager, days=30, limit=10)) == expected
    # A day older than every window leaves them alone.
    old = today - timedelta(days=200)
    placed_on(
        order_submit(actor=None, order=catalog.order(catalog.customer(), (book["cups"], 1))), old
    )
    before = list(SalesWindow.objects.values_list("pk", flat=True))
    sales_summaries_refresh(start=old, end=old)
    assert list(SalesWindow.objects.values_list("pk", flat=True)) == before


def test_windows_of_earlier_days_are_replaced(book, manager, today):
    sales_summaries_refresh(start=book["days"][0], end=book["days"][-1])
    SalesWindow.objects.filter(pk=SalesWindow.objects.first().pk).update(
        first_day=today - timedelta(days=40), last_day=today - timedelta(days=11)
    )
    sales_windows_refresh()
    assert {(w.first_day, w.last_day) for w in SalesWindow.objects.all()} == {
        window_days(days, today) for days in DASHBOARD_PERIODS
    }


def test_the_charts_read_the_window_and_a_sales_user_sums_their_own(book, manager, today):
    sales_summaries_refresh(start=book["days"][0], end=book["days"][-1])
    charts = dashboard_charts(user=manager, days=90)
    assert shown(charts["products"]) == direct_top_products(today - timedelta(days=89), today)
    # A sales user limited to their own customers: the windows are not per salesperson.
    from django.test import override_settings

    with override_settings(OMS_SALES_OWN_CUSTOMERS_ONLY=True):
        rows = top_products(user=book["seller"], days=30, limit=10)
    mine = (
        OrderLine.objects.filter(order__customer__salesperson=book["seller"])
        .exclude(order__status__in=NOT_SALES)
        .values("product")
        .annotate(revenue=Sum("net_amount"))
        .order_by("-revenue", "product")
    )
    assert [(row.key, row.net_revenue) for row in rows] == [
        (r["product"], r["revenue"]) for r in mine
    ]


def test_the_order_tiles_equal_direct_counts(book, manager, today, catalog):
    # One more order late last night and one a week ago, on both sides of the day bounds.
    customer = catalog.customer()
    late = order_submit(actor=None, order=catalog.order(customer, (book["cups"], 3)))
    Order.objects.filter(pk=late.pk).update(created_at=midnight(today) - timedelta(seconds=1))
    week_ago = order_submit(actor=None, order=catalog.order(customer, (book["cups"], 5)))
    placed_on(week_ago, today - timedelta(days=7), hour=23)
    sales = Order.objects.exclude(status__in=NOT_SALES)
    monday = today - timedelta(days=today.weekday())
    days = {o.pk: (timezone.localdate(o.created_at), o.subtotal) for o in sales}

    def count(test) -> int:
        return sum(1 for day, _subtotal in days.values() if test(day))

    def revenue(test) -> Decimal:
        return sum((subtotal for day, subtotal in days.values() if test(day)), Decimal("0"))

    pulse = order_pulse(manager)
    assert pulse.today == count(lambda d: d == today) == 1
    assert pulse.yesterday == count(lambda d: d == today - timedelta(days=1))
    assert pulse.this_week == count(lambda d: d >= monday)
    assert pulse.revenue_week == revenue(lambda d: d >= monday)
    assert pulse.revenue_last_week == revenue(
        lambda d: monday - timedelta(days=7) <= d <= today - timedelta(days=7)
    )
    assert pulse.revenue_last_week > 0  # the order a week ago counts
    assert kpi_orders_today(manager).value == pulse.today
    assert kpi_revenue_week(manager).value == pulse.revenue_week


def test_tiles_that_share_a_figure_compute_it_once_per_page(book, client_for):
    client = client_for("manager")
    queries = page_queries(client, "/")
    pulse = [q for q in queries.sql if "COUNT(*) FILTER" in q and "orders_order" in q]
    assert len(pulse) == 1  # orders today and revenue this week
    receivables = [q for q in queries.sql if 'FROM "billing_invoice"' in q]
    assert len(receivables) == 1  # four receivables tiles, one set of statements
    cases = [q for q in queries.sql if 'FROM "aftersales_case"' in q and "COUNT(" in q]
    assert len(cases) == 1  # open cases and cases within SLA


def test_a_shared_figure_outside_a_page_is_computed_every_time():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert shared_figure("k", compute) == 1
    assert shared_figure("k", compute) == 2  # no page: never an old figure
    with dashboard_figures():
        assert shared_figure("k", compute) == 3
        assert shared_figure("k", compute) == 3
        assert shared_figure("other", compute) == 4
    with dashboard_figures():  # the next page computes again
        assert shared_figure("k", compute) == 5


def test_the_charts_card_says_how_fresh_the_past_days_are(book, client_for):
    client = client_for("manager")
    assert "Last refreshed" not in client.get("/").content.decode()  # nothing summarised
    sales_summaries_refresh(start=book["days"][0], end=book["days"][-1])
    html = client.get("/").content.decode()
    assert "Past days come from the nightly summaries, today is live." in html
    assert "Last refreshed" in html
