"""Order models, one module per concern; import them from here."""

from orders.intake.inbound_models import InboundDelivery, SkuMapping
from orders.intake.models import ApiIdempotencyKey, ApiToken, Channel, ChannelBuyer
from orders.intake.outbound_models import PlatformCarrier, WebhookDelivery
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
    "ApiIdempotencyKey",
    "ApiToken",
    "Approval",
    "ApprovalRule",
    "Channel",
    "ChannelBuyer",
    "DailyOrderSales",
    "DailySales",
    "InboundDelivery",
    "Order",
    "OrderEvent",
    "OrderLine",
    "PlatformCarrier",
    "PriceList",
    "PriceListItem",
    "Promotion",
    "SalesSummaryDay",
    "SalesWindow",
    "SalesWindowProduct",
    "ShippingRule",
    "SkuMapping",
    "WebhookDelivery",
]
