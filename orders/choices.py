from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrderStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("order status", "Draft")
    PENDING_REVIEW = "pending_review", pgettext_lazy("order status", "Pending review")
    CONFIRMED = "confirmed", pgettext_lazy("order status", "Confirmed")
    BACKORDERED = "backordered", pgettext_lazy("order status", "Back-ordered")
    IN_PRODUCTION = "in_production", pgettext_lazy("order status", "In production")
    ALLOCATED = "allocated", pgettext_lazy("order status", "Allocated")
    PICKING = "picking", pgettext_lazy("order status", "Picking")
    PARTIALLY_SHIPPED = "partially_shipped", pgettext_lazy("order status", "Partially shipped")
    SHIPPED = "shipped", pgettext_lazy("order status", "Shipped")
    IN_TRANSIT = "in_transit", pgettext_lazy("order status", "In transit")
    DELIVERED = "delivered", pgettext_lazy("order status", "Delivered")
    COMPLETED = "completed", pgettext_lazy("order status", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("order status", "Cancelled")
    REFUNDING = "refunding", pgettext_lazy("order status", "Refunding")


S = OrderStatus

# The one table of allowed status changes. Only orders.services.order_transition() applies it;
# orders.permissions reads it to decide which actions a user is offered.
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.PENDING_REVIEW, S.CONFIRMED, S.CANCELLED}),
    # Rejection sends an order back to draft.
    S.PENDING_REVIEW: frozenset({S.DRAFT, S.CONFIRMED, S.CANCELLED}),
    # Allocation moves a confirmed order on at once; an amendment may need review again.
    S.CONFIRMED: frozenset(
        {S.BACKORDERED, S.IN_PRODUCTION, S.ALLOCATED, S.PENDING_REVIEW, S.CANCELLED}
    ),
    # Back-ordered with part of it in stock: the warehouse may ship that part now (picking);
    # the rest follows as a shipment of its own once it is allocated.
    S.BACKORDERED: frozenset(
        {S.ALLOCATED, S.IN_PRODUCTION, S.PENDING_REVIEW, S.CANCELLED, S.PICKING}
    ),
    S.IN_PRODUCTION: frozenset({S.ALLOCATED, S.BACKORDERED, S.PENDING_REVIEW, S.CANCELLED}),
    # Fully allocated, waiting in the pick queue: an amendment re-allocates (and may need
    # review again); "Start picking" moves it on until shipping's pick waves do.
    S.ALLOCATED: frozenset(
        {S.PICKING, S.BACKORDERED, S.IN_PRODUCTION, S.PENDING_REVIEW, S.CANCELLED}
    ),
    # Being picked: no more amendments; the goods leave in one or several shipments.
    # Being picked: no more amendments; the goods leave in one or several shipments. From
    # here on the order follows its shipments (orders.services.order_follow_shipments).
    # An order collected at a pickup point goes straight to delivered at the handover.
    S.PICKING: frozenset({S.PARTIALLY_SHIPPED, S.SHIPPED, S.DELIVERED, S.CANCELLED}),
    # Some shipments left while the rest waits; cancelling the remainder lets the order go on
    # with what was dispatched, which may already be moving or delivered.
    S.PARTIALLY_SHIPPED: frozenset({S.SHIPPED, S.IN_TRANSIT, S.DELIVERED}),
    S.SHIPPED: frozenset({S.IN_TRANSIT, S.DELIVERED}),
    S.IN_TRANSIT: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset({S.COMPLETED, S.REFUNDING}),
    S.COMPLETED: frozenset({S.REFUNDING}),
    S.REFUNDING: frozenset({S.COMPLETED, S.CANCELLED}),
    S.CANCELLED: frozenset(),
}

# Statuses in which the order still owes the customer goods (the warehouse queue, credit use).
OPEN_STATUSES = frozenset(
    {S.CONFIRMED, S.BACKORDERED, S.IN_PRODUCTION, S.ALLOCATED, S.PICKING, S.PARTIALLY_SHIPPED}
)
# An amendment re-prices and re-allocates; not once the warehouse has started picking.
AMENDABLE_STATUSES = frozenset({S.CONFIRMED, S.BACKORDERED, S.IN_PRODUCTION, S.ALLOCATED})
CANCELLABLE_STATUSES = frozenset(
    s for s, targets in ORDER_TRANSITIONS.items() if S.CANCELLED in targets
)
# Past picking: shipments carry the order, and what it still owes (a back-ordered part, goods
# sent again after a return) ships as a shipment of its own, never re-opening the status.
REMAINDER_STATUSES = frozenset(
    {S.PICKING, S.PARTIALLY_SHIPPED, S.SHIPPED, S.IN_TRANSIT, S.DELIVERED}
)
# A hold stops the order moving on; once the goods are with the carrier there is nothing to stop.
HOLDABLE_STATUSES = frozenset(S) - {S.SHIPPED, S.IN_TRANSIT, S.DELIVERED, S.COMPLETED, S.CANCELLED}
# The priority score orders work still to be done for the customer, from draft to last shipment.
PRIORITISED_STATUSES = OPEN_STATUSES | {S.DRAFT, S.PENDING_REVIEW}


class FulfilmentStatus(models.TextChoices):
    """How much of the order has left the warehouse (kept by shipping through orders services)."""

    UNFULFILLED = "unfulfilled", _("Unfulfilled")
    PARTIAL = "partial", _("Partially fulfilled")
    FULFILLED = "fulfilled", _("Fulfilled")
    RETURNED = "returned", pgettext_lazy("fulfilment", "Returned")


class PaymentStatus(models.TextChoices):
    """What the customer has paid of the order (kept by billing through
    orders.services.order_set_payment_status, so lists need no join to invoices)."""

    UNPAID = "unpaid", _("Unpaid")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    PAID = "paid", _("Paid")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    REFUNDED = "refunded", _("Refunded")


class ChannelCode(models.TextChoices):
    """The codes of the channels every installation has (migration orders 0023 made them
    rows of `orders.Channel`); staff add more, e.g. one per Shopify shop."""

    BACK_OFFICE = "back_office", _("Back office")
    WEB_SHOP = "web_shop", _("Web shop")
    MARKETPLACE = "marketplace", _("Marketplace")
    IMPORT = "import", _("Import")
    API = "api", _("API")


class ChannelKind(models.TextChoices):
    """What a channel is, which decides how its orders arrive and who tells the buyer."""

    BACK_OFFICE = "back_office", _("Back office")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    SHOPIFY = "shopify", "Shopify"
    WOOCOMMERCE = "woocommerce", "WooCommerce"
    TAOBAO = "taobao", _("Taobao/Tmall")
    JD = "jd", _("JD")
    PINDUODUO = "pinduoduo", _("Pinduoduo")
    OTHER_SHOP = "other_shop", _("Other web shop")
    OTHER_MARKETPLACE = "other_marketplace", _("Other marketplace")


# A shop platform tells its buyers about their order itself: we send them nothing it sends.
PLATFORM_KINDS = frozenset(
    {
        ChannelKind.SHOPIFY,
        ChannelKind.WOOCOMMERCE,
        ChannelKind.TAOBAO,
        ChannelKind.JD,
        ChannelKind.PINDUODUO,
        ChannelKind.OTHER_SHOP,
        ChannelKind.OTHER_MARKETPLACE,
    }
)


class EventKind(models.TextChoices):
    CREATED = "created", pgettext_lazy("order event", "Created")
    EDITED = "edited", _("Edited")
    SUBMITTED = "submitted", _("Submitted")
    STATUS = "status", _("Status changed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    ALLOCATED = "allocated", _("Stock allocated")
    DEFERRED = "deferred", _("Allocation deferred")
    RELEASED = "released", _("Stock released")
    WORK_ORDER = "work_order", _("Work order")
    HELD = "held", _("Put on hold")
    RESUMED = "resumed", _("Resumed")
    AMENDED = "amended", _("Amended")
    PRIORITY = "priority", _("Priority changed")
    CANCELLED = "cancelled", _("Cancelled")
    REMAINDER = "remainder", _("Remainder cancelled")
    ISSUED = "issued", _("Goods issued")
    DELIVERY = "delivery", _("Delivery arranged")
    # Told by shipping: the order's shipment merged into a parcel with other orders, or split.
    SHIPPING = "shipping", pgettext_lazy("order event", "Shipping")
    RETURNED = "returned", pgettext_lazy("order event", "Goods returned")
    # Told by billing: what the customer has paid changed (orders.services.order_set_payment_status).
    PAYMENT = "payment", pgettext_lazy("order event", "Payment")
    # Told by after-sales: a return was resolved (refund, replacement order, repair).
    AFTER_SALES = "after_sales", pgettext_lazy("order event", "After-sales")


class ApprovalCondition(models.TextChoices):
    AMOUNT_AT_LEAST = "amount_at_least", _("Order amount at least")
    MADE_TO_ORDER = "made_to_order", _("Contains made-to-order lines")
    CREDIT_EXCEEDED = "credit_exceeded", _("Customer credit limit exceeded")
    NEW_CUSTOMER = "new_customer", _("Customer has no previous orders")
    MANUAL_FLAG = "manual_flag", _("Flagged for review by hand")


class ApprovalDecision(models.TextChoices):
    PENDING = "pending", pgettext_lazy("approval", "Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PromotionKind(models.TextChoices):
    PERCENT = "percent", _("Percentage off")
    FIXED = "fixed", _("Fixed amount off per unit")


class PromotionScope(models.TextChoices):
    ALL = "all", _("All products")
    PRODUCT = "product", _("One product")
    CATEGORY = "category", _("One category")
    TIER = "tier", _("Customers of one tier")


# The badge tone of each status (UI.md: draft grey, review amber, confirmed blue, back-ordered
# orange, picking indigo, shipped teal, delivered green, cancelled red). Allocated (waiting to be
# picked) is a light indigo: the same family as picking, told apart at a glance.
ORDER_STATUS_TONES: dict[str, str] = {
    S.DRAFT: "grey",
    S.PENDING_REVIEW: "amber",
    S.CONFIRMED: "blue",
    S.BACKORDERED: "orange",
    S.IN_PRODUCTION: "cyan",
    S.ALLOCATED: "indigo-light",
    S.PICKING: "indigo",
    S.PARTIALLY_SHIPPED: "teal-light",
    S.SHIPPED: "teal",
    S.IN_TRANSIT: "teal",
    S.DELIVERED: "green",
    S.COMPLETED: "green",
    S.CANCELLED: "red",
    S.REFUNDING: "red",
}


class ApprovalReason(models.TextChoices):
    """Why an order waits for review; stored as a code, worded when shown (orders/reasons.py)."""

    AMOUNT_OVER = "amount_over", _("Order amount at or above the limit")
    MADE_TO_ORDER = "made_to_order", _("Made-to-order goods")
    CREDIT_EXCEEDED = "credit_exceeded", _("Credit limit exceeded")
    NEW_CUSTOMER = "new_customer", _("New customer")
    MANUAL_FLAG = "manual_flag", _("Flagged by hand")
    AMENDED = "amended", _("Amended after approval")
    # A channel's order for a customer on credit hold: taken, then finance decides.
    CREDIT_HOLD = "credit_hold", _("Customer on credit hold")


class WebhookEvent(models.TextChoices):
    """What we tell a channel about its orders (orders.intake.outbound)."""

    CONFIRMED = "order.confirmed", _("Order confirmed")
    SHIPPED = "order.shipped", _("Order shipped")
    DELIVERED = "order.delivered", _("Order delivered")
    CANCELLED = "order.cancelled", _("Order cancelled")
    REFUNDED = "order.refunded", _("Order refunded")


class WebhookTarget(models.TextChoices):
    # Our own signed event to the channel's webhook URL.
    WEBHOOK = "webhook", _("Webhook")
    # The platform's own ship confirmation (a Shopify fulfillment, Taobao's offline send) to
    # the channel's endpoint.
    CONFIRMATION = "confirmation", _("Ship confirmation")


class WebhookStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
