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
    if shipment.status == "cancelled":
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
