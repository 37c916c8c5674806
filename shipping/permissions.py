"""What a user may do with a shipment, answered in one place (like orders/permissions.py).

The shipment page shows a button exactly for the actions in `shipment_allowed_actions()`,
and every service behind those buttons calls `ensure_action_allowed()` with the same rules
after it has locked the order and the shipment.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from oms.errors import ServiceError
from oms.types import User
from orders.choices import OrderStatus
from shipping.choices import SHIPMENT_TRANSITIONS, UNDISPATCHED_STATUSES, ShipmentStatus
from shipping.models import Shipment

S = ShipmentStatus


class ShipmentError(ServiceError):
    """The shipment cannot do this in its state; the message says why."""


class ShipmentAction(StrEnum):
    START_PICKING = "start_picking"
    PACK = "pack"
    DISPATCH = "dispatch"
    # The carrier's news, typed in by staff until tracking brings it.
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    RETURNED = "returned"


# The status each action moves the shipment to.
ACTION_TARGETS: dict[ShipmentAction, str] = {
    ShipmentAction.START_PICKING: S.PICKING,
    ShipmentAction.PACK: S.PACKED,
    ShipmentAction.DISPATCH: S.DISPATCHED,
    ShipmentAction.IN_TRANSIT: S.IN_TRANSIT,
    ShipmentAction.OUT_FOR_DELIVERY: S.OUT_FOR_DELIVERY,
    ShipmentAction.DELIVERED: S.DELIVERED,
    ShipmentAction.EXCEPTION: S.EXCEPTION,
    ShipmentAction.RETURNED: S.RETURNED,
}
# The carrier's news, as actions.
CARRIER_ACTIONS = frozenset(
    {
        ShipmentAction.IN_TRANSIT,
        ShipmentAction.OUT_FOR_DELIVERY,
        ShipmentAction.DELIVERED,
        ShipmentAction.EXCEPTION,
        ShipmentAction.RETURNED,
    }
)

# The Django permission each action needs; the views declare the same ones.
ACTION_PERMISSIONS: dict[ShipmentAction, str] = {
    ShipmentAction.START_PICKING: "shipping.pick_shipment",
    ShipmentAction.PACK: "shipping.pack_shipment",
    ShipmentAction.DISPATCH: "shipping.dispatch_shipment",
    **{action: "shipping.track_shipment" for action in CARRIER_ACTIONS},
}


def shipment_allowed_actions(shipment: Shipment, user: User | None) -> frozenset[ShipmentAction]:
    """Every action the user may take on the shipment now (None: the system)."""
    return frozenset(
        action
        for action in ShipmentAction
        if _permitted(user, action) and _state_refusal(shipment, action) is None
    )


def ensure_permitted(actor: User | None, action: ShipmentAction) -> None:
    if not _permitted(actor, action):
        raise PermissionDenied(_("Your role does not allow this on shipments."))


def ensure_action_allowed(
    shipment: Shipment, actor: User | None, action: ShipmentAction, *, with_parcel: bool = False
) -> None:
    """The services' guard, with the order and the shipment locked: PermissionDenied for a
    role without the action, ShipmentError (a message for the user) for the wrong state.
    `with_parcel`: the shipment is dispatched with its merged parcel, not on its own."""
    ensure_permitted(actor, action)
    refusal = _state_refusal(shipment, action, with_parcel=with_parcel)
    if refusal is not None:
        raise ShipmentError(refusal)


def _permitted(user: User | None, action: ShipmentAction) -> bool:
    return user is None or user.has_perm(ACTION_PERMISSIONS[action])


def _state_refusal(
    shipment: Shipment, action: ShipmentAction, *, with_parcel: bool = False
) -> str | None:
    target = ACTION_TARGETS[action]
    if shipment.status == S.CANCELLED:
        return _("Shipment %(number)s was cancelled.") % {"number": shipment.number}
    if action == ShipmentAction.DISPATCH and shipment.status not in UNDISPATCHED_STATUSES:
        return _("Shipment %(number)s has already been dispatched.") % {"number": shipment.number}
    if shipment.pickup_point_id is not None and (
        action == ShipmentAction.DISPATCH or action in CARRIER_ACTIONS
    ):
        # Store pickup: no carrier; the customer's code at the pickup desk hands it over.
        return _("%(number)s is collected at a pickup point with the customer's code.") % {
            "number": shipment.number
        }
    if action == ShipmentAction.DISPATCH and shipment.merged_parcel_id and not with_parcel:
        return _(
            "Shipment %(number)s leaves in one parcel with other orders: dispatch the merged "
            "parcel."
        ) % {"number": shipment.number}
    if target not in SHIPMENT_TRANSITIONS.get(shipment.status, ()):
        return _("A shipment that is %(current)s cannot become %(target)s.") % {
            "current": S(shipment.status).label,
            "target": S(target).label,
        }
    if action not in CARRIER_ACTIONS:
        order = shipment.order
        if order.status == OrderStatus.CANCELLED:
            return _("Order %(number)s was cancelled.") % {"number": order.number}
        if order.on_hold:
            return _("Order %(number)s is on hold; resume it first.") % {"number": order.number}
    return None
