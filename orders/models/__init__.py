"""Order models, one module per concern; import them from here."""

from orders.models.analytics import (
    DailyOrderSales,
    DailySales,
    SalesSummaryDay,
    SalesWindow,
    SalesWindowProduct,
)
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
    "DailyOrderSales",
    "DailySales",
    "Order",
    "OrderEvent",
    "OrderLine",
    "PriceList",
    "PriceListItem",
    "Promotion",
    "SalesSummaryDay",
    "SalesWindow",
    "SalesWindowProduct",
    "ShippingRule",
]
