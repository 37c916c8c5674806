"""The "Returns" cards on the order page (each return with its timeline: the order's story
goes on after delivery) and on the customer page."""

from typing import Any

from django.http import HttpRequest

from aftersales.return_selectors import returns_of_customer, returns_of_order
from customers.models import Customer
from orders.choices import OrderStatus
from orders.models import Order

# An order that reached the customer may come back; the card offers "New return" there.
RETURNABLE_ORDER_STATUSES = {
    OrderStatus.PARTIALLY_SHIPPED,
    OrderStatus.SHIPPED,
    OrderStatus.IN_TRANSIT,
    OrderStatus.DELIVERED,
    OrderStatus.COMPLETED,
    OrderStatus.REFUNDING,
}


def order_returns_panel(request: HttpRequest, order: Order) -> dict[str, Any] | None:
    returns = returns_of_order(order)
    if not returns and order.status not in RETURNABLE_ORDER_STATUSES:
        return None
    return {"order": order, "returns": returns}


def customer_returns_panel(request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    returns = returns_of_customer(customer.pk)
    if not returns:
        return None
    return {"customer": customer, "returns": returns}
