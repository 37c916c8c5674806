"""Delivery time slots: reading a warehouse's slots of some days, booking one for an order,
and planning them (the week pattern, closing or opening a day, a day's capacity).

A day's slots come from the warehouse's week pattern on working days (oms.workdays), none on
days off. Once an order books a slot of a day, or staff change the day, the day is written
down (DeliveryDay and its DeliverySlot rows) and keeps its slots when the pattern changes
later. A booking locks the order, then the slot rows in key order; `booked` never passes
`capacity` (a CHECK constraint holds it even for a buggy caller).

The services take `actor=None` for the system and for the customer's own page (issue 12:
`by_customer=True`), which needs no staff permission.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.models import Warehouse
from oms.db import atomic_with_retry
from oms.services import acting_user, audit_record
from oms.texts import coded
from oms.types import User
from oms.workdays import working_calendar
from orders import services as order_services
from orders.choices import OPEN_STATUSES
from orders.models import Allocation, Order
from shipping.choices import DISPATCHED_STATUSES, UNDISPATCHED_STATUSES
from shipping.models import (
    DeliveryDay,
    DeliverySlot,
    OrderPickup,
    Shipment,
    SlotBooking,
    SlotPattern,
    slot_label,
)
from shipping.permissions import ShipmentError
from shipping.services import lock_order

ARRANGE_PERMISSION = "shipping.arrange_delivery"
PLAN_PERMISSION = "shipping.plan_delivery_slots"
# How far ahead slots are offered.
BOOKING_HORIZON_DAYS = 60
MAX_CAPACITY = 10_000


@dataclass(frozen=True)
class SlotOffer:
    """One slot of one warehouse's day, written down (slot_id) or from the pattern."""

    warehouse_id: int
    date: date
    starts: time
    ends: time
    capacity: int
    booked: int = 0
    slot_id: int | None = None

    @property
    def label(self) -> str:
        return slot_label(self.starts, self.ends)

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)

    @property
    def full(self) -> bool:
        return self.booked >= self.capacity

    @property
    def key(self) -> str:
        """What a form sends for this slot: "2026-12-03T09:00"."""
        return f"{self.date.isoformat()}T{self.starts:%H:%M}"


def parse_slot_key(value: str) -> tuple[date, time]:
    """The date and start of a slot key; ValidationError for anything else."""
    day, _sep, starts = str(value).strip().partition("T")
    try:
        if len(starts) != 5:
            raise ValueError(starts)
        return date.fromisoformat(day), time.fromisoformat(starts)
    except ValueError as exc:
        raise ValidationError({"slot": _("Choose one of the slots offered.")}) from exc


# Reading -------------------------------------------------------------------------------------


def slots_between(
    warehouse_ids: list[int], first: date, last: date
) -> dict[tuple[int, date], list[SlotOffer]]:
    """{(warehouse id, day): its slots in time order} for every day from first to last (days
    without slots are left out). Four queries whatever the range."""
    written_days = {
        (d.warehouse_id, d.date): d
        for d in DeliveryDay.objects.filter(
            warehouse_id__in=warehouse_ids, date__gte=first, date__lte=last
        )
    }
    written: dict[tuple[int, date], list[SlotOffer]] = defaultdict(list)
    for slot in DeliverySlot.objects.filter(
        warehouse_id__in=warehouse_ids, date__gte=first, date__lte=last
    ).order_by("starts"):
        written[(slot.warehouse_id, slot.date)].append(
            SlotOffer(
                slot.warehouse_id,
                slot.date,
                slot.starts,
                slot.ends,
                slot.capacity,
                slot.booked,
                slot.pk,
            )
        )
    patterns: dict[tuple[int, int], list[SlotPattern]] = defaultdict(list)
    for pattern in SlotPattern.objects.filter(warehouse_id__in=warehouse_ids, active=True).order_by(
        "starts"
    ):
        patterns[(pattern.warehouse_id, pattern.weekday)].append(pattern)
    calendar = working_calendar(first, last)
    result: dict[tuple[int, date], list[SlotOffer]] = {}
    for warehouse_id in warehouse_ids:
        day = first
        while day <= last:
            key = (warehouse_id, day)
            if key in written_days:
                offers = [] if written_days[key].closed else written[key]
            elif calendar.is_working_day(day):
                offers = [
                    SlotOffer(warehouse_id, day, p.starts, p.ends, p.capacity)
                    for p in patterns[(warehouse_id, day.weekday())]
                ]
            else:
                offers = []
            if offers:
                result[key] = offers
            day += timedelta(days=1)
    return result


def day_slots(warehouse_id: int, day: date) -> list[SlotOffer]:
    return slots_between([warehouse_id], day, day).get((warehouse_id, day), [])


def is_past(offer: SlotOffer, now: datetime | None = None) -> bool:
    """A slot that has ended can no longer be booked."""
    now = timezone.localtime(now)
    return (offer.date, offer.ends) <= (now.date(), now.time())


def bookable_slots(
    warehouse_id: int, *, days: int = 14, today: date | None = None
) -> list[SlotOffer]:
    """The warehouse's coming slots, from today, in date and time order (full ones too: the
    page shows them as full)."""
    today = today or timezone.localdate()
    found = slots_between([warehouse_id], today, today + timedelta(days=days - 1))
    now = timezone.localtime()
    return [offer for key in sorted(found) for offer in found[key] if not is_past(offer, now)]


def order_warehouses(order: Order) -> list[Warehouse]:
    """The warehouses that still have goods of the order to send: its open reservations and
    its shipments not yet gone."""
    ids = set(
        Allocation.objects.filter(line__order=order, issued_at__isnull=True).values_list(
            "stock_level__warehouse_id", flat=True
        )
    ) | set(
        Shipment.objects.filter(order=order, status__in=UNDISPATCHED_STATUSES).values_list(
            "warehouse_id", flat=True
        )
    )
    return list(Warehouse.objects.filter(pk__in=ids).order_by("code"))


def order_bookings(order_id: int) -> QuerySet[SlotBooking]:
    return SlotBooking.objects.filter(order_id=order_id).select_related(
        "slot", "warehouse", "booked_by"
    )


def shipment_booking(shipment: Shipment) -> SlotBooking | None:
    """The slot the shipment's order booked at the shipment's warehouse."""
    return (
        SlotBooking.objects.filter(order_id=shipment.order_id, warehouse_id=shipment.warehouse_id)
        .select_related("slot")
        .first()
    )


# Writing -------------------------------------------------------------------------------------


def _ensure_day(warehouse_id: int, day: date, *, changed: bool = False) -> DeliveryDay:
    """Write the day down with the slots it has now (pattern or nothing), once: a second caller
    at the same moment waits on the unique key and then finds the first one's rows."""
    offers = day_slots(warehouse_id, day)
    record, created = DeliveryDay.objects.get_or_create(
        warehouse_id=warehouse_id, date=day, defaults={"changed": changed}
    )
    if created:
        DeliverySlot.objects.bulk_create(
            DeliverySlot(
                warehouse_id=warehouse_id,
                date=day,
                starts=o.starts,
                ends=o.ends,
                capacity=o.capacity,
            )
            for o in offers
        )
    elif changed and not record.changed:
        record.changed = True
        record.save(update_fields=["changed"])
    return record


def _check_may_arrange(actor: User | None) -> None:
    if actor is not None and not actor.has_perm(ARRANGE_PERMISSION):
        raise PermissionDenied(_("Your role does not allow arranging deliveries."))


def _note(code: str, **params: Any) -> dict[str, Any]:
    return coded(code, **params)


def _still_to_send(order: Order, warehouse: Warehouse) -> bool:
    return any(w.pk == warehouse.pk for w in order_warehouses(order))


@atomic_with_retry()
def slot_book(
    *,
    actor: User | None,
    order: Order,
    warehouse: Warehouse,
    day: date,
    starts: time,
    by_customer: bool = False,
) -> SlotBooking:
    """Book the slot of `warehouse` on `day` starting at `starts` for the order's goods from
    that warehouse, moving an earlier booking there (its place is freed). A full, closed,
    past or unknown slot is refused with a message; booking the slot the order has is a no-op.
    """
    _check_may_arrange(actor)
    order = lock_order(order.pk)
    if order.status not in OPEN_STATUSES:
        raise ShipmentError(
            _("Order %(number)s is %(status)s; it takes no delivery slot.")
            % {"number": order.number, "status": order.get_status_display()}
        )
    if OrderPickup.objects.filter(order=order).exists():
        raise ShipmentError(
            _("Order %(number)s is collected at a pickup point; it needs no delivery slot.")
            % {"number": order.number}
        )
    if not _still_to_send(order, warehouse):
        raise ShipmentError(
            _("Order %(number)s has nothing left to send from %(warehouse)s.")
            % {"number": order.number, "warehouse": warehouse.code}
        )
    today = timezone.localdate()
    if day > today + timedelta(days=BOOKING_HORIZON_DAYS):
        raise ValidationError(
            {
                "slot": _("Slots can be booked at most %(days)s days ahead.")
                % {"days": BOOKING_HORIZON_DAYS}
            }
        )
    existing = (
        SlotBooking.objects.select_related("slot").filter(order=order, warehouse=warehouse).first()
    )
    if existing is not None and (existing.slot.date, existing.slot.starts) == (day, starts):
        return existing
    offer = next((o for o in day_slots(warehouse.pk, day) if o.starts == starts), None)
    if offer is None:
        raise ValidationError(
            {
                "slot": _("%(warehouse)s has no delivery slot at %(time)s on %(date)s.")
                % {"warehouse": warehouse.code, "time": f"{starts:%H:%M}", "date": day.isoformat()}
            }
        )
    if is_past(offer):
        raise ValidationError({"slot": _("This slot is over; choose a later one.")})
    _ensure_day(warehouse.pk, day)
    ids = [
        DeliverySlot.objects.values_list("pk", flat=True).get(
            warehouse_id=warehouse.pk, date=day, starts=starts
        )
    ]
    if existing is not None:
        ids.append(existing.slot_id)
    locked = {
        s.pk: s for s in DeliverySlot.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    slot = locked[ids[0]]
    if slot.booked >= slot.capacity:
        raise ShipmentError(
            _(
                "The slot %(slot)s on %(date)s at %(warehouse)s is full (%(booked)s of "
                "%(capacity)s booked). Choose another slot."
            )
            % {
                "slot": slot.label,
                "date": slot.date.isoformat(),
                "warehouse": warehouse.code,
                "booked": slot.booked,
                "capacity": slot.capacity,
            }
        )
    DeliverySlot.objects.filter(pk=slot.pk).update(booked=F("booked") + 1)
    before = None
    if existing is not None:
        before = f"{existing.slot.date.isoformat()} {existing.slot.label}"
        DeliverySlot.objects.filter(pk=existing.slot_id).update(booked=F("booked") - 1)
        booking = existing
        booking.slot = slot
    else:
        booking = SlotBooking(order=order, warehouse=warehouse, slot=slot)
    booking.booked_by = acting_user(actor)
    booking.by_customer = by_customer
    booking.save()
    after = f"{slot.date.isoformat()} {slot.label}"
    order_services.order_record_delivery(
        order=order,
        actor=actor,
        message=_note(
            "slot_moved" if before else "slot_booked",
            warehouse=warehouse.code,
            date=slot.date,
            slot=slot.label,
            before=before or "",
            customer="1" if by_customer else "",
        ),
        data={"warehouse": warehouse.code, "slot": after, "before": before},
    )
    audit_record(
        actor=actor,
        action="slot.book",
        obj=order,
        changes={
            "delivery_slot": [before, after],
            "warehouse": warehouse.code,
            "source": "customer" if by_customer else "staff",
        },
    )
    return booking


def _release(booking: SlotBooking, actor: User | None, code: str) -> None:
    """Give the booking's place back (the order is locked by the caller)."""
    slot = DeliverySlot.objects.select_for_update().get(pk=booking.slot_id)
    DeliverySlot.objects.filter(pk=slot.pk).update(booked=F("booked") - 1)
    booking.delete()
    order_services.order_record_delivery(
        order=booking.order_id,
        actor=actor,
        message=_note(code, warehouse=booking.warehouse.code, date=slot.date, slot=slot.label),
        data={"warehouse": booking.warehouse.code, "slot": f"{slot.date.isoformat()} {slot.label}"},
    )
    audit_record(
        actor=actor,
        action="slot.release",
        obj=booking.order,
        changes={"delivery_slot": [f"{slot.date.isoformat()} {slot.label}", None]},
    )


@atomic_with_retry()
def slot_release(*, actor: User | None, order: Order, warehouse: Warehouse) -> bool:
    """Cancel the order's booking at the warehouse; its place is free again. False when there
    was none."""
    _check_may_arrange(actor)
    order = lock_order(order.pk)
    booking = (
        SlotBooking.objects.select_related("warehouse", "order")
        .filter(order=order, warehouse=warehouse)
        .first()
    )
    if booking is None:
        return False
    if Shipment.objects.filter(
        order=order, warehouse=warehouse, status__in=DISPATCHED_STATUSES
    ).exists() and not _still_to_send(order, warehouse):
        raise ShipmentError(_("The goods have left in this slot; its booking stays on record."))
    _release(booking, actor, "slot_released")
    return True


def release_for_cancelled_order(order: Order, actor: User | None) -> None:
    """orders.hooks.order_cancelled: the order's slots are freed."""
    for booking in (
        SlotBooking.objects.select_related("warehouse", "order")
        .filter(order=order)
        .order_by("slot_id")
    ):
        _release(booking, actor, "slot_freed_cancelled")


def release_for_cancelled_remainder(order: Order, actor: User | None) -> None:
    """orders.hooks.order_remainder_cancelled: bookings at warehouses whose goods never left
    are freed; those the goods left in stay on record."""
    left = set(
        Shipment.objects.filter(order=order, status__in=DISPATCHED_STATUSES).values_list(
            "warehouse_id", flat=True
        )
    )
    for booking in (
        SlotBooking.objects.select_related("warehouse", "order")
        .filter(order=order)
        .exclude(warehouse_id__in=left)
        .order_by("slot_id")
    ):
        _release(booking, actor, "slot_freed_cancelled")


def release_for_pickup(order: Order, actor: User | None) -> None:
    """The order is now collected at a pickup point: its delivery slots are freed."""
    for booking in (
        SlotBooking.objects.select_related("warehouse", "order")
        .filter(order=order)
        .order_by("slot_id")
    ):
        _release(booking, actor, "slot_freed_pickup")


# Planning ------------------------------------------------------------------------------------


def _check_may_plan(actor: User | None) -> None:
    if actor is not None and not actor.has_perm(PLAN_PERMISSION):
        raise PermissionDenied(_("Your role does not allow planning delivery slots."))


def _forget_unbooked_days(warehouse_id: int) -> None:
    """Future days written down only because of bookings since cancelled follow the new
    pattern again; days with bookings or staff changes keep their slots."""
    today = timezone.localdate()
    booked_days = DeliverySlot.objects.filter(
        warehouse_id=warehouse_id, date__gte=today, booked__gt=0
    ).values("date")
    stale = DeliveryDay.objects.filter(
        warehouse_id=warehouse_id, date__gte=today, changed=False
    ).exclude(date__in=booked_days)
    dates = list(stale.values_list("date", flat=True))
    if dates:
        DeliverySlot.objects.filter(warehouse_id=warehouse_id, date__in=dates).delete()
        stale.delete()


@atomic_with_retry()
def slot_pattern_save(
    *, actor: User | None, pattern: SlotPattern | None, data: dict[str, Any]
) -> SlotPattern:
    """Create or change one slot of a warehouse's week pattern (audited)."""
    _check_may_plan(actor)
    fields = ("warehouse", "weekday", "starts", "ends", "capacity", "active")
    creating = pattern is None
    pattern = pattern or SlotPattern()
    before = {f: str(getattr(pattern, f, "")) for f in fields} if not creating else {}
    for name in fields:
        if name in data:
            setattr(pattern, name, data[name])
    errors = {}
    if pattern.starts is not None and pattern.ends is not None and pattern.ends <= pattern.starts:
        errors["ends"] = _("A slot ends after it starts.")
    if pattern.capacity is not None and not 1 <= pattern.capacity <= MAX_CAPACITY:
        errors["capacity"] = _("Enter a capacity between 1 and %(max)s.") % {"max": MAX_CAPACITY}
    clash = SlotPattern.objects.filter(
        warehouse=pattern.warehouse, weekday=pattern.weekday, starts=pattern.starts
    ).exclude(pk=pattern.pk)
    if not errors and clash.exists():
        errors["starts"] = _("This warehouse already has a slot starting then on that weekday.")
    if errors:
        raise ValidationError(errors)
    pattern.save()
    _forget_unbooked_days(pattern.warehouse_id)
    after = {f: str(getattr(pattern, f)) for f in fields}
    audit_record(
        actor=actor,
        action="slot_pattern.create" if creating else "slot_pattern.update",
        obj=pattern,
        changes={k: [before.get(k), v] for k, v in after.items() if before.get(k) != v},
    )
    return pattern


@atomic_with_retry()
def delivery_day_set(
    *, actor: User | None, warehouse: Warehouse, day: date, closed: bool, note: str = ""
) -> DeliveryDay:
    """Close a day (no slots; refused while orders are booked on it) or open it again: a
    day off opens with the slots of its weekday's pattern."""
    _check_may_plan(actor)
    if day < timezone.localdate():
        raise ValidationError({"date": _("Days in the past cannot change.")})
    record = _ensure_day(warehouse.pk, day, changed=True)
    record = DeliveryDay.objects.select_for_update().get(pk=record.pk)
    slots = DeliverySlot.objects.select_for_update().filter(warehouse=warehouse, date=day)
    if closed:
        booked = sum(s.booked for s in slots)
        if booked:
            raise ShipmentError(
                _("%(count)s orders are booked on %(date)s; move them to other slots first.")
                % {"count": booked, "date": day.isoformat()}
            )
    elif not slots.exists():
        DeliverySlot.objects.bulk_create(
            DeliverySlot(
                warehouse=warehouse, date=day, starts=p.starts, ends=p.ends, capacity=p.capacity
            )
            for p in SlotPattern.objects.filter(
                warehouse=warehouse, weekday=day.weekday(), active=True
            )
        )
    before = record.closed
    record.closed = closed
    record.note = note.strip()[:200]
    record.save(update_fields=["closed", "note"])
    audit_record(
        actor=actor,
        action="delivery_day.set",
        obj=warehouse,
        changes={"date": day.isoformat(), "closed": [before, closed]},
    )
    return record


@atomic_with_retry()
def delivery_slot_capacity_set(
    *, actor: User | None, warehouse: Warehouse, day: date, starts: time, capacity: int
) -> DeliverySlot:
    """Change one dated slot's capacity; never below what is booked on it."""
    _check_may_plan(actor)
    if day < timezone.localdate():
        raise ValidationError({"date": _("Days in the past cannot change.")})
    if not 0 <= capacity <= MAX_CAPACITY:
        raise ValidationError(
            {"capacity": _("Enter a capacity between 0 and %(max)s.") % {"max": MAX_CAPACITY}}
        )
    _ensure_day(warehouse.pk, day, changed=True)
    slot = (
        DeliverySlot.objects.select_for_update()
        .filter(warehouse=warehouse, date=day, starts=starts)
        .first()
    )
    if slot is None:
        raise ValidationError({"slot": _("Choose one of the slots offered.")})
    if capacity < slot.booked:
        raise ValidationError(
            {
                "capacity": _(
                    "%(booked)s orders are booked in this slot; the capacity cannot be lower."
                )
                % {"booked": slot.booked}
            }
        )
    before = slot.capacity
    slot.capacity = capacity
    slot.save(update_fields=["capacity"])
    audit_record(
        actor=actor,
        action="delivery_slot.capacity",
        obj=warehouse,
        changes={"slot": str(slot), "capacity": [before, capacity]},
    )
    return slot
