"""What a user may do with an order, answered in one place.

The order page shows a button exactly for the actions in `order_allowed_actions()`, and every
service behind those buttons calls `ensure_action_allowed()` with the same rules after it has
locked the order, so the page never offers what the service would refuse. The rules combine
the status table (`ORDER_TRANSITIONS`, through the status sets derived from it), the hold
flag, the review state and the user's Django permissions. What the user types (a reason, a
quantity) is still checked by the services.
"""

from enum import StrEnum

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from customers.selectors import customer_visible_to
from orders.choices import (
    AMENDABLE_STATUSES,
    CANCELLABLE_STATUSES,
    HOLDABLE_STATUSES,
    PRIORITISED_STATUSES,
    ApprovalDecision,
    OrderStatus,
)
from orders.errors import InvalidTransition
from orders.models import Allocation, Order
from orders.selectors import user_roles

S = OrderStatus

# Who acts: a signed-in user, or None for the system (channel intake, imports, jobs).
Actor = User | None


class OrderAction(StrEnum):
    EDIT = "edit"  # the draft editor: details and lines
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    HOLD = "hold"
    RESUME = "resume"
    CANCEL = "cancel"
    AMEND = "amend"
    BOOST = "boost"
    START_PICKING = "start_picking"


# The Django permission each action needs; the views declare the same ones.
ACTION_PERMISSIONS: dict[OrderAction, str] = {
    OrderAction.EDIT: "orders.change_order",
    OrderAction.SUBMIT: "orders.change_order",
    OrderAction.APPROVE: "orders.approve_order",
    OrderAction.REJECT: "orders.approve_order",
    OrderAction.HOLD: "orders.hold_order",
    OrderAction.RESUME: "orders.hold_order",
    OrderAction.CANCEL: "orders.cancel_order",
    OrderAction.AMEND: "orders.amend_order",
    OrderAction.BOOST: "orders.boost_order",
    OrderAction.START_PICKING: "orders.start_picking",
}


def order_allowed_actions(
    order: Order, user: Actor, *, roles: set[str] | None = None
) -> frozenset[OrderAction]:
    """Every action the user may take on the order now (None: the system, which needs no
    permission). Uses the order's prefetched lines and approvals when the page has them;
    `roles`, the user's roles when the caller has them already (a list of orders)."""

    def lazy_roles() -> set[str]:
        nonlocal roles
        if roles is None:
            roles = user_roles(user)
        return roles

    if not _may_see(order, user):
        return frozenset()
    return frozenset(
        action
        for action in OrderAction
        if _permitted(user, action) and _state_refusal(order, user, action, lazy_roles) is None
    )


def ensure_permitted(actor: Actor, action: OrderAction) -> None:
    """PermissionDenied when the actor's role lacks the action's permission."""
    if not _permitted(actor, action):
        raise PermissionDenied(_("Your role does not allow this on orders."))


def ensure_action_allowed(order: Order, actor: Actor, action: OrderAction) -> None:
    """The services' guard. Raises PermissionDenied when the actor's role lacks the action,
    InvalidTransition (a message for the user) when the order's state does not allow it."""
    ensure_permitted(actor, action)
    if not _may_see(order, actor):
        raise PermissionDenied(_("This order is not one of your customers'."))
    refusal = _state_refusal(order, actor, action, lambda: user_roles(actor))
    if refusal is not None:
        raise InvalidTransition(refusal)


def _may_see(order: Order, user: Actor) -> bool:
    """The order's customer is one the user may see (customers_visible_to: sales users limited
    to their own customers by OMS_SALES_OWN_CUSTOMERS_ONLY); the system sees every order."""
    return user is None or customer_visible_to(order.customer, user)


def _permitted(user: Actor, action: OrderAction) -> bool:
    return user is None or user.has_perm(ACTION_PERMISSIONS[action])


def _state_refusal(order: Order, user: Actor, action: OrderAction, roles) -> str | None:
    """Why the order's state (and, for decisions, the review) rules the action out, or None."""
    on_hold = _("The order is on hold; resume it first.")
    match action:
        case OrderAction.EDIT:
            if order.status != S.DRAFT:
                return _(
                    "Only draft orders can be edited this way; use Amend for confirmed orders."
                )
        case OrderAction.SUBMIT:
            if order.status != S.DRAFT:
                return _("Only a draft can be submitted.")
            if order.on_hold:
                return on_hold
            if not _has_lines(order):
                return _("An order needs at least one line.")
        case OrderAction.APPROVE | OrderAction.REJECT:
            if order.status != S.PENDING_REVIEW:
                return _("The order is not waiting for review.")
            if order.on_hold:
                return on_hold
            return _decision_refusal(order, user, roles)
        case OrderAction.HOLD:
            if order.on_hold:
                return _("The order is already on hold.")
            if order.status not in HOLDABLE_STATUSES:
                return _("A %(status)s order cannot be held.") % {"status": S(order.status).label}
        case OrderAction.RESUME:
            if not order.on_hold:
                return _("The order is not on hold.")
        case OrderAction.CANCEL:
            # A partially shipped order cancels what has not left yet (its remainder).
            if order.status == S.PARTIALLY_SHIPPED and not order.remainder_cancelled:
                return None
            if order.status not in CANCELLABLE_STATUSES:
                return _("An order that is %(current)s cannot be cancelled.") % {
                    "current": S(order.status).label
                }
        case OrderAction.AMEND:
            if order.status not in AMENDABLE_STATUSES or order.picking_started_at is not None:
                return _("Only confirmed orders whose picking has not started can be amended.")
            if order.on_hold:
                return on_hold
        case OrderAction.BOOST:
            if order.status not in PRIORITISED_STATUSES:
                return _("Only an order still to be delivered has a priority to change.")
        case OrderAction.START_PICKING:
            # A back-ordered order ships what it holds; its remainder follows later.
            if order.status not in (S.ALLOCATED, S.BACKORDERED) or (
                order.status == S.BACKORDERED and not holds_stock(order)
            ):
                return _("Only an order that holds stock can be picked.")
            if order.on_hold:
                return on_hold
            if order.picking_started_at is not None:
                return _("Picking has already started.")
    return None


def holds_stock(order: Order) -> bool:
    """Some of the order's goods are reserved for it in a warehouse (one query)."""
    return Allocation.objects.filter(line__order=order, issued_at__isnull=True).exists()


def _decision_refusal(order: Order, user: Actor, roles) -> str | None:
    """A reviewer decides when the lowest open level of this round waits for one of their
    roles and they have not decided in this round yet (the next level needs another person)."""
    this_round = [a for a in order.approvals.all() if a.round == order.review_round]
    pending = [a for a in this_round if a.decision == ApprovalDecision.PENDING]
    lowest = min((a.level for a in pending), default=None)
    if user is None or not any(a.level == lowest and a.required_role in roles() for a in pending):
        return _("Nothing on this order waits for your approval.")
    if _is_own_order(order, user):
        return _("You created or last edited this order: another person must approve or reject it.")
    if any(a.decided_by_id == user.pk for a in this_round):
        return _("You already decided on this order; another person must approve the next level.")
    return None


def _is_own_order(order: Order, user: User) -> bool:
    """Separation of duties: the creator and the last editor do not review their own order,
    unless the installation allows it (OMS_ALLOW_SELF_APPROVAL, for one-person companies)."""
    if settings.OMS_ALLOW_SELF_APPROVAL:
        return False
    return user.pk in (order.created_by_id, order.last_edited_by_id)


def _has_lines(order: Order) -> bool:
    prefetched = getattr(order, "_prefetched_objects_cache", {})
    if "lines" in prefetched:
        return bool(prefetched["lines"])
    return order.lines.exists()
