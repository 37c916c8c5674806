"""Order services: the only code that writes orders, their lines, approvals and events.

Every entry point runs in one transaction and takes its locks in one order: the order row
first, then work orders, then stock rows in primary-key order. An action on an order starts
with `shared.lock_order_for`, which applies the rules of `orders.permissions` (the same that
decide the buttons on the order page). It writes an OrderEvent for what changed, tells higher
layers through `orders.hooks`, and defers anything that leaves the database to
transaction.on_commit.

Callers use this package as one module: `from orders import services; services.order_cancel(...)`.
"""

from orders.errors import InvalidTransition
from orders.services.amend import order_amend
from orders.services.delivery import order_record_delivery
from orders.services.delivery_note import delivery_note_editable, order_set_delivery_note
from orders.services.draft import (
    NewDraft,
    order_create,
    order_line_add,
    order_line_remove,
    order_line_update,
    order_place,
    order_update_draft,
)
from orders.services.fulfilment import (
    LineIssue,
    ShipmentProgress,
    order_follow_shipments,
    order_issue_stock,
    order_record_shipping,
    orders_follow_shipments,
)
from orders.services.lifecycle import (
    order_boost,
    order_cancel,
    order_hold,
    order_resume,
    order_start_picking,
    order_transition,
)
from orders.services.payment import order_set_payment_status
from orders.services.public_link import (
    order_public_token,
    order_public_token_regenerate,
    order_public_token_revoke,
    order_public_token_share,
)
from orders.services.remainder import (
    allocate_remainder,
    order_allocate_remainder,
    order_close_returned,
    order_goods_returned,
    order_return_received,
)
from orders.services.replacement import (
    order_refund_open,
    order_refund_settle,
    order_replacement_place,
)
from orders.services.replenish import (
    order_allocate_due,
    order_allocate_finished_work,
    order_allocate_more,
)
from orders.services.repricing import refresh_priorities, reprice
from orders.services.review import (
    order_approve,
    order_reject,
    order_submit,
)
from orders.services.rules import approval_rule_save
from orders.services.shared import LineRequest, discount_limit

__all__ = [
    "InvalidTransition",
    "LineIssue",
    "LineRequest",
    "NewDraft",
    "ShipmentProgress",
    "allocate_remainder",
    "approval_rule_save",
    "delivery_note_editable",
    "discount_limit",
    "order_allocate_due",
    "order_allocate_finished_work",
    "order_allocate_more",
    "order_allocate_remainder",
    "order_amend",
    "order_approve",
    "order_boost",
    "order_cancel",
    "order_close_returned",
    "order_create",
    "order_follow_shipments",
    "order_goods_returned",
    "order_hold",
    "order_issue_stock",
    "order_line_add",
    "order_line_remove",
    "order_line_update",
    "order_place",
    "order_public_token",
    "order_public_token_regenerate",
    "order_public_token_revoke",
    "order_public_token_share",
    "order_record_delivery",
    "order_record_shipping",
    "order_refund_open",
    "order_refund_settle",
    "order_reject",
    "order_replacement_place",
    "order_resume",
    "order_return_received",
    "order_set_delivery_note",
    "order_set_payment_status",
    "order_start_picking",
    "order_submit",
    "order_transition",
    "order_update_draft",
    "orders_follow_shipments",
    "refresh_priorities",
    "reprice",
]
