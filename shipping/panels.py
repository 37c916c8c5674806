"""The carrier choice card on the shipment page: the rules' choice with its reason and every
alternative with its cost while the shipment is in the warehouse; afterwards what was
recorded."""

from typing import Any

from django.http import HttpRequest

from shipping.carrier_services import CHOOSE_PERMISSION, REASON_LENGTH
from shipping.choice import choose_carrier
from shipping.choices import UNDISPATCHED_STATUSES, ShipmentEventKind
from shipping.models import Shipment


def carrier_choice_panel(request: HttpRequest, shipment: Shipment) -> dict[str, Any] | None:
    if shipment.status == "cancelled" or shipment.pickup_point_id is not None:
        return None
    recorded = [e for e in shipment.events.all() if e.kind == ShipmentEventKind.CARRIER]
    open_ = shipment.status in UNDISPATCHED_STATUSES
    return {
        "shipment": shipment,
        "choice": choose_carrier(shipment) if open_ else None,
        "recorded": recorded[-1] if recorded else None,
        "can_choose": open_ and request.user.has_perm(CHOOSE_PERMISSION),
        "reason_length": REASON_LENGTH,
    }


def pickup_panel(request: HttpRequest, shipment: Shipment) -> dict[str, Any] | None:
    """How the shipment reaches its customer: its booked delivery slot, or its pickup point
    with the code's state (and a new code while it waits)."""
    from shipping.slots import shipment_booking

    booking = shipment_booking(shipment)
    if booking is None and shipment.pickup_point_id is None:
        return None
    code = shipment.pickup_codes.order_by("-id").first() if shipment.pickup_point_id else None
    return {
        "shipment": shipment,
        "booking": booking,
        "point": shipment.pickup_point,
        "code": code,
        "can_resend": shipment.status == "ready_for_pickup"
        and request.user.has_perm("shipping.hand_over_pickup"),
    }
