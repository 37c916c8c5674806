"""Order models, one module per concern; import them from here."""

from orders.models.base import MONEY, ORDER_NUMBER_SEQUENCE
from orders.models.order import Allocation, Approval, Order, OrderEvent, OrderLine
from orders.models.rules import (
    ApprovalRule,
    PriceList,
    PriceListItem,
    Promotion,
    ShippingRule,
)

__all__ = [
    "MONEY",
    "ORDER_NUMBER_SEQUENCE",
    "Allocation",
    "Approval",
    "ApprovalRule",
    "Order",
    "OrderEvent",
    "OrderLine",
    "PriceList",
    "PriceListItem",
    "Promotion",
    "ShippingRule",
]
