"""Demo delivery slots and store pickup: a week pattern for every demo warehouse, booked
slots on open orders (one slot full), two pickup points, orders waiting at them with their
code sent, and one collected. Idempotent: a second run finds what it made."""

import random
from datetime import time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from customers.models import Customer
from inventory.models import StockLevel, Warehouse
from oms.demo import SeedContext
from oms.errors import ServiceError
from orders import services as order_services
from orders.choices import OrderStatus
from orders.models import Order
from orders.services import LineRequest
from shipping import pickup, services, slots
from shipping.choices import ShipmentStatus
from shipping.models import (
    OrderPickup,
    PickupPoint,
    PickupPointKind,
    Shipment,
    SlotBooking,
    SlotPattern,
)
from shipping.pickup_codes import issue_pickup_code

S = ShipmentStatus
# (weekdays, from, until, capacity): a weekday morning, afternoon and evening round, and a
# Saturday morning.
PATTERN = [
    (range(5), time(9), time(12), 12),
    (range(5), time(14), time(18), 16),
    (range(5), time(18), time(21), 6),
    ((5,), time(9), time(12), 8),
]
POINTS = [
    # (name, kind, warehouse index, city, address, opening hours, phone)
    (
        "徐汇门店 Xuhui store",
        PickupPointKind.STORE,
        0,
        "漕溪北路 88 号 88 Caoxi North Road",
        "周一至周六 Mon-Sat 09:00-20:00",
        "021-5555 0101",
    ),
    (
        "仓库自提柜台 Warehouse counter",
        PickupPointKind.WAREHOUSE,
        0,
        "",
        "周一至周五 Mon-Fri 08:30-17:30",
        "",
    ),
]


def seed_patterns(context: SeedContext) -> list[Warehouse]:
    warehouses = list(Warehouse.objects.filter(is_active=True).order_by("code"))
    actor = context.users["logistics"]
    for warehouse in warehouses:
        if SlotPattern.objects.filter(warehouse=warehouse).exists():
            continue
        for weekdays, starts, ends, capacity in PATTERN:
            for weekday in weekdays:
                slots.slot_pattern_save(
                    actor=actor,
                    pattern=None,
                    data={
                        "warehouse": warehouse,
                        "weekday": weekday,
                        "starts": starts,
                        "ends": ends,
                        "capacity": capacity,
                        "active": True,
                    },
                )
    return warehouses


def seed_points(context: SeedContext, warehouses: list[Warehouse]) -> list[PickupPoint]:
    points = []
    for name, kind, index, address, hours, phone in POINTS:
        found = PickupPoint.objects.filter(name=name).first()
        if found is None:
            # The store is in Shanghai, supplied by the Shanghai warehouse when there is one.
            warehouse = next(
                (w for w in warehouses if kind == PickupPointKind.STORE and w.region == "SH"),
                warehouses[index],
            )
            store = kind == PickupPointKind.STORE
            found = pickup.pickup_point_save(
                actor=context.users["logistics"],
                point=None,
                data={
                    "name": name,
                    "kind": kind,
                    "warehouse": warehouse,
                    "region": "SH" if store else warehouse.region,
                    "city": "上海 Shanghai" if store else warehouse.city,
                    "address": address or warehouse.address,
                    "opening_hours": hours,
                    "phone": phone,
                    "active": True,
                },
            )
        points.append(found)
    return points


def _open_orders(status: str):
    return (
        Order.objects.filter(external_reference__startswith="DEMO-", status=status, on_hold=False)
        .exclude(pk__in=OrderPickup.objects.values("order_id"))
        .exclude(pk__in=SlotBooking.objects.values("order_id"))
        .order_by("-created_at")
    )


def seed_bookings(context: SeedContext) -> None:
    """Slots for open orders over the coming days, and one evening slot booked full."""
    if SlotBooking.objects.exists():
        return
    desk = context.users["sales1"]
    candidates = [
        order
        for status in (
            OrderStatus.ALLOCATED,
            OrderStatus.PICKING,
            OrderStatus.BACKORDERED,
            OrderStatus.IN_PRODUCTION,
            OrderStatus.PARTIALLY_SHIPPED,
        )
        for order in _open_orders(status)[:10]
    ][:24]
    rng = random.Random(10)  # its own: the other seeders' draws stay as they were
    full_slot = None
    for index, order in enumerate(candidates):
        for warehouse in slots.order_warehouses(order):
            offers = [o for o in slots.bookable_slots(warehouse.pk, days=7) if not o.full]
            if not offers:
                continue
            # The first three go to one evening slot, which is then closed at three.
            evening = [o for o in offers if o.starts == time(18)]
            offer = evening[0] if index < 3 and evening else rng.choice(offers[:12])
            try:
                booking = slots.slot_book(
                    actor=desk,
                    order=order,
                    warehouse=warehouse,
                    day=offer.date,
                    starts=offer.starts,
                    by_customer=index % 4 == 3,
                )
            except (ServiceError, ValidationError) as exc:
                context.say(f"demo slot for {order.number}: {exc}")
                continue
            if index < 3 and evening:
                full_slot = booking.slot
    if full_slot is not None:
        full_slot.refresh_from_db()
        slots.delivery_slot_capacity_set(
            actor=context.users["logistics"],
            warehouse=full_slot.warehouse,
            day=full_slot.date,
            starts=full_slot.starts,
            capacity=full_slot.booked,
        )


def _new_orders_to_collect(context: SeedContext, count: int) -> list[Order]:
    """`count` new allocated orders of one unit of a well-stocked product."""
    level = (
        StockLevel.objects.filter(
            on_hand__gte=F("reserved") + 10, product__made_to_order=False, product__is_active=True
        )
        .select_related("product")
        .order_by("pk")
        .first()
    )
    customer = Customer.objects.order_by("pk").first()
    if level is None or customer is None:
        return []
    made = []
    for _ in range(count):
        order = order_services.order_create(
            actor=context.users["sales1"],
            customer=customer,
            lines=[LineRequest(level.product, 1)],
        )
        order = order_services.order_submit(actor=context.users["sales1"], order=order)
        if order.status == OrderStatus.ALLOCATED:
            made.append(order)
    return made


def seed_pickups(context: SeedContext, points: list[PickupPoint]) -> None:
    """Allocated orders collected at the points: picked and packed (code sent), one handed
    over at the desk."""
    if OrderPickup.objects.exists():
        return
    clerk, warehouse_user = context.users["sales1"], context.users["warehouse"]
    # Orders waiting in the pick queue (one stays there for the queue's own demo).
    queue = list(
        Order.objects.filter(
            external_reference__startswith="DEMO-", status=OrderStatus.ALLOCATED, on_hold=False
        ).order_by("-created_at")
    )
    orders = queue[: min(3, max(len(queue) - 1, 0))]
    if len(orders) < 2:  # a small demo has few orders waiting: new ones to collect in store
        orders += _new_orders_to_collect(context, 2 - len(orders))
    for index, order in enumerate(orders):
        point = points[index % len(points)]
        try:
            pickup.order_pickup_set(actor=clerk, order=order, point=point)
            order_services.order_start_picking(actor=warehouse_user, order=order)
            for shipment in Shipment.objects.filter(order=order, status=S.PICKING).order_by("pk"):
                services.shipment_pack(actor=warehouse_user, shipment=shipment)
        except (ServiceError, ValidationError) as exc:
            context.say(f"demo pickup for {order.number}: {exc}")
    ready = list(
        Shipment.objects.filter(status=S.READY_FOR_PICKUP, pickup_point__isnull=False).order_by(
            "pk"
        )[:2]
    )
    # One handed over, as long as another still waits at its point (a small demo shows both).
    collected = ready[0] if len(ready) == 2 else None
    if collected is not None:
        with transaction.atomic():
            locked = services.lock_shipment(collected)
            _row, code = issue_pickup_code(locked)
        pickup.pickup_hand_over(actor=warehouse_user, point=collected.pickup_point, code=code)


def seed_delivery_demo(context: SeedContext) -> None:
    warehouses = seed_patterns(context)
    if not warehouses:
        return
    points = seed_points(context, warehouses)
    seed_pickups(context, points)
    seed_bookings(context)
    today = timezone.localdate()
    booked = SlotBooking.objects.filter(slot__date__gte=today).count()
    waiting = Shipment.objects.filter(status=S.READY_FOR_PICKUP).count()
    context.say(
        f"{booked} delivery slot bookings from {today}, {waiting} parcels waiting for pickup, "
        f"{len(points)} pickup points"
    )
