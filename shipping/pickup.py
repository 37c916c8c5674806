"""Store pickup (自提) services: pickup points, choosing pickup for an order, handing a parcel
over at the pickup desk with the customer's code, and sending a new code.

The handover is a delivery: the shipment goes ready for pickup → delivered through
`shipment_transition`, the stock is issued as a dispatch issues it, the registered dispatch
guards are asked first (billing: unpaid prepaid orders), and the order follows. Wrong codes
are counted per person and per point; past the limits the desk refuses every code for a while,
so codes cannot be tried in bulk.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.db import atomic_with_retry
from oms.services import acting_user, audit_record, model_save
from oms.texts import coded
from oms.types import User
from orders import services as order_services
from orders.choices import OPEN_STATUSES
from orders.models import Order
from shipping import hooks
from shipping.choices import ShipmentStatus
from shipping.models import OrderPickup, PickupAttempt, PickupCode, PickupPoint, Shipment
from shipping.permissions import ShipmentError
from shipping.pickup_codes import CODE_DIGITS, code_digest, issue_pickup_code, normalise_code
from shipping.services import (
    follow,
    issue_shipment_stock,
    lock_order,
    lock_shipment,
    shipment_transition,
)
from shipping.slots import ARRANGE_PERMISSION, release_for_pickup

S = ShipmentStatus
HAND_OVER_PERMISSION = "shipping.hand_over_pickup"
POINT_FIELDS = (
    "name",
    "kind",
    "warehouse",
    "region",
    "city",
    "address",
    "phone",
    "opening_hours",
    "active",
)
# Wrong codes allowed in THROTTLE_WINDOW: per person at any desk, and per pickup point.
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_WRONG_PER_USER = 10
MAX_WRONG_PER_POINT = 30


def pickup_point_save(
    *, actor: User | None, point: PickupPoint | None, data: dict[str, Any]
) -> PickupPoint:
    """Create or change a pickup point (audited)."""
    if actor is not None and not actor.has_perm(
        "shipping.add_pickuppoint" if point is None else "shipping.change_pickuppoint"
    ):
        raise PermissionDenied(_("Your role does not allow changing pickup points."))
    if point is None:  # the warehouse first: model_save reads each field's old value
        point = PickupPoint(warehouse=data.get("warehouse"))
        action = "pickup_point.create"
    else:
        action = "pickup_point.update"
    return model_save(
        actor=actor,
        instance=point,
        data={k: v for k, v in data.items() if k in POINT_FIELDS},
        action=action,
    )


@atomic_with_retry()
def order_pickup_set(
    *, actor: User | None, order: Order, point: PickupPoint | None
) -> OrderPickup | None:
    """The order is collected at `point` (None: delivered by a carrier again). Its shipments
    not yet packed follow; a parcel already packed or at a point keeps its way. Choosing
    pickup frees the order's delivery slots."""
    if actor is not None and not actor.has_perm(ARRANGE_PERMISSION):
        raise PermissionDenied(_("Your role does not allow arranging deliveries."))
    order = lock_order(order.pk)
    if order.status not in OPEN_STATUSES:
        raise ShipmentError(
            _("Order %(number)s is %(status)s; its delivery cannot change.")
            % {"number": order.number, "status": order.get_status_display()}
        )
    if point is not None and not point.active:
        raise ValidationError({"point": _("%(point)s is not active.") % {"point": point.name}})
    current = OrderPickup.objects.filter(order=order).select_related("point").first()
    if (current.point_id if current else None) == (point.pk if point else None):
        return current
    shipments = list(
        Shipment.objects.select_for_update()
        .filter(order=order, status__in=[S.PENDING, S.PICKING, S.PACKED, S.READY_FOR_PICKUP])
        .order_by("pk")
    )
    late = [s.number for s in shipments if s.status in (S.PACKED, S.READY_FOR_PICKUP)]
    if late:
        raise ShipmentError(
            _("%(numbers)s is already packed; its delivery cannot change now.")
            % {"numbers": ", ".join(late)}
        )
    if point is None:
        assert current is not None
        current.delete()
        result = None
    else:
        result, _created = OrderPickup.objects.update_or_create(
            order=order, defaults={"point": point, "chosen_by": acting_user(actor)}
        )
        release_for_pickup(order, actor)
    for shipment in shipments:
        shipment.pickup_point = point
        if point is not None:
            # No carrier for a parcel the customer collects.
            shipment.carrier_service = None
            shipment.shipping_cost = None
            shipment.carrier = ""
        shipment.save(
            update_fields=[
                "pickup_point",
                "carrier_service",
                "shipping_cost",
                "carrier",
                "updated_at",
            ]
        )
    order_services.order_record_delivery(
        order=order,
        actor=actor,
        message=coded("pickup_chosen", point=point.name)
        if point is not None
        else coded("pickup_dropped", point=current.point.name if current else ""),
        data={"pickup_point": point.name if point else None},
    )
    audit_record(
        actor=actor,
        action="order.pickup",
        obj=order,
        changes={
            "pickup_point": [current.point.name if current else None, point.name if point else None]
        },
    )
    return result


class PickupThrottled(ShipmentError):
    """Too many wrong codes lately: the desk takes none for a while."""


@dataclass(frozen=True)
class Handover:
    shipment: Shipment
    point: PickupPoint


def _throttled(actor: User | None, point: PickupPoint) -> bool:
    since = timezone.now() - THROTTLE_WINDOW
    wrong = PickupAttempt.objects.filter(succeeded=False, at__gte=since)
    if actor is not None and wrong.filter(user=actor).count() >= MAX_WRONG_PER_USER:
        return True
    return wrong.filter(point=point).count() >= MAX_WRONG_PER_POINT


def pickup_hand_over(*, actor: User | None, point: PickupPoint, code: str) -> Handover:
    """The customer's code at `point`'s desk: the parcel it opens is handed over (delivered).
    A wrong, used or revoked code changes nothing but counting the attempt; too many wrong
    codes lock the desk for the person (and the point) for a while."""
    if actor is not None and not actor.has_perm(HAND_OVER_PERMISSION):
        raise PermissionDenied(_("Your role does not allow handing over parcels."))
    user = acting_user(actor)
    if _throttled(user, point):
        raise PickupThrottled(
            _(
                "Too many wrong codes in the last %(minutes)s minutes: the desk takes no codes "
                "for now. Ask the customer to show the message, and try again later."
            )
            % {"minutes": int(THROTTLE_WINDOW.total_seconds() // 60)}
        )
    digits = normalise_code(code)
    found = (
        PickupCode.objects.filter(
            point=point, digest=code_digest(digits), used_at__isnull=True, revoked_at__isnull=True
        )
        .values_list("pk", "shipment_id")
        .first()
        if digits
        else None
    )
    if found is None:
        # Counted outside any transaction of the caller: a refusal must still count.
        with transaction.atomic():
            PickupAttempt.objects.create(point=point, user=user, succeeded=False)
        raise ValidationError(
            {
                "code": _(
                    "No parcel waits at %(point)s for this code. Check the %(digits)s digits; "
                    "a code works once."
                )
                % {"point": point.name, "digits": CODE_DIGITS}
            }
        )
    shipment = _hand_over(actor, point, code_id=found[0], shipment_id=found[1])
    return Handover(shipment, point)


@atomic_with_retry()
def _hand_over(
    actor: User | None, point: PickupPoint, *, code_id: int, shipment_id: int
) -> Shipment:
    shipment = lock_shipment(shipment_id)
    row = PickupCode.objects.select_for_update().get(pk=code_id)
    if (
        row.used_at is not None
        or row.revoked_at is not None
        or shipment.status != S.READY_FOR_PICKUP
    ):
        raise ValidationError({"code": _("This code has already been used.")})
    if (refusal := hooks.dispatch_refusal(shipment)) is not None:
        raise ShipmentError(refusal)
    issue_shipment_stock(shipment, actor)
    shipment_transition(
        shipment=shipment,
        to_status=S.DELIVERED,
        actor=actor,
        data={"pickup_point": point.name, "handed_over": True},
    )
    row.used_at = timezone.now()
    row.used_by = acting_user(actor)
    row.save(update_fields=["used_at", "used_by"])
    PickupAttempt.objects.create(point=point, user=acting_user(actor), succeeded=True)
    follow(shipment.order, actor)
    return shipment


@atomic_with_retry()
def pickup_code_resend(*, actor: User | None, shipment: Shipment) -> Shipment:
    """A new code for a parcel waiting at its point (the customer lost the message); the old
    one stops working."""
    if actor is not None and not actor.has_perm(HAND_OVER_PERMISSION):
        raise PermissionDenied(_("Your role does not allow handing over parcels."))
    shipment = lock_shipment(shipment)
    if shipment.status != S.READY_FOR_PICKUP:
        raise ShipmentError(
            _("%(number)s is not waiting for pickup.") % {"number": shipment.number}
        )
    issue_pickup_code(shipment)
    audit_record(actor=actor, action="shipment.pickup_code", obj=shipment)
    return shipment
