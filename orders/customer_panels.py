"""The customer page's cards that orders owns: lifetime figures and open back-orders."""

from django.urls import reverse
from django.utils.http import urlencode

from orders import selectors
from orders.choices import OrderStatus
from orders.messages import expected_restock_date


def customer_value_panel(request, customer) -> dict:
    """Orders, lifetime spend, average order, first and last order: one aggregate query."""
    return {
        "figures": selectors.customer_order_figures(customer.pk),
        "orders_url": reverse("orders:list") + "?" + urlencode({"customer": customer.code}),
    }


def customer_backorders_panel(request, customer) -> dict:
    """The customer's lines still waiting for stock (at most 10, oldest order first), each
    with the date the goods are expected when a restock-date provider knows it."""
    lines = selectors.customer_backorder_lines(customer.pk)
    for line in lines:
        line.expected = expected_restock_date(line.order, [line.pk])
    return {
        "lines": lines,
        "more_url": reverse("orders:list")
        + "?"
        + urlencode({"customer": customer.code, "status": OrderStatus.BACKORDERED}),
    }
