"""Orders from a file: one row per line, rows of one external id make one order, placed
200 at a time through order_place_batch and priced as sent (OMS_ROUNDING), idempotent by (channel, external id)."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction

from oms.models import AuditLog
from orders.choices import ChannelCode, OrderStatus
from orders.models import Order, OrderEvent, OrderLine
from orders.services import LineRequest, order_place
from tests.factories import UserFactory
from tests.intake.helpers import results, run_job
from tests.orders.conftest import Catalog

D = Decimal
HEADER = (
    "external_id,customer,sku,quantity,unit_price,discount_percent,tax_rate,prices_include_tax\n"
)


@pytest.fixture
def shop(db):
    catalog = Catalog()
    lamp = catalog.product("100.00", sku="LAMP-1")
    bulb = catalog.product("100.00", sku="BULB-1")
    catalog.stock(lamp, catalog.shanghai, 500)
    catalog.stock(bulb, catalog.shanghai, 500)
    customer = catalog.customer(code="C-1")
    return customer, lamp, bulb


@pytest.fixture
def sales(db):
    return UserFactory(username="importer", role="manager")


def counts():
    return (
        Order.objects.count(),
        OrderLine.objects.count(),
        OrderEvent.objects.count(),
        AuditLog.objects.count(),
    )


def test_round_down_totals_match_a_source_that_truncates(shop, sales, settings):
    """7 % discount and 8 % tax written 7 and 8; every amount below computed by hand."""
    settings.OMS_ROUNDING = "ROUND_DOWN"
    text = (
        HEADER
        # 33.33 × 3 = 99.99, less 7 % = 92.9907 → 92.99; 8 % tax 7.4392 → 7.43; 100.42
        + "TB-1,C-1,LAMP-1,3,33.33,7,8,false\n"
        # 19.99 × 7 = 139.93, less 7 % = 130.1349 → 130.13; 8 % tax 10.4104 → 10.41; 140.54
        + "TB-1,C-1,BULB-1,7,19.99,7,8,false\n"
        # Gross: 33.33 × 3 = 99.99, less 7 % → 92.99; tax 92.99 × 8/108 = 6.8881 → 6.88
        + "TB-2,C-1,LAMP-1,3,33.33,7,8,true\n"
    )
    job = run_job(sales, "orders", text.encode())
    assert (job.created, job.errors) == (3, 0), results(job)
    first = Order.objects.get(external_reference="TB-1")
    assert first.channel_id == "import"
    assert first.priced_as_sent
    lamp, bulb = first.lines.order_by("line_no")
    assert (lamp.unit_price, lamp.net_amount, lamp.tax_amount, lamp.line_total) == (
        D("33.33"),
        D("92.99"),
        D("7.43"),
        D("100.42"),
    )
    assert (bulb.net_amount, bulb.tax_amount, bulb.line_total) == (
        D("130.13"),
        D("10.41"),
        D("140.54"),
    )
    assert (first.tax_total, first.shipping_fee, first.total) == (D("17.84"), D("0"), D("240.96"))
    gross = Order.objects.get(external_reference="TB-2")
    [line] = gross.lines.all()
    assert (line.net_amount, line.tax_amount, line.line_total) == (
        D("86.11"),
        D("6.88"),
        D("92.99"),
    )
    assert gross.total == D("92.99")
    # Through review and allocation like any order: confirmed and allocated here.
    assert first.status in (OrderStatus.CONFIRMED, OrderStatus.ALLOCATED)


def test_the_same_file_twice_creates_nothing_and_reports_duplicates(shop, sales):
    text = (
        HEADER + "TB-1,C-1,LAMP-1,2,10,,13,\nTB-1,C-1,BULB-1,1,5,,13,\nTB-2,C-1,LAMP-1,1,10,,13,\n"
    )
    first = run_job(sales, "orders", text.encode())
    assert first.created == 3
    before = counts()
    again = run_job(sales, "orders", text.encode())
    assert (again.created, again.skipped) == (0, 3)
    assert counts() == before
    number = Order.objects.get(external_reference="TB-1").number
    assert results(again)[0] == (2, "skip", "external_id", f"Imported before: order {number}.")


def test_a_dry_run_writes_nothing(shop, sales):
    text = HEADER + "TB-1,C-1,LAMP-1,2,10,,13,\nTB-1,C-1,BULB-1,1,5,,13,\n"
    before = counts()
    check = run_job(sales, "orders", text.encode(), dry_run=True)
    assert check.created == 2
    assert counts() == before


def test_bad_rows_fail_their_order_alone_and_say_which_row(shop, sales):
    text = (
        HEADER
        + "OK-1,C-1,LAMP-1,1,10,,13,\n"
        + "BAD-SKU,C-1,LAMP-1,1,10,,13,\n"
        + "BAD-SKU,C-1,NOPE,1,10,,13,\n"
        + "BAD-QTY,C-1,LAMP-1,-2,10,,13,\n"
        + "BAD-PRICE,C-1,LAMP-1,1,9.9999999999,,13,\n"
        + "BAD-CUST,C-404,LAMP-1,1,10,,13,\n"
        + "FORMULA,C-1,LAMP-1,=1+1,10,,13,\n"
        + "MIXED,C-1,LAMP-1,1,10,,13,true\n"
        + "MIXED,C-1,BULB-1,1,10,,13,false\n"
    )
    job = run_job(sales, "orders", text.encode())
    rows = {row: (action, column, message) for row, action, column, message in results(job)}
    assert rows[2][0] == "create"
    assert rows[3][:2] == ("error", "")  # the good line of the order with a bad one
    assert "row 4" in rows[3][2]
    assert rows[4][:2] == ("error", "sku")
    assert rows[5][:2] == ("error", "quantity")
    assert rows[6][:2] == ("error", "unit_price")
    assert "At most 2 decimals" in rows[6][2]
    assert rows[7][:2] == ("error", "customer")
    assert rows[8][:2] == ("error", "quantity")
    assert rows[10][:2] == ("error", "prices_include_tax")
    assert list(Order.objects.values_list("external_reference", flat=True)) == ["OK-1"]


def test_channel_ship_columns_and_order_date(shop, sales):
    text = (
        "external_id,customer,sku,quantity,unit_price,tax_rate,channel,order_date,"
        "ship_recipient,ship_phone,ship_region,ship_city,ship_street\n"
        "W-1,C-1,LAMP-1,1,10,13,web_shop,2026-11-02,李雷,13800138000,广东省,深圳,深南大道 1 号\n"
        "W-2,C-1,LAMP-1,1,10,13,back_office,,,,,,\n"
        "W-3,C-1,LAMP-1,1,10,13,nope,,,,,,\n"
    )
    job = run_job(sales, "orders", text.encode())
    rows = results(job)
    assert rows[0][:2] == (2, "create")
    assert rows[1][:3] == (3, "error", "channel")
    assert rows[2][:3] == (4, "error", "channel")
    order = Order.objects.get(external_reference="W-1")
    assert order.channel_id == "web_shop"
    assert (order.ship_recipient, order.ship_region, order.ship_city) == ("李雷", "GD", "深圳")
    assert order.created_at.date().isoformat() == "2026-11-02"
    # The customer's addresses are untouched.
    assert order.customer.addresses.count() == 1


def test_a_sales_user_imports_a_channel_discount_beyond_their_own_limit(shop):
    """The discount is the channel's (what the buyer got there), not the importer's."""
    sales = UserFactory(username="seller", role="sales")  # may give 10 % themselves
    job = run_job(sales, "orders", (HEADER + "TB-9,C-1,LAMP-1,1,100,15,13,true\n").encode())
    assert job.created == 1, results(job)
    order = Order.objects.get(external_reference="TB-9")
    assert order.created_by == sales
    assert order.lines.get().line_total == D("85.00")


def test_import_orders_command(shop, tmp_path):
    import io

    from django.core.management import call_command

    path = tmp_path / "orders.csv"
    path.write_text(HEADER + "TB-7,C-1,LAMP-1,2,10,,13,\nTB-8,C-1,NOPE,1,1,,13,\n")
    out = io.StringIO()
    call_command("import_orders", str(path), "--dry-run", stdout=out, stderr=io.StringIO())
    assert "row 3 [sku]: No product has the SKU NOPE." in out.getvalue()
    assert Order.objects.count() == 0
    call_command("import_orders", str(path), stdout=out, stderr=io.StringIO())
    assert list(Order.objects.values_list("external_reference", flat=True)) == ["TB-7"]


@pytest.mark.django_db(transaction=True)
def test_an_order_committed_by_another_import_meanwhile_is_reported_once(sales):
    """Another import commits external id RACE-1 after this batch looked for it: the batch's
    INSERT waits for that transaction, the database refuses the batch, and its orders are
    placed one by one — RACE-1 is reported as imported before, RACE-2 is placed."""
    catalog = Catalog()
    lamp = catalog.product("100.00", sku="LAMP-R")
    catalog.stock(lamp, catalog.shanghai, 100)
    customer = catalog.customer(code="C-R")
    holding, committed = threading.Event(), []

    def other_import():
        try:
            with transaction.atomic():
                order = order_place(
                    actor=None,
                    customer=customer,
                    lines=[LineRequest(lamp, 1, unit_price=D("10.00"), tax_rate=D("0.13"))],
                    channel=ChannelCode.IMPORT,
                    external_reference="RACE-1",
                )
                holding.set()
                time.sleep(1.5)  # this import's INSERT of RACE-1 now waits for us
            committed.append(order.number)
        finally:
            connection.close()

    thread = threading.Thread(target=other_import)
    thread.start()
    assert holding.wait(20)
    job = run_job(
        sales,
        "orders",
        (
            HEADER
            + "RACE-1,C-R,LAMP-R,2,10.00,,13,false\n"
            + "RACE-2,C-R,LAMP-R,3,10.00,,13,false\n"
        ).encode(),
    )
    thread.join(20)
    assert results(job) == [
        (2, "skip", "external_id", f"Imported before: order {committed[0]}."),
        (3, "create", "", ""),
    ]
    assert Order.objects.filter(external_reference="RACE-1").count() == 1
    assert Order.objects.get(external_reference="RACE-2").lines.get().quantity == 3
