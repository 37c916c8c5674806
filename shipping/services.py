"""Shipment services: the only code that writes shipments, their lines and events.

Every entry point runs in one transaction and takes its locks in the order every order
service uses: the order row first, then the shipment rows (by key), then stock rows (through
orders and inventory services). Each change writes a ShipmentEvent and an audit row, tells
higher layers through `shipping.hooks`, and moves the order on through
`orders.services.order_follow_shipments` (orders never imports shipping).
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.choices import PaymentTerms
from oms.db import atomic_with_retry, insert_rows, next_document_number
from oms.money import ZERO
from oms.services import acting_user, audit_record
from oms.types import User
from orders import services as order_services
from orders.choices import OrderStatus
from orders.models import Allocation, Order
from shipping import hooks
from shipping.choice import CarrierChoice, CarrierOption, choose_carrier
from shipping.choices import (
    SHIPMENT_TRANSITIONS,
    UNDISPATCHED_STATUSES,
    ShipmentEventKind,
    ShipmentStatus,
)
from shipping.costs import fix_goods_cost, record_shipping_cost
from shipping.dispatch_details import (  # noqa: F401  (callers import them from shipping.services)
    LOT_LENGTH,
    MAX_AMOUNT,
    MAX_MEASURE,
    MAX_PARCELS,
    DispatchDetails,
    check_dispatch_details,
)
from shipping.messages import notify_shipment_status
from shipping.models import (
    SHIPMENT_NUMBER_SEQUENCE,
    OrderPickup,
    Shipment,
    ShipmentEvent,
    ShipmentLine,
)
from shipping.permissions import (
    CARRIER_ACTIONS,
    ShipmentAction,
    ShipmentError,
    ensure_action_allowed,
    ensure_permitted,
)
from shipping.pickup_codes import issue_pickup_code
from shipping.selectors import counted_shipments, progress_from_counts

S = ShipmentStatus


def lock_order(order_id: int) -> Order:
    """The order row lock: always the first lock a shipping service takes."""
    return Order.objects.select_for_update(of=("self",)).get(pk=order_id)


def lock_shipment(shipment: Shipment | int) -> Shipment:
    """Lock the shipment's order, then the shipment, and read both fresh."""
    pk = shipment.pk if isinstance(shipment, Shipment) else shipment
    order_id = Shipment.objects.values_list("order_id", flat=True).get(pk=pk)
    order = lock_order(order_id)
    locked = (
        Shipment.objects.select_for_update(of=("self",))
        .select_related("warehouse", "carrier_service__carrier", "pickup_point")
        .get(pk=pk)
    )
    locked.order = order
    return locked


def lock_shipments(ids: Sequence[int]) -> list[Shipment]:
    """lock_shipment for many (a poll chunk): their orders locked in key order, then the
    shipments in key order, read fresh, in two statements; by key. Shipments of one order
    share its Order object."""
    orders = {
        order.pk: order
        for order in Order.objects.select_for_update(of=("self",))
        .select_related("customer")
        .filter(pk__in=Shipment.objects.filter(pk__in=list(ids)).values("order_id"))
        .order_by("pk")
    }
    locked = list(
        Shipment.objects.select_for_update(of=("self",))
        .select_related("warehouse", "carrier_service__carrier", "pickup_point")
        .filter(pk__in=list(ids))
        .order_by("pk")
    )
    for shipment in locked:
        shipment.order = orders[shipment.order_id]
    return locked


def record_event(
    shipment: Shipment,
    kind: str,
    *,
    actor: User | None,
    note: str = "",
    data: dict[str, Any] | None = None,
    **status: str,
) -> ShipmentEvent:
    return ShipmentEvent.objects.create(
        shipment=shipment,
        kind=kind,
        actor=acting_user(actor),
        note=note,
        data=data or {},
        **status,
    )


STATUS_TIMESTAMPS = {
    S.PICKING: "picking_started_at",
    S.PACKED: "packed_at",
    S.DISPATCHED: "dispatched_at",
    S.DELIVERED: "delivered_at",
}
STATUS_HOOKS = {
    S.DELIVERED: hooks.notify_shipment_delivered,
    S.RETURNED: hooks.notify_shipment_returned,
    S.CANCELLED: hooks.notify_shipment_cancelled,
}


def shipment_transition(
    *,
    shipment: Shipment,
    to_status: str,
    actor: User | None,
    note: str = "",
    data: dict[str, Any] | None = None,
    extra_fields: tuple[str, ...] = (),
) -> Shipment:
    """The only writer of Shipment.status. The caller holds the order and shipment locks."""
    assert transaction.get_connection().in_atomic_block, "shipment_transition runs in a transaction"
    from_status = shipment.status
    _check_transition(from_status, to_status)
    shipment.status = to_status
    update = ["status", "updated_at", *extra_fields]
    stamp = STATUS_TIMESTAMPS.get(S(to_status))
    if stamp is not None:
        setattr(shipment, stamp, timezone.now())
        update.append(stamp)
    shipment.save(update_fields=update)
    record_event(
        shipment,
        ShipmentEventKind.STATUS,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data,
    )
    _announce(shipment, from_status, actor, data)
    return shipment


@dataclass(frozen=True)
class Move:
    """A status change for shipments_transition."""

    shipment: Shipment
    to_status: str
    data: dict[str, Any] | None = None


def shipments_transition(*, moves: Sequence[Move], actor: User | None, note: str = "") -> None:
    """shipment_transition for many shipments (a poll chunk's carrier news): the same checks,
    events, audit rows, hooks and messages, with one UPDATE per target status and one INSERT
    for the events. The caller holds the locks; inside oms.together.together() the audit
    rows and messages go in together as well."""
    assert transaction.get_connection().in_atomic_block, (
        "shipments_transition runs in a transaction"
    )
    now = timezone.now()
    by_target: dict[str, list[int]] = defaultdict(list)
    events, before = [], []
    for move in moves:
        shipment = move.shipment
        from_status = shipment.status
        _check_transition(from_status, move.to_status)
        shipment.status = move.to_status
        shipment.updated_at = now
        stamp = STATUS_TIMESTAMPS.get(S(move.to_status))
        if stamp is not None:
            setattr(shipment, stamp, now)
        by_target[move.to_status].append(shipment.pk)
        before.append(from_status)
        events.append(
            ShipmentEvent(
                shipment=shipment,
                kind=ShipmentEventKind.STATUS,
                actor=acting_user(actor),
                note=note,
                data=move.data or {},
                from_status=from_status,
                to_status=move.to_status,
            )
        )
    for to_status, pks in by_target.items():
        fields: dict[str, Any] = {"status": to_status, "updated_at": now}
        stamp = STATUS_TIMESTAMPS.get(S(to_status))
        if stamp is not None:
            fields[stamp] = now
        Shipment.objects.filter(pk__in=pks).update(**fields)
    insert_rows(ShipmentEvent, events)
    for move, from_status in zip(moves, before, strict=True):
        _announce(move.shipment, from_status, actor, move.data)


def _check_transition(from_status: str, to_status: str) -> None:
    if to_status not in SHIPMENT_TRANSITIONS.get(from_status, ()):
        raise ShipmentError(
            _("A shipment that is %(current)s cannot become %(target)s.")
            % {"current": S(from_status).label, "target": S(to_status).label}
        )


def _announce(
    shipment: Shipment, from_status: str, actor: User | None, data: dict[str, Any] | None
) -> None:
    """What follows a written status change: the audit row, the hooks, the customer's message."""
    audit_record(
        actor=actor,
        action="shipment.status",
        obj=shipment,
        changes={"status": [from_status, shipment.status], **(data or {})},
    )
    notify = STATUS_HOOKS.get(S(shipment.status))
    if notify is not None:
        notify(shipment, actor)
    notify_shipment_status(shipment)


def order_progress(order: Order) -> order_services.ShipmentProgress:
    """The order's shipments counted by how far they got, for order_follow_shipments."""
    return orders_progress([order.pk])[order.pk]


def orders_progress(order_ids: Sequence[int]) -> dict[int, order_services.ShipmentProgress]:
    """order_progress of many orders in one query, by order key."""
    counts: dict[int, dict[str, int]] = {order_id: {} for order_id in order_ids}
    rows = (
        counted_shipments()
        .filter(order_id__in=list(order_ids))
        .values_list("order_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for order_id, status, n in rows:
        counts[order_id][status] = n
    return {order_id: progress_from_counts(by_status) for order_id, by_status in counts.items()}


def follow(order: Order, actor: User | None) -> Order:
    """Move the order on to match its shipments (orders' service; the order is locked)."""
    return order_services.order_follow_shipments(
        order=order, progress=order_progress(order), actor=actor
    )


def follow_many(orders: Sequence[Order], actor: User | None) -> None:
    """follow() for many orders the caller has locked and read fresh (lock_shipments)."""
    if orders:
        order_services.orders_follow_shipments(
            orders=orders, progress=orders_progress([order.pk for order in orders]), actor=actor
        )


# Creating shipments -----------------------------------------------------------------------


def _unshipped_allocations(order: Order) -> dict[int, list[tuple[Allocation, int]]]:
    """{warehouse id: [(open allocation, units not yet in a shipment)]} for the order."""
    in_shipments: dict[tuple[int, int], int] = defaultdict(int)
    for line_id, warehouse_id, quantity in ShipmentLine.objects.filter(
        shipment__order=order, shipment__status__in=UNDISPATCHED_STATUSES
    ).values_list("order_line_id", "shipment__warehouse_id", "quantity"):
        in_shipments[(line_id, warehouse_id)] += quantity
    result: dict[int, list[tuple[Allocation, int]]] = defaultdict(list)
    for allocation in (
        Allocation.objects.filter(line__order=order, issued_at__isnull=True)
        .select_related("stock_level", "line")
        .order_by("line__line_no", "pk")
    ):
        warehouse_id = allocation.stock_level.warehouse_id
        key = (allocation.line_id, warehouse_id)
        units = allocation.quantity - in_shipments[key]
        in_shipments[key] = max(0, in_shipments[key] - allocation.quantity)
        if units > 0:
            result[warehouse_id].append((allocation, units))
    return result


def create_open_shipments(order: Order, actor: User | None) -> list[Shipment]:
    """One shipment per warehouse for what the order has reserved and no shipment holds yet.
    The caller holds the order lock."""
    created = []
    # Store pickup: the order's shipments go to its pickup point instead of a carrier.
    pickup_point_id = (
        OrderPickup.objects.filter(order=order).values_list("point_id", flat=True).first()
    )
    for warehouse_id, rows in sorted(_unshipped_allocations(order).items()):
        value = sum(
            (row.line.line_total * units / row.line.quantity for row, units in rows), ZERO
        ).quantize(Decimal("0.01"))
        shipment = Shipment.objects.create(
            pickup_point_id=pickup_point_id,
            number=next_document_number("SH", SHIPMENT_NUMBER_SEQUENCE),
            order=order,
            warehouse_id=warehouse_id,
            declared_value=value,
            cod_amount=value if order.payment_terms == PaymentTerms.COD else ZERO,
            created_by=acting_user(actor),
        )
        for allocation, units in rows:
            line = ShipmentLine.objects.create(
                shipment=shipment,
                order_line_id=allocation.line_id,
                product_id=allocation.line.product_id,
                quantity=units,
            )
            line.allocations.add(allocation)
        record_event(
            shipment,
            ShipmentEventKind.CREATED,
            actor=actor,
            to_status=S.PENDING,
            data={"lines": len(rows), "units": sum(units for _row, units in rows)},
        )
        audit_record(actor=actor, action="shipment.create", obj=shipment)
        choose_by_rules(shipment, actor)
        created.append(shipment)
    return created


def choose_by_rules(shipment: Shipment, actor: User | None) -> None:
    """A new shipment gets the carrier service the rules choose (staff may override it on the
    shipment page while it is in the warehouse); none when no service takes it."""
    choice = choose_carrier(shipment, start=timezone.localdate())
    if choice.chosen is not None:
        record_carrier_choice(shipment, choice, choice.chosen, actor=actor)


def record_carrier_choice(
    shipment: Shipment,
    choice: CarrierChoice,
    option: CarrierOption,
    *,
    actor: User | None,
    override: bool = False,
    reason: str = "",
) -> None:
    """Write the chosen carrier service on the shipment (carrier, level, cost, expected
    delivery) with a `carrier` event and an audit row; `override`: staff chose, `reason` why."""
    assert option.quote is not None
    assert option.arrives is not None
    before = shipment.carrier
    shipment.carrier_service = option.service
    shipment.carrier = option.service.carrier.name
    shipment.service = option.service.level
    shipment.shipping_cost = option.quote.total
    shipment.cod_fee = option.quote.cod_fee
    shipment.expected_delivery_date = option.arrives
    shipment.save(
        update_fields=[
            "carrier_service",
            "carrier",
            "service",
            "shipping_cost",
            "cod_fee",
            "expected_delivery_date",
            "updated_at",
        ]
    )
    data = {
        "carrier": shipment.carrier,
        "service": shipment.service,
        "cost": str(option.quote.total),
        "arrives": option.arrives.isoformat(),
        "override": override,
        "rule": choice.reason,
        "rules_choice": str(choice.chosen.service) if choice.chosen else "",
    }
    record_event(shipment, ShipmentEventKind.CARRIER, actor=actor, note=reason, data=data)
    audit_record(
        actor=actor,
        action="shipment.carrier_override" if override else "shipment.carrier",
        obj=shipment,
        changes={"carrier": [before, shipment.carrier], **data},
    )


@atomic_with_retry()
def shipments_create_for_order(*, actor: User | None, order: Order) -> list[Shipment]:
    """Put what the order has reserved into shipments, one per warehouse. What is already
    in a shipment is left alone, so a back-ordered remainder, once allocated, becomes a
    shipment of its own. Returns the new shipments (none when nothing waits)."""
    ensure_permitted(actor, ShipmentAction.START_PICKING)
    order = lock_order(order.pk)
    if order.status == OrderStatus.CANCELLED or order.remainder_cancelled:
        raise ShipmentError(_("Order %(number)s was cancelled.") % {"number": order.number})
    return create_open_shipments(order, actor)


def _start_picking(shipment: Shipment, actor: User | None) -> None:
    ensure_action_allowed(shipment, actor, ShipmentAction.START_PICKING)
    shipment_transition(shipment=shipment, to_status=S.PICKING, actor=actor)


def start_picking_order(order: Order, actor: User | None) -> None:
    """orders.hooks.order_picking_started: the order's "Start picking". Creates its shipments
    and starts picking every one still waiting, then the order follows (to picking)."""
    create_open_shipments(order, actor)
    for shipment in (
        Shipment.objects.select_for_update().filter(order=order, status=S.PENDING).order_by("pk")
    ):
        shipment.order = order
        _start_picking(shipment, actor)
    follow(order, actor)


@atomic_with_retry()
def shipment_start_picking(*, actor: User | None, shipment: Shipment) -> Shipment:
    """A waiting shipment goes into picking; its order follows (to picking)."""
    ensure_permitted(actor, ShipmentAction.START_PICKING)
    shipment = lock_shipment(shipment)
    _start_picking(shipment, actor)
    follow(shipment.order, actor)
    return shipment


@atomic_with_retry()
def shipment_pack(
    *, actor: User | None, shipment: Shipment, lots: dict[int, str] | None = None, note: str = ""
) -> Shipment:
    """Picked and packed: the lot or batch picked for each line (optional) is recorded."""
    ensure_permitted(actor, ShipmentAction.PACK)
    shipment = lock_shipment(shipment)
    ensure_action_allowed(shipment, actor, ShipmentAction.PACK)
    lots = {key: value.strip() for key, value in (lots or {}).items()}
    if any(len(value) > LOT_LENGTH for value in lots.values()):
        raise ValidationError(
            {"lot": _("A lot or batch has at most %(max)s characters.") % {"max": LOT_LENGTH}}
        )
    lines = {line.pk: line for line in shipment.lines.all()}
    if set(lots) - set(lines):
        raise ValidationError({"lot": _("A lot was given for a line of another shipment.")})
    for line_id, lot in lots.items():
        if lines[line_id].lot != lot:
            lines[line_id].lot = lot
            lines[line_id].save(update_fields=["lot"])
    shipment_transition(
        shipment=shipment,
        to_status=S.PACKED,
        actor=actor,
        note=note,
        data={"lots": {str(k): v for k, v in lots.items() if v}} if any(lots.values()) else None,
    )
    if shipment.pickup_point_id is not None:
        # Store pickup: packed means waiting at the point; the customer gets a code.
        shipment_transition(
            shipment=shipment,
            to_status=S.READY_FOR_PICKUP,
            actor=actor,
            data={"pickup_point": str(shipment.pickup_point)},
        )
        issue_pickup_code(shipment)
    return shipment


def issue_shipment_stock(shipment: Shipment, actor: User | None) -> None:
    """The goods leave (a dispatch, a pickup handover): one ledger row per line through
    orders and inventory; the allocations behind each line are marked issued."""
    lines = list(shipment.lines.select_related("product").order_by("pk"))
    issued = order_services.order_issue_stock(
        order=shipment.order,
        issues=[
            order_services.LineIssue(
                line_id=line.order_line_id,
                warehouse_id=shipment.warehouse_id,
                quantity=line.quantity,
                note=f"{line.product.sku} {line.lot}".strip(),
            )
            for line in lines
        ],
        reference=shipment.number,
        actor=actor,
    )
    for line, allocation in zip(lines, issued, strict=True):
        line.allocations.set([allocation])
    fix_goods_cost(shipment)


@atomic_with_retry()
def shipment_dispatch(
    *, actor: User | None, shipment: Shipment, details: DispatchDetails
) -> Shipment:
    """The goods leave with the carrier. The registered dispatch guards may refuse; then the
    stock is issued through orders and inventory (one ledger row per line: on_hand and
    reserved go down, the allocations behind the line are marked issued), the carrier's
    details are recorded, higher layers are told and the order follows. A second dispatch of
    the same shipment is refused, so the goods are issued once."""
    ensure_permitted(actor, ShipmentAction.DISPATCH)
    shipment = lock_shipment(shipment)
    ensure_action_allowed(shipment, actor, ShipmentAction.DISPATCH)
    check_dispatch_details(details, [shipment])
    if (refusal := hooks.dispatch_refusal(shipment)) is not None:
        raise ShipmentError(refusal)
    return dispatch_locked(shipment, details, actor)


def dispatch_locked(shipment: Shipment, details: DispatchDetails, actor: User | None) -> Shipment:
    """The dispatch itself, once the caller has locked the order and the shipment and checked
    the action, the details and the guards (one shipment, or each of a merged parcel's)."""
    issue_shipment_stock(shipment, actor)
    shipment.carrier = details.carrier.strip()
    chosen = shipment.carrier_service
    if chosen is not None and shipment.carrier != chosen.carrier.name:
        # Handed to another carrier than the one chosen: the choice no longer holds.
        shipment.carrier_service = None
        shipment.shipping_cost = None
        shipment.cod_fee = None
    shipment.tracking_number = details.tracking_number.strip()
    shipment.service = details.service
    shipment.parcels = details.parcels
    for name, value in details.measures.items():
        setattr(shipment, name, value)
    shipment.declared_value = details.declared_value
    shipment.cod_amount = details.cod_amount
    shipment.expected_delivery_date = details.expected_delivery_date
    record_shipping_cost(shipment)
    recorded = [
        "carrier",
        "carrier_service",
        "shipping_cost",
        "cod_fee",
        "tracking_number",
        "service",
        "parcels",
        *details.measures,
        "declared_value",
        "cod_amount",
        "expected_delivery_date",
    ]
    shipment_transition(
        shipment=shipment,
        to_status=S.DISPATCHED,
        actor=actor,
        note=details.note,
        data={
            "carrier": shipment.carrier,
            "tracking_number": shipment.tracking_number,
            "parcels": shipment.parcels,
        },
        extra_fields=tuple(recorded),
    )
    hooks.notify_shipment_dispatched(shipment, actor)
    follow(shipment.order, actor)
    return shipment


def shipment_record_progress(
    *, actor: User | None, shipment: Shipment, action: ShipmentAction, note: str = ""
) -> Shipment:
    """The carrier's news (in transit, out for delivery, delivered, a problem, returned),
    typed in by staff: a manual tracking event, applied like a carrier's."""
    if action not in CARRIER_ACTIONS:
        raise ShipmentError(_("Choose what the carrier reported."))
    # Tracking builds on this module, so it is imported when used.
    from shipping.tracking.services import ACTION_STATUSES, tracking_event_record

    return tracking_event_record(
        actor=actor, shipment=shipment, status=ACTION_STATUSES[action], note=note
    )
