"""Splitting: lines of a shipment, or part of a line's quantity, move to a new shipment of the
same order and warehouse (what does not fit the box, what waits for a later truck).

Reservations do not move: the new line draws from the same open allocation as the line it
came from (a shipment line names the allocation it draws from until dispatch, and dispatch
splits the allocation row by what leaves). The units of the order's undispatched shipments
per line and warehouse stay what they were, so reserved = Σ open allocations still holds and
no shipment is created twice for the same units.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from customers.choices import PaymentTerms
from oms.db import atomic_with_retry, next_document_number
from oms.services import acting_user, audit_record
from oms.texts import coded
from oms.types import User
from orders import services as order_services
from shipping.choices import ShipmentEventKind, ShipmentStatus
from shipping.models import SHIPMENT_NUMBER_SEQUENCE, PackSession, Shipment, ShipmentLine
from shipping.permissions import ShipmentError
from shipping.services import follow, lock_shipment, record_event, shipment_transition

S = ShipmentStatus
SPLITTABLE_STATUSES = frozenset({S.PENDING, S.PICKING})
NOTE_SPLIT = "shipment_split"
SPLIT_PERMISSION = "shipping.merge_shipment"


@atomic_with_retry()
def shipment_split(
    *, actor: User | None, shipment: Shipment, quantities: dict[int, int]
) -> Shipment:
    """Move `quantities` ({shipment line id: units}) to a new shipment of the same order and
    warehouse, in the same state (waiting or being picked). At least one unit must move and
    one must stay. The shipment's pack-station count starts again. Returns the new shipment."""
    if actor is not None and not actor.has_perm(SPLIT_PERMISSION):
        raise ShipmentError(_("Your role does not allow splitting shipments."))
    shipment = lock_shipment(shipment)
    if shipment.status not in SPLITTABLE_STATUSES:
        raise ShipmentError(
            _("Shipment %(number)s is %(status)s; only a waiting or picking one can be split.")
            % {"number": shipment.number, "status": shipment.get_status_display()}
        )
    if shipment.order.on_hold:
        raise ShipmentError(
            _("Order %(number)s is on hold; resume it first.") % {"number": shipment.order.number}
        )
    lines = {line.pk: line for line in shipment.lines.select_related("product").order_by("pk")}
    moving = {line_id: units for line_id, units in quantities.items() if units}
    if set(moving) - set(lines):
        raise ValidationError(_("A line to move belongs to another shipment."))
    errors = [
        _("Line %(sku)s: move between 0 and %(max)s units.")
        % {"sku": lines[line_id].product.sku, "max": lines[line_id].quantity}
        for line_id, units in sorted(moving.items())
        if not 0 < units <= lines[line_id].quantity
    ]
    if errors:
        raise ValidationError(errors)
    if not moving:
        raise ValidationError(_("Enter the units to move to the new shipment."))
    staying = sum(line.quantity for line in lines.values()) - sum(moving.values())
    if staying == 0:
        raise ValidationError(
            _("At least one unit must stay in %(number)s.") % {"number": shipment.number}
        )
    created = Shipment.objects.create(
        number=next_document_number("SH", SHIPMENT_NUMBER_SEQUENCE),
        order=shipment.order,
        warehouse=shipment.warehouse,
        created_by=acting_user(actor),
        carrier_service=shipment.carrier_service,
        shipping_cost=None,
        expected_delivery_date=shipment.expected_delivery_date,
    )
    for line_id, units in sorted(moving.items()):
        line = lines[line_id]
        new_line = ShipmentLine.objects.create(
            shipment=created,
            order_line_id=line.order_line_id,
            product_id=line.product_id,
            quantity=units,
            lot=line.lot,
        )
        new_line.allocations.set(line.allocations.all())
        if units == line.quantity:
            line.delete()
        else:
            line.quantity -= units
            line.save(update_fields=["quantity"])
    _share_values(shipment, created)
    PackSession.objects.filter(shipment=shipment).delete()
    units = sum(moving.values())
    record_event(
        created,
        ShipmentEventKind.CREATED,
        actor=actor,
        to_status=S.PENDING,
        data={"lines": len(moving), "units": units, "split_from": shipment.number},
    )
    record_event(
        shipment,
        ShipmentEventKind.SPLIT,
        actor=actor,
        data={"units": units, "to": created.number},
    )
    if shipment.status == S.PICKING:
        created.order = shipment.order
        shipment_transition(shipment=created, to_status=S.PICKING, actor=actor)
    order_services.order_record_shipping(
        order=shipment.order,
        actor=actor,
        message=coded(NOTE_SPLIT, shipment=shipment.number, new=created.number, units=units),
        data={"shipment": shipment.number, "new": created.number},
    )
    audit_record(
        actor=actor,
        action="shipment.split",
        obj=shipment,
        changes={"to": created.number, "units": {str(k): v for k, v in moving.items()}},
    )
    follow(shipment.order, actor)
    return created


def _share_values(*shipments: Shipment) -> None:
    """Declared value and cash on delivery of each shipment from its lines' share of the
    order lines' totals (what creating it from the allocations gives)."""
    for shipment in shipments:
        value = sum(
            (
                line.order_line.line_total * line.quantity / line.order_line.quantity
                for line in shipment.lines.select_related("order_line")
            ),
            Decimal(0),
        ).quantize(Decimal("0.01"))
        shipment.declared_value = value
        if shipment.cod_amount or shipment.order.payment_terms == PaymentTerms.COD:
            shipment.cod_amount = value
        shipment.save(update_fields=["declared_value", "cod_amount", "updated_at"])
