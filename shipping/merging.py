"""Merging: the shipments of several orders of one customer, to one address, leave as one
parcel (`MergedParcel`): one label, one tracking number, dispatched together.

Each order keeps its own shipment, so its status, its stock issue (one ledger row per line,
the allocations behind it) and its accounting stay the order's own; the parcel only groups
them. Locks: every order of the parcel (and of the shipments joining it) in key order, then
the parcel, then the shipments in key order, then stock rows in key order: an order's own
services lock its order first, so a cancel and a parcel's dispatch serialise on the order row.
"""

from collections.abc import Callable, Iterable
from dataclasses import replace

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.selectors import of_visible_customers
from inventory.models import StockLevel
from oms.db import atomic_with_retry, next_document_number
from oms.services import acting_user, audit_record
from oms.texts import coded
from oms.types import AnyUser, User
from orders import services as order_services
from orders.choices import OrderStatus
from orders.models import Allocation, Order
from shipping import hooks
from shipping.choices import UNDISPATCHED_STATUSES, ShipmentEventKind, ShipmentStatus
from shipping.models import (
    MERGED_PARCEL_NUMBER_SEQUENCE,
    MergedParcel,
    MergedParcelStatus,
    Shipment,
)
from shipping.permissions import ShipmentAction, ShipmentError, ensure_action_allowed
from shipping.services import (
    DispatchDetails,
    check_dispatch_details,
    dispatch_locked,
    record_event,
)

S = ShipmentStatus
P = MergedParcelStatus
MERGE_PERMISSION = "shipping.merge_shipment"
# The parts of the address a parcel is labelled with: all must agree.
ADDRESS_FIELDS = (
    "ship_recipient",
    "ship_phone",
    "ship_region",
    "ship_city",
    "ship_district",
    "ship_street",
    "ship_postal_code",
)
# A parcel of more orders than this is a pallet, not a parcel: split the work.
MAX_MEMBERS = 20

# The words of these codes (order timeline notes) are registered in shipping/registrations.py.
NOTE_MERGED = "parcel_merged"
NOTE_LEFT = "parcel_left"
NOTE_UNMERGED = "parcel_unmerged"


def _address_key(order: Order) -> tuple[str, ...]:
    return tuple(" ".join(str(getattr(order, name)).split()).casefold() for name in ADDRESS_FIELDS)


# Each rule: (first shipment, other shipment) → why they cannot leave as one parcel, or None.
# A delivery method (store pickup) joins this list when shipping has one.
MergeRule = Callable[[Shipment, Shipment], str | None]


def _same_customer(a: Shipment, b: Shipment) -> str | None:
    if a.order.customer_id != b.order.customer_id:
        return _("another customer")
    return None


def _same_warehouse(a: Shipment, b: Shipment) -> str | None:
    if a.warehouse_id != b.warehouse_id:
        return _("leaves from another warehouse")
    return None


def _same_address(a: Shipment, b: Shipment) -> str | None:
    if _address_key(a.order) != _address_key(b.order):
        return _("goes to another address")
    return None


def _same_payment_terms(a: Shipment, b: Shipment) -> str | None:
    if a.order.payment_terms != b.order.payment_terms:
        return _("other payment terms (%(terms)s)") % {"terms": b.order.get_payment_terms_display()}
    return None


def _same_cash_on_delivery(a: Shipment, b: Shipment) -> str | None:
    # A courier collects one amount per parcel: either every order in it is paid on delivery
    # or none is.
    if (a.cod_amount > 0) != (b.cod_amount > 0):
        return _("one collects cash on delivery, the other does not")
    return None


def _not_dispatched(_a: Shipment, b: Shipment) -> str | None:
    if b.status not in UNDISPATCHED_STATUSES:
        return _("already %(status)s") % {"status": b.get_status_display()}
    return None


def _order_free(_a: Shipment, b: Shipment) -> str | None:
    if b.order.status == OrderStatus.CANCELLED:
        return _("its order was cancelled")
    if b.order.on_hold:
        return _("its order is on hold")
    return None


MERGE_RULES: list[MergeRule] = [
    _same_customer,
    _same_warehouse,
    _same_address,
    _same_payment_terms,
    _same_cash_on_delivery,
    _not_dispatched,
    _order_free,
]


def merge_refusal(first: Shipment, other: Shipment) -> str | None:
    """Why `other` cannot leave in one parcel with `first`, or None (both checked both ways
    for their own state)."""
    if first.order_id == other.order_id:
        return _("the same order")
    for shipment in (first, other):
        for rule in (_not_dispatched, _order_free):
            if (reason := rule(shipment, shipment)) is not None:
                return f"{shipment.number}: {reason}"
    for rule in MERGE_RULES:
        if (reason := rule(first, other)) is not None:
            return reason
    if (
        first.merged_parcel_id
        and other.merged_parcel_id
        and first.merged_parcel_id != other.merged_parcel_id
    ):
        return _("already in another merged parcel")
    return None


# Reads -----------------------------------------------------------------------------------


def parcels_visible_to(user: AnyUser) -> QuerySet[MergedParcel]:
    return of_visible_customers(MergedParcel.objects.all(), user, "customer")


def parcel_detail(user: AnyUser, number: str) -> MergedParcel | None:
    return (
        parcels_visible_to(user)
        .select_related("customer", "warehouse", "created_by")
        .filter(number=number)
        .first()
    )


def parcel_members(parcel: MergedParcel) -> list[Shipment]:
    return list(
        parcel.shipments.select_related("order", "warehouse")
        .prefetch_related("lines__product")
        .order_by("pk")
    )


def merge_candidates(shipment: Shipment) -> list[tuple[Shipment, str | None]]:
    """Shipments of the customer's other orders from the same warehouse, not yet dispatched,
    each with why it cannot join (None: it can), the mergeable ones first."""
    if shipment.status not in UNDISPATCHED_STATUSES:
        return []
    others = (
        Shipment.objects.filter(
            order__customer_id=shipment.order.customer_id,
            warehouse_id=shipment.warehouse_id,
            status__in=UNDISPATCHED_STATUSES,
        )
        .exclude(order_id=shipment.order_id)
        .exclude(Q(merged_parcel__isnull=False) & Q(merged_parcel_id=shipment.merged_parcel_id))
        .select_related("order")
        .order_by("pk")[:50]
    )
    rows = [(other, merge_refusal(shipment, other)) for other in others]
    return sorted(rows, key=lambda row: row[1] is not None)


# Writes ----------------------------------------------------------------------------------


def _lock_group(order_ids: Iterable[int], parcel_ids: Iterable[int], shipment_ids: Iterable[int]):
    """Lock orders, then parcels, then shipments, each in key order."""
    orders = {
        o.pk: o
        for o in Order.objects.select_for_update(of=("self",))
        .filter(pk__in=set(order_ids))
        .order_by("pk")
    }
    parcels = {
        p.pk: p
        for p in MergedParcel.objects.select_for_update()
        .filter(pk__in=set(parcel_ids))
        .order_by("pk")
    }
    shipments = list(
        Shipment.objects.select_for_update(of=("self",))
        .select_related("warehouse")
        .filter(pk__in=set(shipment_ids))
        .order_by("pk")
    )
    for shipment in shipments:
        shipment.order = orders[shipment.order_id]
    return orders, parcels, shipments


def _ids_of(shipment_ids: list[int]) -> tuple[set[int], set[int], set[int]]:
    """(order ids, parcel ids, shipment ids) of these shipments and their parcels' members,
    read before locking (the caller checks nothing moved once it holds the locks)."""
    rows = list(
        Shipment.objects.filter(
            Q(pk__in=shipment_ids)
            | Q(
                merged_parcel__in=Shipment.objects.filter(
                    pk__in=shipment_ids, merged_parcel__status=P.OPEN
                ).values("merged_parcel")
            )
        ).values_list("pk", "order_id", "merged_parcel_id")
    )
    return (
        {order_id for _pk, order_id, _p in rows},
        {parcel for _pk, _o, parcel in rows if parcel},
        {pk for pk, _o, _p in rows},
    )


def _ensure_may_merge(actor: User | None) -> None:
    if actor is not None and not actor.has_perm(MERGE_PERMISSION):
        raise ShipmentError(_("Your role does not allow merging shipments."))


def _audit(actor: User | None, action: str, parcel: MergedParcel, shipments: list[Shipment]):
    audit_record(
        actor=actor, action=action, obj=parcel, changes={"shipments": [s.number for s in shipments]}
    )


def _changed() -> ShipmentError:
    return ShipmentError(
        _("The merged parcel changed while you were looking at it; look again and repeat.")
    )


def _note_orders(
    shipments: list[Shipment], actor: User | None, code: str, parcel: MergedParcel, **params
) -> None:
    for order_id, order in {s.order_id: s.order for s in shipments}.items():
        others = sorted({s.order.number for s in shipments if s.order_id != order_id})
        order_services.order_record_shipping(
            order=order,
            actor=actor,
            message=coded(code, parcel=parcel.number, orders=others, **params),
            data={"parcel": parcel.number},
        )


@atomic_with_retry()
def shipments_merge(*, actor: User | None, shipment: Shipment, others: list[int]) -> MergedParcel:
    """`shipment` and the shipments `others` (ids) leave as one parcel. When one of them is
    already in an open merged parcel the others join it. Each shipment gets a `merged` event
    and each order a line on its timeline."""
    _ensure_may_merge(actor)
    wanted = sorted({shipment.pk, *others})
    if len(wanted) < 2:
        raise ShipmentError(_("Choose at least one other shipment to merge with."))
    order_ids, parcel_ids, shipment_ids = _ids_of(wanted)
    if len(shipment_ids) > MAX_MEMBERS:
        raise ShipmentError(
            _("A merged parcel holds at most %(max)s shipments.") % {"max": MAX_MEMBERS}
        )
    _orders, parcels, locked = _lock_group(order_ids, parcel_ids, shipment_ids)
    by_pk = {s.pk: s for s in locked}
    if set(wanted) - set(by_pk):
        raise ShipmentError(_("A shipment to merge no longer exists."))
    open_parcels = {p.pk for p in parcels.values() if p.status == P.OPEN}
    if len(open_parcels) > 1:
        raise ShipmentError(
            _("These shipments are in two merged parcels already; unmerge one of them first.")
        )
    if {s.merged_parcel_id for s in locked if s.merged_parcel_id} - open_parcels:
        raise _changed()
    first = by_pk[shipment.pk]
    for other in locked:
        if other.pk == first.pk:
            continue
        if (reason := merge_refusal(first, other)) is not None:
            raise ShipmentError(
                _("%(number)s cannot leave in one parcel with %(first)s: %(reason)s.")
                % {"number": other.number, "first": first.number, "reason": reason}
            )
    if open_parcels:
        parcel = parcels[open_parcels.pop()]
        if set(parcel.shipments.values_list("pk", flat=True)) - set(by_pk):
            raise _changed()
    else:
        parcel = MergedParcel.objects.create(
            number=next_document_number("MP", MERGED_PARCEL_NUMBER_SEQUENCE),
            customer_id=first.order.customer_id,
            warehouse_id=first.warehouse_id,
            created_by=acting_user(actor),
        )
    joining = [s for s in locked if s.merged_parcel_id != parcel.pk]
    if not joining:  # sent twice: they leave together already
        return parcel
    Shipment.objects.filter(pk__in=[s.pk for s in joining]).update(
        merged_parcel=parcel, updated_at=timezone.now()
    )
    for member in joining:
        member.merged_parcel = parcel
        record_event(
            member,
            ShipmentEventKind.MERGED,
            actor=actor,
            data={
                "parcel": parcel.number,
                "with": [s.number for s in locked if s.pk != member.pk],
            },
        )
    _note_orders(locked, actor, NOTE_MERGED, parcel)
    _audit(actor, action="parcel.merge", parcel=parcel, shipments=joining)
    return parcel


def _lock_parcel(parcel: MergedParcel) -> tuple[MergedParcel, list[Shipment]]:
    """Lock the parcel's orders, the parcel and its shipments; refuse if it moved meanwhile."""
    member_ids = list(Shipment.objects.filter(merged_parcel=parcel).values_list("pk", flat=True))
    order_ids = Shipment.objects.filter(pk__in=member_ids).values_list("order_id", flat=True)
    _orders, parcels, members = _lock_group(order_ids, [parcel.pk], member_ids)
    locked = parcels[parcel.pk]
    current = set(Shipment.objects.filter(merged_parcel=locked).values_list("pk", flat=True))
    if current != set(member_ids):
        raise _changed()
    for member in members:
        member.merged_parcel = locked
    return locked, members


def _release(parcel: MergedParcel, members: list[Shipment], actor: User | None) -> None:
    Shipment.objects.filter(pk__in=[s.pk for s in members]).update(
        merged_parcel=None, updated_at=timezone.now()
    )
    for member in members:
        member.merged_parcel = None
        record_event(
            member, ShipmentEventKind.UNMERGED, actor=actor, data={"parcel": parcel.number}
        )
    parcel.status = P.UNMERGED
    parcel.unmerged_at = timezone.now()
    parcel.save(update_fields=["status", "unmerged_at", "updated_at"])


@atomic_with_retry()
def parcel_unmerge(*, actor: User | None, parcel: MergedParcel) -> MergedParcel:
    """Before dispatch: every shipment of the parcel ships on its own again."""
    _ensure_may_merge(actor)
    parcel, members = _lock_parcel(parcel)
    if parcel.status != P.OPEN:
        raise ShipmentError(
            _("Merged parcel %(number)s is %(status)s; only an open one can be unmerged.")
            % {"number": parcel.number, "status": parcel.get_status_display()}
        )
    _release(parcel, members, actor)
    _note_orders(members, actor, NOTE_UNMERGED, parcel)
    _audit(actor, action="parcel.unmerge", parcel=parcel, shipments=members)
    return parcel


def leave_parcel_when_cancelled(shipment: Shipment, actor: User | None) -> None:
    """shipping.hooks.shipment_cancelled: a voided shipment leaves its open parcel; a parcel
    left with one shipment is unmerged. Runs with the shipment's order and the shipment
    locked; every other change of the parcel locks that order too, so nothing races."""
    if shipment.merged_parcel_id is None:
        return
    parcel = MergedParcel.objects.select_for_update().get(pk=shipment.merged_parcel_id)
    if parcel.status != P.OPEN:
        return
    Shipment.objects.filter(pk=shipment.pk).update(merged_parcel=None)
    shipment.merged_parcel = None
    record_event(shipment, ShipmentEventKind.UNMERGED, actor=actor, data={"parcel": parcel.number})
    rest = list(
        Shipment.objects.select_for_update(of=("self",))
        .select_related("order")
        .filter(merged_parcel=parcel)
        .order_by("pk")
    )
    order_services.order_record_shipping(
        order=shipment.order,
        actor=actor,
        message=coded(NOTE_LEFT, parcel=parcel.number, shipment=shipment.number),
        data={"parcel": parcel.number},
    )
    if len(rest) < 2:
        _release(parcel, rest, actor)
        _note_orders(rest, actor, NOTE_UNMERGED, parcel)
    _audit(actor, action="parcel.leave", parcel=parcel, shipments=[shipment])


@atomic_with_retry()
def parcel_dispatch(
    *,
    actor: User | None,
    parcel: MergedParcel,
    details: DispatchDetails,
    expected: list[str] | None = None,
) -> MergedParcel:
    """The merged parcel leaves with the carrier: every shipment in it is dispatched in this
    one transaction (its stock issued, its order following) with the same carrier and
    tracking number; the parcel keeps the parcel's measures. `expected` (the shipment numbers
    the user saw) refuses a parcel that changed meanwhile, so nobody dispatches goods of an
    order cancelled a moment ago."""
    if actor is not None and not actor.has_perm("shipping.dispatch_shipment"):
        raise ShipmentError(_("Your role does not allow this on shipments."))
    parcel, members = _lock_parcel(parcel)
    if parcel.status != P.OPEN:
        raise ShipmentError(
            _("Merged parcel %(number)s is %(status)s; it cannot be dispatched.")
            % {"number": parcel.number, "status": parcel.get_status_display()}
        )
    if expected is not None and sorted(expected) != sorted(s.number for s in members):
        raise _changed()
    if len(members) < 2:
        raise _changed()
    for member in members:
        ensure_action_allowed(member, actor, ShipmentAction.DISPATCH, with_parcel=True)
    check_dispatch_details(details, members, parcel_id=parcel.pk)
    for member in members:
        if (refusal := hooks.dispatch_refusal(member)) is not None:
            raise ShipmentError(f"{member.number}: {refusal}")
    # Every member's stock rows in one key order before the first issue takes any.
    list(
        StockLevel.objects.select_for_update()
        .filter(
            pk__in=Allocation.objects.filter(
                line__order__in=[m.order_id for m in members], issued_at__isnull=True
            ).values("stock_level_id")
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for member in members:
        dispatch_locked(
            member,
            replace(
                details,
                parcels=1,
                weight_kg=None,
                length_cm=None,
                width_cm=None,
                height_cm=None,
                declared_value=member.declared_value,
                cod_amount=member.cod_amount,
            ),
            actor,
        )
    parcel.carrier = details.carrier.strip()
    parcel.service = details.service
    parcel.tracking_number = details.tracking_number.strip()
    parcel.parcels = details.parcels
    for name, value in details.measures.items():
        setattr(parcel, name, value)
    parcel.status = P.DISPATCHED
    parcel.dispatched_at = timezone.now()
    parcel.save()
    audit_record(
        actor=actor,
        action="parcel.dispatch",
        obj=parcel,
        changes={
            "carrier": parcel.carrier,
            "tracking_number": parcel.tracking_number,
            "shipments": [s.number for s in members],
        },
    )
    return parcel
