"""The customer page's orders cards: lifetime figures and open back-orders; the page reads
a fixed number of queries however many orders the customer has."""

from decimal import Decimal

import pytest

from orders.choices import OrderStatus
from orders.models import Order
from orders.selectors import customer_backorder_lines, customer_order_figures
from orders.services import order_submit
from tests.helpers import page_queries

pytestmark = pytest.mark.django_db


def test_lifetime_figures_count_sales_only(catalog):
    product = catalog.product("113.00")  # 100.00 net of 13 % tax
    catalog.stock(product, catalog.shanghai, 100)
    customer = catalog.customer()
    assert customer_order_figures(customer.pk)["orders"] == 0
    sold = []
    for quantity in (1, 3):
        order = catalog.order(customer, (product, quantity))
        order_submit(actor=None, order=order)
        sold.append(Order.objects.get(pk=order.pk))
    catalog.order(customer, (product, 9))  # a draft: not a sale
    cancelled = catalog.order(customer, (product, 9))
    Order.objects.filter(pk=cancelled.pk).update(status=OrderStatus.CANCELLED)
    catalog.order(catalog.customer(), (product, 5))  # someone else's

    figures = customer_order_figures(customer.pk)
    assert figures["orders"] == 2
    assert figures["spend"] == sum(o.subtotal for o in sold) > 0
    assert figures["average"] == (figures["spend"] / 2).quantize(Decimal("0.01"))
    assert figures["first"] == sold[0].created_at
    assert figures["last"] == sold[1].created_at


def test_backorder_lines_show_what_is_short(catalog):
    scarce, plenty = catalog.product(), catalog.product()
    catalog.stock(scarce, catalog.shanghai, 1)
    catalog.stock(plenty, catalog.shanghai, 50)
    customer = catalog.customer()
    order = catalog.order(customer, (scarce, 3), (plenty, 2))
    order_submit(actor=None, order=order)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.BACKORDERED
    lines = customer_backorder_lines(customer.pk)
    assert [(line.product_id, line.quantity, line.short) for line in lines] == [(scarce.pk, 3, 2)]
    assert customer_backorder_lines(catalog.customer().pk) == []


def test_customer_page_shows_the_cards(client_for, catalog):
    product = catalog.product()
    customer = catalog.customer()
    order = catalog.order(customer, (product, 4))
    order_submit(actor=None, order=order)
    page = client_for("sales").get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="panel-customer-value"' in page
    assert 'data-figure="orders">1<' in page
    backorders = page[page.index('id="panel-customer-backorders"') :]
    assert order.number in backorders
    assert "4 of 4 short" in backorders
    assert "no date yet" in backorders
    quiet = catalog.customer()
    page = client_for("sales").get(f"/customers/{quiet.pk}/").content.decode()
    assert "No orders yet." in page
    assert "Nothing waiting for stock." in page


def test_the_customer_page_reads_as_many_queries_with_many_orders_as_with_one(client_for, catalog):
    client = client_for("manager")
    scarce, plenty = catalog.product(), catalog.product()
    catalog.stock(plenty, catalog.shanghai, 1000)
    customer = catalog.customer()

    def more_orders(count):
        for _ in range(count):
            order_submit(actor=None, order=catalog.order(customer, (plenty, 1), (scarce, 2)))

    more_orders(1)
    url = f"/customers/{customer.pk}/"
    client.get(url)  # caches warm
    one = len(page_queries(client, url))
    more_orders(12)
    page = client.get(url).content.decode()
    assert page.count("data-backorder") == 10  # at most ten lines
    assert len(page_queries(client, url)) == one
