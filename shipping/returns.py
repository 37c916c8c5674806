"""Returned parcels: the carrier brought the goods back (refused, undeliverable), the shipment
is `returned`. The warehouse books the parcel back in (one ledger row per line, quoting the
shipment's number, through inventory), then the desk decides: send the goods again (the
order's lines owe them again and are allocated like any order; shipping puts them into a new
shipment) or not (the order's remainder is cancelled through orders' services).

Same locks as every shipping service: the order row, then the shipment, then stock rows.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.services import StockReturn, stock_return
from oms.db import atomic_with_retry
from oms.services import acting_user, audit_record
from oms.types import User
from orders import services as order_services
from orders.choices import OrderStatus
from shipping.choices import ReturnResolution, ShipmentEventKind, ShipmentStatus
from shipping.models import ReturnReceipt, Shipment, ShipmentLine
from shipping.permissions import ShipmentError
from shipping.services import follow, lock_shipment, record_event

RECEIVE_PERMISSION = "shipping.receive_return"
RESOLVE_PERMISSION = "shipping.resolve_return"
NOTE_LENGTH = 500


def _check_permission(actor: User | None, permission: str) -> None:
    if actor is not None and not actor.has_perm(permission):
        raise PermissionDenied(_("Your role does not allow this on returned parcels."))


def _check_note(note: str, *, required: str = "") -> str:
    note = note.strip()
    if required and not note:
        raise ValidationError({"note": required})
    if len(note) > NOTE_LENGTH:
        raise ValidationError({"note": _("At most %(max)s characters.") % {"max": NOTE_LENGTH}})
    return note


@atomic_with_retry()
def shipment_receive_return(
    *, actor: User | None, shipment: Shipment, note: str = ""
) -> tuple[ReturnReceipt, bool]:
    """Book a returned parcel back in: on_hand goes up by each line's quantity (one "return"
    ledger row per line, the shipment as reference), recorded on the shipment's and the
    order's timelines. A parcel is booked in once: a second booking returns the first
    receipt and `False`, and writes nothing."""
    _check_permission(actor, RECEIVE_PERMISSION)
    note = _check_note(note)
    shipment = lock_shipment(shipment)
    existing = ReturnReceipt.objects.filter(shipment=shipment).first()
    if existing is not None:
        return existing, False
    if shipment.status != ShipmentStatus.RETURNED:
        raise ShipmentError(
            _("%(number)s is %(status)s, not returned: there is nothing to book in.")
            % {"number": shipment.number, "status": shipment.get_status_display()}
        )
    lines = list(shipment.lines.select_related("product").order_by("pk"))
    stock_return(
        actor=acting_user(actor),
        warehouse=shipment.warehouse,
        returns=[
            # Back at the cost they left at (fixed on the line at dispatch).
            StockReturn(
                line.product,
                line.quantity,
                f"{line.product.sku} {line.lot}".strip(),
                unit_cost=line.unit_cost,
            )
            for line in lines
        ],
        reference=shipment.number,
    )
    units = sum(line.quantity for line in lines)
    receipt = ReturnReceipt.objects.create(
        shipment=shipment, received_by=acting_user(actor), note=note, units=units
    )
    record_event(
        shipment,
        ShipmentEventKind.RECEIVED,
        actor=actor,
        note=note,
        data={"units": units, "lines": len(lines)},
    )
    per_line: dict[int, int] = {}
    for line in lines:
        per_line[line.order_line_id] = per_line.get(line.order_line_id, 0) + line.quantity
    order_services.order_return_received(
        order=shipment.order, reference=shipment.number, units=per_line, actor=actor
    )
    audit_record(
        actor=actor, action="shipment.return_received", obj=shipment, changes={"units": units}
    )
    return receipt, True


def _lock_waiting_receipt(shipment: Shipment) -> ReturnReceipt:
    receipt = ReturnReceipt.objects.select_for_update().filter(shipment=shipment).first()
    if receipt is None:
        raise ShipmentError(_("Book %(number)s back in first.") % {"number": shipment.number})
    if receipt.resolution != ReturnResolution.WAITING:
        raise ShipmentError(
            _("What becomes of %(number)s was decided already: %(decision)s.")
            % {"number": shipment.number, "decision": receipt.get_resolution_display()}
        )
    return receipt


def _settle(receipt: ReturnReceipt, shipment: Shipment, resolution: str, actor: User | None):
    """The goods behind the parcel's lines are settled: the order's lines owe them again."""
    allocation_ids = list(
        ShipmentLine.allocations.through.objects.filter(
            shipmentline__shipment=shipment
        ).values_list("allocation_id", flat=True)
    )
    order_services.order_goods_returned(order=shipment.order, allocation_ids=allocation_ids)
    receipt.resolution = resolution
    receipt.resolved_at = timezone.now()
    receipt.resolved_by = acting_user(actor)
    receipt.save(update_fields=["resolution", "resolved_at", "resolved_by"])


@atomic_with_retry()
def return_reship(*, actor: User | None, shipment: Shipment, note: str = "") -> list[Shipment]:
    """Send a returned parcel's goods again: they are allocated like any order's (nearest
    warehouse with free stock) and shipping makes a new shipment of them, waiting to be
    picked. What finds no stock waits as the order's back-ordered remainder and ships when
    stock arrives. Returns the new shipments."""
    _check_permission(actor, RESOLVE_PERMISSION)
    note = _check_note(note)
    shipment = lock_shipment(shipment)
    receipt = _lock_waiting_receipt(shipment)
    order = shipment.order
    if order.status == OrderStatus.CANCELLED or order.remainder_cancelled:
        raise ShipmentError(
            _("The rest of order %(number)s was cancelled: its goods are not sent again.")
            % {"number": order.number}
        )
    if order.on_hold:
        raise ShipmentError(
            _("Order %(number)s is on hold; resume it first.") % {"number": order.number}
        )
    last = Shipment.objects.filter(order=order).order_by("-pk").values_list("pk", flat=True)[0]
    _settle(receipt, shipment, ReturnResolution.RESHIPPED, actor)
    result = order_services.allocate_remainder(order, actor=actor)
    new = list(Shipment.objects.filter(order=order, pk__gt=last).order_by("pk"))
    receipt.reshipments.set(new)
    short = sum(result.short.values())
    data = {"shipments": [s.number for s in new], "short": short}
    record_event(shipment, ShipmentEventKind.RESHIPPED, actor=actor, note=note, data=data)
    audit_record(actor=actor, action="shipment.return_reshipped", obj=shipment, changes=data)
    follow(order, actor)
    return new


@atomic_with_retry()
def return_close(*, actor: User | None, shipment: Shipment, reason: str) -> ReturnReceipt:
    """The returned goods are not sent again: the order's remainder is cancelled through
    orders (open reservations released, shipments not yet dispatched voided) and the order
    goes on with what was delivered; its fulfilment stays `returned`."""
    _check_permission(actor, RESOLVE_PERMISSION)
    reason = _check_note(reason, required=_("Say why the goods are not sent again."))
    shipment = lock_shipment(shipment)
    receipt = _lock_waiting_receipt(shipment)
    order = shipment.order
    _settle(receipt, shipment, ReturnResolution.CLOSED, actor)
    if order.status != OrderStatus.CANCELLED and not order.remainder_cancelled:
        order = order_services.order_close_returned(order, actor=actor, reason=reason)
        shipment.order = order
    record_event(shipment, ShipmentEventKind.CLOSED, actor=actor, note=reason)
    audit_record(
        actor=actor, action="shipment.return_closed", obj=shipment, changes={"reason": reason}
    )
    follow(order, actor)
    return receipt
