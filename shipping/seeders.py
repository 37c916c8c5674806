"""Demo shipments: the demo orders the warehouse started picking (orders' seeder) are packed,
dispatched and followed to delivery on the demo timeline, so every shipment state is there.

Steps run through the services (which stamp rows with the present) inside a `Story` of the
orders seeder, then the rows they wrote move to the steps' moments in bulk. Older shipments
got further; the newest ones show each state; a few parcels hit a problem or come back.
"""

import random
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from inventory.models import StockMovement
from inventory.seeders import ledger_backdate
from oms.demo import SeedContext, backdate, rename
from oms.errors import ServiceError
from oms.models import AuditLog
from oms.workdays import add_working_days
from orders import services as order_services
from orders.models import Allocation, Order, OrderEvent
from orders.seeders.desk import Story
from orders.seeders.history import with_year
from shipping import carrier_services, selectors, services
from shipping.carrier_seeders import seed_carriers
from shipping.choices import ServiceLevel, ShipmentStatus
from shipping.models import CarrierService, Shipment, ShipmentEvent
from shipping.permissions import ShipmentAction
from shipping.tracking.seeders import CarrierNews, seed_carrier_integrations, tracking_summary

S = ShipmentStatus
# Named when no carrier in the table takes a shipment (the demo still dispatches it).
CARRIERS = [
    ("顺丰速运 SF Express", "SF", ServiceLevel.EXPRESS),
    ("中通快递 ZTO Express", "ZTO", ServiceLevel.STANDARD),
    ("京东物流 JD Logistics", "JD", ServiceLevel.EXPRESS),
    ("德邦快递 Deppon", "DBL", ServiceLevel.FREIGHT),
]
# The newest picked shipments are taken this far, so a small demo shows every state.
SHOWCASE = (
    S.PICKING,
    S.PACKED,
    S.DISPATCHED,
    S.IN_TRANSIT,
    S.OUT_FOR_DELIVERY,
    S.EXCEPTION,
    S.RETURNED,
)
# Each step: (action, hours after the previous step (low, high)).
JOURNEY = [
    ("pack", (0.5, 6)),
    ("dispatch", (1, 8)),
    (ShipmentAction.IN_TRANSIT, (3, 20)),
    (ShipmentAction.OUT_FOR_DELIVERY, (20, 70)),
    (ShipmentAction.DELIVERED, (1, 8)),
]
CHUNK = 25


def _journey(rng: random.Random, target: str | None) -> list[tuple[str, tuple[float, float]]]:
    """The steps a shipment takes: the whole way (target None) or up to a showcase state."""
    steps: list[tuple[str, tuple[float, float]]] = list(JOURNEY)
    fate = rng.random()
    if target is None:
        if fate < 0.03:  # held up on the way, then (mostly) delivered
            steps.insert(3, (ShipmentAction.EXCEPTION, (10, 40)))
        elif fate < 0.045:  # refused at the door
            steps[4] = (ShipmentAction.RETURNED, (2, 30))
        return steps
    order = [S.PACKED, S.DISPATCHED, S.IN_TRANSIT, S.OUT_FOR_DELIVERY]
    if target == S.PICKING:
        return []
    if target == S.EXCEPTION:
        return [*JOURNEY[:3], (ShipmentAction.EXCEPTION, (10, 40))]
    if target == S.RETURNED:
        return [*JOURNEY[:4], (ShipmentAction.RETURNED, (2, 30))]
    return JOURNEY[: order.index(S(target)) + 1]


class Dock:
    """Lives the demo shipments' stories: what the warehouse and the logistics desk did."""

    def __init__(self, context: SeedContext) -> None:
        self.context = context
        self.warehouse = context.users["warehouse"]
        self.logistics = context.users["logistics"]
        self.news = CarrierNews(self.logistics)

    def plan(self, shipment: Shipment, start: datetime, target: str | None) -> list[tuple]:
        """[(moment, shipment, action, rng)] of the steps the shipment takes by now."""
        rng = random.Random(f"shipment-{shipment.order.external_reference}-{shipment.warehouse_id}")
        steps = _journey(rng, target)
        t, planned = start, []
        span = (self.context.now - start) / (len(steps) + 1) if target else None
        for action, (low, high) in steps:
            if span is not None:  # a showcase: its steps fit between picking and now
                t = t + span * rng.uniform(0.6, 1.0)
            else:
                t = self.context.later(t, rng.uniform(low, high), rng)
                if t > self.context.now:
                    break
            planned.append((t, shipment, action, rng))
        return planned

    def live(self, order_id: int, plans: list[tuple]) -> Story:
        """One order's shipments, their steps in the order they happened (the order's
        timeline stays in order when its shipments move at once)."""
        story = Story(order_id, order_id=order_id)
        for t, shipment, action, rng in sorted(plans, key=lambda step: (step[0], step[1].pk)):
            try:
                self._step(story, shipment, action, t, rng)
            except (ServiceError, ValidationError) as exc:
                self.context.say(f"demo shipment {shipment.number}: {exc}")
                break
        return story

    def _step(self, story: Story, shipment: Shipment, action: str, t: datetime, rng) -> None:
        if action == "pack":
            story.run(t, services.shipment_pack, actor=self.warehouse, shipment=shipment)
        elif action == "dispatch":
            name, prefix, service = rng.choice(CARRIERS)
            day = timezone.localdate(t)
            expected = day + timedelta(days=rng.randint(1, 4))
            # The desk chooses the carrier a little before the goods leave.
            chosen = self._choose(story, shipment, t - timedelta(minutes=2))
            if chosen is not None:
                carrier_service, transit_days = chosen
                carrier = carrier_service.carrier
                name, prefix, service = carrier.name, carrier.code, carrier_service.level
                expected = add_working_days(day, transit_days)
            details = services.DispatchDetails(
                carrier=name,
                tracking_number=f"{prefix}{shipment.pk:010d}",
                service=service,
                parcels=rng.choice([1, 1, 1, 2, 3]),
                weight_kg=selectors.shipment_weight(shipment) + Decimal("0.300"),  # + the box
                declared_value=shipment.declared_value,
                cod_amount=shipment.cod_amount,
                expected_delivery_date=expected,
            )
            story.run(t, self._dispatch, shipment=shipment, details=details)
            self.news.dispatched(shipment, t)
        else:  # the carrier's news, in its own codes
            self.news.report(story, shipment, action, t, rng)

    def _choose(
        self, story: Story, shipment: Shipment, t: datetime
    ) -> tuple[CarrierService, int] | None:
        """The logistics desk lets the rules choose the carrier (none when no carrier takes
        the shipment: then the demo names one)."""
        try:
            _shipment, choice = story.run(
                t,
                carrier_services.shipment_choose_carrier,
                actor=self.logistics,
                shipment=shipment,
            )
        except (ServiceError, ValidationError):
            return None
        assert choice.chosen is not None
        assert choice.chosen.rate is not None
        return choice.chosen.service, choice.chosen.rate.transit_days

    def _dispatch(self, *, shipment: Shipment, details: services.DispatchDetails) -> None:
        """Dispatch as of its own day: the service refuses an expected date before today,
        so a demo day's expected date is entered after the service has run."""
        day = details.expected_delivery_date
        if day is not None and day < timezone.localdate():
            details = replace(details, expected_delivery_date=None)
        services.shipment_dispatch(actor=self.warehouse, shipment=shipment, details=details)
        if details.expected_delivery_date is None and day is not None:
            Shipment.objects.filter(pk=shipment.pk).update(expected_delivery_date=day)


def move_into_the_past(stories: list[Story], started: dict[int, datetime]) -> dict[int, datetime]:
    """Move what the stories (one per order) wrote to their moments; shipments created when
    the order's picking started (in the orders seeder) get that moment. `started`: {shipment
    id: moment}. Returns {ledger row id: moment} for the issues, dated once the threads end
    (dating the append-only ledger locks its table)."""
    by_order = {story.order_id: story for story in stories if story.order_id}
    if not by_order:
        return {}
    order_ids = list(by_order)

    def shift(order_id: int, real: datetime) -> datetime:
        return by_order[order_id].shift(real)

    rows = list(
        Shipment.objects.filter(order_id__in=order_ids).values_list(
            "pk",
            "order_id",
            "number",
            "created_at",
            "updated_at",
            "picking_started_at",
            "packed_at",
            "dispatched_at",
            "delivered_at",
        )
    )
    owner = {row[0]: row[1] for row in rows}

    def shipment_shift(pk: int, real: datetime) -> datetime:
        moved = shift(owner[pk], real)
        return started[pk] if moved == real and pk in started else moved

    renames: dict[str, str] = {}
    with transaction.atomic():
        columns = ("created_at", "updated_at", "picking_started_at")
        columns += ("packed_at", "dispatched_at", "delivered_at")
        for index, column in enumerate(columns, start=3):
            backdate(
                Shipment,
                column,
                {row[0]: shipment_shift(row[0], row[index]) for row in rows if row[index]},
            )
        for pk, _order, number, created, *_ in rows:
            renames[number] = with_year(number, shipment_shift(pk, created))
        events = ShipmentEvent.objects.filter(shipment_id__in=owner).values_list(
            "pk", "shipment_id", "created_at"
        )
        backdate(ShipmentEvent, "created_at", {pk: shipment_shift(s, r) for pk, s, r in events})
        audit = AuditLog.objects.filter(
            object_type="shipping.shipment", object_id__in=[str(pk) for pk in owner]
        ).values_list("pk", "object_id", "created_at")
        backdate(AuditLog, "created_at", {pk: shipment_shift(int(s), r) for pk, s, r in audit})
        order_rows = Order.objects.filter(pk__in=order_ids).values_list("pk", "updated_at")
        backdate(Order, "updated_at", {pk: shift(pk, real) for pk, real in order_rows})
        order_events = OrderEvent.objects.filter(order_id__in=order_ids).values_list(
            "pk", "order_id", "created_at"
        )
        backdate(OrderEvent, "created_at", {pk: shift(o, r) for pk, o, r in order_events})
        for column in ("created_at", "issued_at"):
            allocations = Allocation.objects.filter(
                line__order_id__in=order_ids, issued_at__isnull=False
            ).values_list("pk", "line__order_id", column)
            backdate(Allocation, column, {pk: shift(o, r) for pk, o, r in allocations})
        renames = {old: new for old, new in renames.items() if old != new}
        rename(Shipment, "number", renames)
        rename(AuditLog, "object_repr", renames)
        if renames:
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE orders_orderevent AS e "
                    "SET data = replace(e.data::text, v.old, v.new)::jsonb "
                    "FROM unnest(%s::text[], %s::text[]) AS v(old, new) "
                    "WHERE e.order_id = ANY(%s) AND e.kind = 'issued' "
                    "AND e.data->>'reference' = v.old",
                    [list(renames), list(renames.values()), order_ids],
                )
    numbers = {number: order_id for _pk, order_id, number, *_ in rows}
    movements = StockMovement.objects.filter(reference__in=list(numbers)).values_list(
        "pk", "reference", "created_at"
    )
    RENAMES.update(renames)
    return {pk: shift(numbers[ref], real) for pk, ref, real in movements}


# Shipment numbers renamed to their year, for the ledger rows that quote them.
RENAMES: dict[str, str] = {}


def seed_shipments(context: SeedContext) -> None:
    """Take the demo orders' picked shipments on (idempotent: a shipment that moved on is
    not touched again, and the newest one, kept in picking, stays so)."""
    shipments = list(
        Shipment.objects.filter(
            status=S.PICKING, order__external_reference__startswith="DEMO-"
        ).select_related("order")
    )
    fresh = [s for s in shipments if s.events.count() <= 2]
    started = {s.pk: s.order.picking_started_at or context.now for s in fresh}
    queue = sorted(fresh, key=lambda s: (started[s.pk], s.pk))
    # The newest orders are dealt the showcase states once; later runs keep the newest in
    # picking (it was dealt picking the first time).
    first_run = not Shipment.objects.filter(
        order__external_reference__startswith="DEMO-", packed_at__isnull=False
    ).exists()
    newest_orders = list(dict.fromkeys(s.order_id for s in reversed(queue)))
    showcase = dict(zip(newest_orders, SHOWCASE if first_run else SHOWCASE[:1], strict=False))
    dock = Dock(context)
    plans: dict[int, list[tuple]] = defaultdict(list)
    for shipment in queue:
        target = showcase.get(shipment.order_id)
        plans[shipment.order_id] += dock.plan(shipment, started[shipment.pk], target)
    pending = iter([order_id for order_id in dict.fromkeys(s.order_id for s in queue)])
    lock = threading.Lock()
    ledger: dict[int, datetime] = {}

    def work() -> None:
        stories: list[Story] = []
        try:
            while True:
                with lock:
                    order_id = next(pending, None)
                if order_id is None:
                    break
                if plans[order_id]:
                    stories.append(dock.live(order_id, plans[order_id]))
                if len(stories) >= CHUNK:
                    moments = move_into_the_past(stories, started)
                    with lock:
                        ledger.update(moments)
                    stories = []
            moments = move_into_the_past(stories, started)
            with lock:
                ledger.update(moments)
        finally:
            connection.close()

    with ThreadPoolExecutor(3) as pool:
        for future in [pool.submit(work) for _ in range(3)]:
            future.result()
    untouched = [s for s in queue if not plans[s.order_id]]
    move_into_the_past([Story(s.order_id, order_id=s.order_id) for s in untouched], started)
    ledger_backdate(ledger, RENAMES)


def seed_waiting_and_voided(context: SeedContext) -> None:
    """A shipment waiting to be picked, and one voided by its order's cancellation."""
    demo = Order.objects.filter(external_reference__startswith="DEMO-")
    if not Shipment.objects.filter(status=S.PENDING).exists():
        waiting = demo.filter(status="allocated", on_hold=False).order_by("-created_at").first()
        if waiting is not None:
            services.shipments_create_for_order(actor=context.users["warehouse"], order=waiting)
    if not Shipment.objects.filter(status=S.CANCELLED).exists():
        # The newest order being picked: its cancellation today is plausible.
        picking = (
            demo.filter(status="picking", shipments__status=S.PICKING)
            .order_by("-picking_started_at")
            .first()
        )
        if picking is not None:
            order_services.order_cancel(
                actor=context.users["service"],
                order=picking,
                reason="客户取消 Customer cancelled",
            )


def choose_waiting_carriers(context: SeedContext) -> None:
    """The shipments still in the warehouse get their carrier chosen by the rules."""
    for shipment in Shipment.objects.filter(
        status__in=[S.PENDING, S.PICKING, S.PACKED], carrier_service__isnull=True
    ).order_by("pk"):
        try:
            carrier_services.shipment_choose_carrier(
                actor=context.users["logistics"], shipment=shipment
            )
        except (ServiceError, ValidationError) as exc:
            context.say(f"demo shipment {shipment.number}: {exc}")


def seed_shipping_demo(context: SeedContext) -> None:
    seed_carriers(context)
    seed_carrier_integrations(context)
    seed_waiting_and_voided(context)
    seed_shipments(context)
    choose_waiting_carriers(context)
    counts = Shipment.objects.values_list("status").annotate(n=Count("id")).order_by()
    summary = ", ".join(f"{S(status).label} {n}" for status, n in sorted(counts))
    context.say(f"{Shipment.objects.count()} shipments ({summary})")
    tracking_summary(context)
