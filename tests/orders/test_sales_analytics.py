"""Sales summaries against the live orders, idempotent refreshes, today read live, the
analytics page's filters, groups, comparison and exports, and the dashboard's charts."""

import csv
import io
import zipfile
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from oms.models import AuditLog
from orders.analytics import (
    DIMENSIONS,
    PRODUCT_FACTS,
    SalesFilter,
    day_bounds,
    sales_aggregate,
    sales_summaries_refresh,
    sales_summary_refresh,
    sales_total,
)
from orders.choices import ChannelCode
from orders.dashboard_figures import dashboard_charts
from orders.models import DailyOrderSales, DailySales, Order, OrderLine, SalesSummaryDay
from orders.services import order_cancel, order_submit
from tests.factories import CategoryFactory, UserFactory
from tests.helpers import page_queries


def placed_on(order: Order, day, hour: int = 10) -> Order:
    """Move an order's placing time to `day` (local time), as history."""
    when = timezone.make_aware(datetime.combine(day, time(hour)))
    Order.objects.filter(pk=order.pk).update(created_at=when)
    order.refresh_from_db()
    return order


@pytest.fixture
def sales_book(catalog, today):
    return build_sales_book(catalog, today)


def build_sales_book(catalog, today) -> dict:
    """Orders over the last three days in two channels and provinces, with a draft, one
    waiting for review and a cancelled one that are not sales, and one placed today."""
    seller = UserFactory(username="seller-a", role="sales")
    other = UserFactory(username="seller-b", role="sales")
    category = CategoryFactory(name="茶具")
    teapot = catalog.product("88.00", sku="TEAPOT", category=category)
    cups = catalog.product("12.50", sku="CUPS")
    mine = catalog.customer(region="ZJ", salesperson=seller, group="retail")
    theirs = catalog.customer(region="GD", salesperson=other, group="wholesale")
    book = {"seller": seller, "other": other, "teapot": teapot, "cups": cups, "category": category}
    days = [today - timedelta(days=n) for n in (3, 2, 1)]
    for index, day in enumerate(days):
        for customer, channel in ((mine, ChannelCode.BACK_OFFICE), (theirs, ChannelCode.WEB_SHOP)):
            order = catalog.order(customer, (teapot, 1 + index), (cups, 4), channel=channel)
            placed_on(order_submit(actor=None, order=order), day)
    placed_on(catalog.order(mine, (teapot, 9)), days[0])  # a draft: not a sale
    cancelled = order_submit(actor=None, order=catalog.order(theirs, (cups, 7)))
    placed_on(order_cancel(actor=None, order=cancelled, reason="test"), days[1])
    book["today_order"] = order_submit(actor=None, order=catalog.order(mine, (cups, 2)))
    book["days"] = days
    return book


def live_product_rows(start, end) -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(PRODUCT_FACTS, day_bounds(start, end))
        return set(cursor.fetchall())


def summary_product_rows() -> set[tuple]:
    return set(
        DailySales.objects.values_list(
            "day",
            "channel",
            "region",
            "product_id",
            "category_id",
            "customer_group",
            "salesperson_id",
            "orders",
            "lines",
            "quantity",
            "net_revenue",
            "tax",
        )
    )


def test_summaries_equal_the_live_orders_and_a_second_refresh_changes_nothing(sales_book):
    first, last = sales_book["days"][0], sales_book["days"][-1]
    sales_summaries_refresh(start=first, end=last)
    rows = summary_product_rows()
    assert rows == live_product_rows(first, last)
    assert len(rows) == 12  # 3 days × 2 customers (channel, province) × 2 products
    sales_summaries_refresh(start=first, end=last)
    assert summary_product_rows() == rows
    assert DailyOrderSales.objects.count() == 6
    assert SalesSummaryDay.objects.count() == 3

    # Against the order lines themselves: the sales exclude the draft and the cancelled order.
    lines = OrderLine.objects.filter(
        order__created_at__date__lte=last, order__status__in=["confirmed", "backordered"]
    ).exclude(order=sales_book["today_order"])
    expected_revenue = sum(line.net_amount for line in lines)
    total = sales_total(
        user=UserFactory(username="boss", role="manager"), sales=SalesFilter(first, last)
    )
    assert total.orders == 6
    assert total.net_revenue == expected_revenue
    assert total.tax == sum(line.tax_amount for line in lines)


def test_a_refresh_picks_up_a_late_cancellation(sales_book):
    day = sales_book["days"][-1]
    sales_summary_refresh(day=day)
    order = Order.objects.filter(created_at__date=day, channel=ChannelCode.WEB_SHOP).get()
    order_cancel(actor=None, order=order, reason="late")
    assert DailyOrderSales.objects.filter(day=day).count() == 2  # still the old figures
    sales_summary_refresh(day=day)
    assert DailyOrderSales.objects.filter(day=day).count() == 1


def test_today_is_read_live_without_a_refresh(sales_book, today):
    manager = UserFactory(username="boss", role="manager")
    charts = dashboard_charts(user=manager, days=30)
    assert charts["series"][-1]["day"] == today.isoformat()
    assert charts["series"][-1]["orders"] == 1
    assert sum(point["orders"] for point in charts["series"]) == 1  # nothing summarised yet
    sales_summaries_refresh(start=today - timedelta(days=30), end=today)
    charts = dashboard_charts(user=manager, days=30)
    assert sum(point["orders"] for point in charts["series"]) == 7
    assert [row.key for row in charts["products"]] == [
        sales_book["teapot"].pk,
        sales_book["cups"].pk,
    ]


@pytest.mark.parametrize("group", list(DIMENSIONS))
def test_every_group_adds_up_to_the_total(sales_book, group):
    first, last = sales_book["days"][0], sales_book["days"][-1]
    sales_summaries_refresh(start=first, end=last)
    manager = UserFactory(username="boss", role="manager")
    period = SalesFilter(first, last)
    rows = sales_aggregate(user=manager, sales=period, group=group)
    total = sales_total(user=manager, sales=period)
    assert sum(row.net_revenue for row in rows) == total.net_revenue
    assert all(row.label for row in rows)


def test_filters_narrow_the_figures(sales_book):
    first, last = sales_book["days"][0], sales_book["days"][-1]
    sales_summaries_refresh(start=first, end=last)
    manager = UserFactory(username="boss", role="manager")
    web = sales_total(user=manager, sales=SalesFilter(first, last, channels=["web_shop"]))
    assert web.orders == 3
    teapots = sales_aggregate(
        user=manager,
        sales=SalesFilter(first, last, categories=[sales_book["category"].pk]),
        group="product",
    )
    assert [row.key for row in teapots] == [sales_book["teapot"].pk]
    assert teapots[0].quantity == 2 * (1 + 2 + 3)
    mine = sales_total(
        user=manager, sales=SalesFilter(first, last, salespeople=[sales_book["seller"].pk])
    )
    assert mine.orders == 3


@pytest.fixture
def summarised(sales_book):
    sales_summaries_refresh(start=sales_book["days"][0], end=sales_book["days"][-1])
    return sales_book


def test_the_page_groups_compares_and_exports(client_for, summarised):
    client = client_for("manager")
    first, last = summarised["days"][0], summarised["days"][-1]
    query = f"start={first}&end={last}&group=channel&compare=on"
    page = client.get(f"/analytics/sales/?{query}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="sales-chart-data"' in html
    assert "Web shop" in html
    assert "<script>" not in html  # data as JSON, no inline script (CSP)

    exported = client.get(f"/analytics/sales/?{query}&export=csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Channel"
    assert rows[0][-1] == "Change %"
    assert [r[0] for r in rows[1:]] == ["Back office", "Web shop", "Total"]
    assert rows[-1][1] == "6"

    workbook = client.get(f"/analytics/sales/?{query}&export=xlsx")
    assert workbook["Content-Type"].startswith("application/vnd.openxmlformats")
    with zipfile.ZipFile(io.BytesIO(workbook.content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "Web shop" in sheet
    assert "Total" in sheet


def test_the_page_in_chinese(client_for, summarised):
    client = client_for("manager")
    page = client.get("/analytics/sales/?group=region", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert "浙江" in page.content.decode()


def test_a_manager_refreshes_the_summaries_and_it_is_audited(client_for, sales_book):
    client = client_for("manager")
    first, last = sales_book["days"][0], sales_book["days"][-1]
    response = client.post(
        "/analytics/sales/refresh/", {"start": first, "end": last, "next": "/analytics/sales/"}
    )
    assert response.status_code == 302
    assert SalesSummaryDay.objects.count() == 3
    assert AuditLog.objects.filter(action="sales_summary.refresh").count() == 3


def test_the_dashboard_reads_a_constant_number_of_queries(client_for, catalog, sales_book):
    client = client_for("manager")
    sales_summaries_refresh(start=sales_book["days"][0], end=sales_book["days"][-1])
    before = page_queries(client, "/")
    customer = catalog.customer(region="SH")
    for index in range(5):
        product = catalog.product("5.00", sku=f"MORE-{index}")
        order = order_submit(actor=None, order=catalog.order(customer, (product, 3)))
        placed_on(order, sales_book["days"][index % 3])
    sales_summaries_refresh(start=sales_book["days"][0], end=sales_book["days"][-1])
    after = page_queries(client, "/")
    assert len(after) == len(before)
    assert len(page_queries(client, "/?days=90")) == len(before)


def test_the_dashboard_shows_charts_tables_and_tiles(client_for, summarised):
    page = client_for("manager").get("/?days=90")
    html = page.content.decode()
    assert 'id="dashboard-chart-data"' in html
    assert "Top 10 products" in html
    assert "TEAPOT" in html
    assert "Orders today" in html
    assert "Net revenue this week" in html
    assert "Orders waiting for review" in html
    assert 'src="/static/vendor/chartjs/chart.umd.min.js"' in html
    # A role without sales figures gets no charts.
    warehouse = client_for("warehouse").get("/")
    assert "dashboard-chart-data" not in warehouse.content.decode()


def test_a_bad_period_on_the_dashboard_is_the_default(client_for, summarised):
    client = client_for("manager")
    for days in ("7", "abc", "-1", "99999999999999999999", "\u00b2", "\uff13\uff10"):
        page = client.get(f"/?days={days}")
        assert page.status_code == 200
        assert "Sales in the last 30 days" in page.content.decode()


def test_revenue_of_an_order_is_net_of_tax(catalog, today):
    customer = catalog.customer()
    product = catalog.product("113.00", sku="NET")
    order = order_submit(actor=None, order=catalog.order(customer, (product, 1)))
    placed_on(order, today - timedelta(days=1))
    sales_summary_refresh(day=today - timedelta(days=1))
    row = DailySales.objects.get()
    assert row.net_revenue == order.subtotal
    assert row.net_revenue + row.tax == order.subtotal + order.tax_total
    assert row.tax > Decimal("0")
