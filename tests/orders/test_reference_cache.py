"""Reference data cached per process (oms.reference_cache, orders.reference) is never served
stale: a write to any watched table, by any means, reaches the next order; a rolled-back
write does not stay in the cache; a change committed by another connection is seen."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from inventory.models import StockLevel, TaxClass, TaxRate
from oms import reference_cache
from orders.choices import ApprovalCondition, ChannelCode, OrderStatus
from orders.models import Allocation, ApprovalRule, PriceListItem, Promotion, ShippingRule
from orders.reference import WATCHED_TABLES
from orders.services import LineRequest, order_place
from tests.orders.conftest import Catalog

pytestmark = pytest.mark.django_db


def place(customer, product, quantity=1):
    return order_place(
        actor=None,
        customer=customer,
        lines=[LineRequest(product, quantity)],
        channel=ChannelCode.MARKETPLACE,
    )


def first_line(order):
    return order.lines.get()


@pytest.fixture
def shop(catalog):
    product = catalog.product("100.00", tax_class_id="standard")
    catalog.stock(product, catalog.shanghai, 50)
    catalog.stock(product, catalog.guangzhou, 50)
    customer = catalog.customer(region="SH")
    place(customer, product)  # the cache is warm
    return product, customer


def test_every_watched_table_has_the_trigger():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'oms_reference_changed'"
        )
        triggered = {row[0] for row in cursor.fetchall()}
    assert set(WATCHED_TABLES) <= triggered


def test_a_new_price_reaches_the_next_order(catalog, shop):
    product, customer = shop
    PriceListItem.objects.filter(product=product).update(unit_price=Decimal("80.00"))
    assert first_line(place(customer, product)).unit_price == Decimal("80.00")


def test_a_new_tax_rate_reaches_the_next_order(shop):
    product, customer = shop
    TaxRate.objects.create(
        tax_class=TaxClass.objects.get(code="standard"),
        rate=Decimal("0.20"),
        valid_from=timezone.localdate(),
    )
    assert first_line(place(customer, product)).tax_rate == Decimal("0.20")


def test_a_new_promotion_reaches_the_next_order(shop):
    product, customer = shop
    today = timezone.localdate()
    Promotion.objects.create(
        name="10 off",
        kind="percent",
        value=Decimal(10),
        scope="all",
        starts_on=today,
        ends_on=today + timedelta(days=1),
    )
    assert first_line(place(customer, product)).promotions == ["10 off"]


def test_a_new_shipping_rule_reaches_the_next_order(shop):
    product, customer = shop
    ShippingRule.objects.create(name="flat", region="", base_fee=Decimal("12.00"))
    assert place(customer, product).shipping_fee == Decimal("12.00")


def test_a_new_approval_rule_reaches_the_next_order(shop):
    product, customer = shop
    ApprovalRule.objects.create(
        name="all",
        condition=ApprovalCondition.AMOUNT_AT_LEAST,
        threshold=Decimal("0.01"),
        required_role="manager",
    )
    assert place(customer, product).status == OrderStatus.PENDING_REVIEW


def test_a_closed_warehouse_gives_no_more_stock(catalog, shop):
    product, customer = shop
    catalog.shanghai.is_active = False
    catalog.shanghai.save()
    order = place(customer, product)
    assert {a.stock_level.warehouse_id for a in Allocation.objects.filter(line__order=order)} == {
        catalog.guangzhou.pk
    }


def test_a_rolled_back_price_is_not_kept(shop):
    product, customer = shop

    seen = []

    def change_then_fail():
        with transaction.atomic():
            PriceListItem.objects.filter(product=product).update(unit_price=Decimal("1.00"))
            # Inside the change's transaction the new price is what the database says.
            seen.append(first_line(place(customer, product)).unit_price)
            raise RuntimeError("undo")

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert seen == [Decimal("1.00")]
    assert first_line(place(customer, product)).unit_price == Decimal("100.00")


@pytest.mark.django_db(transaction=True)
def test_a_price_committed_by_another_connection_reaches_this_process():
    catalog = Catalog()
    product = catalog.product("100.00")
    catalog.stock(product, catalog.shanghai, 50)
    customer = catalog.customer(region="SH")
    assert first_line(place(customer, product)).unit_price == Decimal("100.00")
    assert first_line(place(customer, product)).unit_price == Decimal("100.00")  # cached

    def change():
        try:
            PriceListItem.objects.filter(product=product).update(unit_price=Decimal("70.00"))
        finally:
            connection.close()

    thread = threading.Thread(target=change)
    thread.start()
    thread.join()
    assert first_line(place(customer, product)).unit_price == Decimal("70.00")
    assert sum(StockLevel.objects.values_list("reserved", flat=True)) == 3


def test_entries_are_keyed_by_the_stamps_of_their_tables(db):
    """A write to an unrelated table leaves an entry alone: promotions stay cached when a
    shipping rule changes."""
    reference_cache.clear()
    calls = []
    reference_cache.cached(("probe",), ("orders_promotion",), lambda: calls.append(1))
    ShippingRule.objects.create(name="flat", region="", base_fee=Decimal("1.00"))
    reference_cache.cached(("probe",), ("orders_promotion",), lambda: calls.append(1))
    Promotion.objects.filter(pk=-1).update(name="x")  # a statement, even of no row, stamps
    reference_cache.cached(("probe",), ("orders_promotion",), lambda: calls.append(1))
    assert calls == [1, 1]
