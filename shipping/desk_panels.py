"""Cards on the shipment page for the logistics desk: why the parcel needs attention with
the desk's actions, and a returned parcel's booking in and what becomes of its goods."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from shipping import attention, returns
from shipping.choices import ShipmentStatus
from shipping.models import ReturnReceipt, Shipment
from shipping.permissions import ShipmentAction, shipment_allowed_actions

S = ShipmentStatus


def attention_panel(request: HttpRequest, shipment: Shipment) -> dict[str, Any] | None:
    """On a parcel with the carrier: why it is in the exceptions queue (if it is) and the
    desk's actions."""
    if shipment.status not in attention.ON_THE_WAY:
        return None
    user = request.user
    row = attention.attention_rows(Shipment.objects.filter(pk=shipment.pk)).first()
    today = timezone.localdate()
    reasons = attention.reasons_of(row, attention.calendar_for([row], today), today) if row else []
    can_track = user.has_perm(attention.TRACK_PERMISSION)
    if not reasons and not can_track:
        return None
    return {
        "shipment": shipment,
        "reasons": reasons,
        "can_track": can_track,
        "can_return": ShipmentAction.RETURNED in shipment_allowed_actions(shipment, user),
        "note_length": attention.NOTE_LENGTH,
    }


def return_panel(request: HttpRequest, shipment: Shipment) -> dict[str, Any] | None:
    """On a returned parcel: book it back in, then send its goods again or close it."""
    if shipment.status != S.RETURNED:
        return None
    receipt = (
        ReturnReceipt.objects.select_related("received_by", "resolved_by")
        .prefetch_related("reshipments")
        .filter(shipment=shipment)
        .first()
    )
    user = request.user
    return {
        "shipment": shipment,
        "receipt": receipt,
        "can_receive": receipt is None and user.has_perm(returns.RECEIVE_PERMISSION),
        "can_resolve": receipt is not None
        and receipt.resolution == "waiting"
        and user.has_perm(returns.RESOLVE_PERMISSION),
        "lines": shipment.lines.all(),
        "note_length": returns.NOTE_LENGTH,
    }
