"""Demo pricing, approval rules and 18 months of orders.

Orders go through the real services, so every status, allocation and timeline entry is one
the system itself would have produced. Each order lives a story on the demo timeline: created
at a seasonal moment (SeedContext.moment), then submitted, reviewed, allocated, held, picked or
cancelled, each step only if its moment has come by now. So old orders are far along and
recent ones early, the way a real order book looks.

The services stamp rows with the present. Each step remembers when it really ran and which
moment it stands for; a bulk rewrite then moves everything the step wrote (the order's
timestamps, events, approvals, allocations, work orders, ledger rows) to that moment, keeping
their order and spacing, and gives order and work-order numbers the year of their moment.

Each demo order carries the external reference DEMO-<n>, so a second run skips what exists.
"""

import math
import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone

from customers.models import Customer
from inventory.choices import WorkOrderStage
from inventory.models import Category, Product, StockLevel, StockMovement, WorkOrder
from inventory.seeders import ledger_backdate
from inventory.services import stock_receive, work_order_advance
from oms.demo import SeedContext, backdate
from oms.errors import ServiceError
from oms.models import AuditLog
from orders import selectors, services
from orders.allocation import allocated_by_line, warehouse_rank
from orders.choices import CANCELLABLE_STATUSES, Channel, OrderStatus
from orders.models import (
    Allocation,
    Approval,
    ApprovalRule,
    Order,
    OrderEvent,
    OrderLine,
    PriceList,
    PriceListItem,
    Promotion,
    ShippingRule,
)

S = OrderStatus
PRICE_FACTORS = {
    # group: (name, includes tax, [(from quantity, factor on standard cost)])
    "retail": ("零售价 Retail", True, [(1, "1.80")]),
    "wholesale": ("批发价 Wholesale", False, [(1, "1.50"), (10, "1.45"), (50, "1.40")]),
    "distributor": ("经销价 Distributor", False, [(1, "1.35"), (20, "1.30"), (100, "1.25")]),
}


def seed_pricing(products: list[Product]) -> None:
    for group, (name, includes_tax, breaks) in PRICE_FACTORS.items():
        price_list, _ = PriceList.objects.get_or_create(
            customer_group=group, defaults={"name": name, "prices_include_tax": includes_tax}
        )
        priced = set(
            PriceListItem.objects.filter(price_list=price_list).values_list("product_id", flat=True)
        )
        PriceListItem.objects.bulk_create(
            [
                PriceListItem(
                    price_list=price_list,
                    product=product,
                    min_quantity=min_quantity,
                    unit_price=(product.standard_cost * Decimal(factor)).quantize(
                        Decimal("1"), ROUND_HALF_UP
                    )
                    - Decimal("0.10"),
                )
                for product in products
                if product.pk not in priced
                for min_quantity, factor in breaks
            ]
        )
    today = timezone.localdate()
    if not Promotion.objects.exists():
        ceiling = Category.objects.filter(name="吸顶灯").first()
        Promotion.objects.create(
            name="吸顶灯季 Ceiling light season -10%",
            kind="percent",
            value=Decimal(10),
            scope="category",
            category=ceiling,
            starts_on=today - timedelta(days=10),
            ends_on=today + timedelta(days=40),
        )
        Promotion.objects.create(
            name="金卡会员 Gold members -5%",
            kind="percent",
            value=Decimal(5),
            scope="tier",
            customer_tier="gold",
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=300),
            stackable=True,
        )
        bulb = Product.objects.filter(sku__startswith="BU-").order_by("sku").first()
        Promotion.objects.create(
            name="球泡立减 Bulb ¥1 off",
            kind="fixed",
            value=Decimal(1),
            scope="product",
            product=bulb,
            starts_on=today - timedelta(days=5),
            ends_on=today + timedelta(days=25),
        )
    if not ShippingRule.objects.exists():
        ShippingRule.objects.create(
            name="标准 Standard",
            base_fee=Decimal(15),
            per_kg_fee=Decimal(2),
            max_weight_kg=Decimal(30),
            free_above=Decimal(499),
        )
        ShippingRule.objects.create(
            name="重货 Heavy",
            base_fee=Decimal(80),
            per_kg_fee=Decimal(3),
            free_above=Decimal(20000),
        )
        for region in ("XJ", "XZ", "QH"):
            ShippingRule.objects.create(
                name=f"偏远 Remote {region}",
                region=region,
                base_fee=Decimal(30),
                per_kg_fee=Decimal(5),
                free_above=Decimal(2000),
            )
    if not ApprovalRule.objects.exists():
        ApprovalRule.objects.create(
            name="大额订单 Large order",
            condition="amount_at_least",
            threshold=Decimal(30000),
            required_role="manager",
            level=2,
        )
        ApprovalRule.objects.create(
            name="定制商品 Made to order", condition="made_to_order", required_role="reviewer"
        )
        ApprovalRule.objects.create(
            name="超信用额度 Over credit", condition="credit_exceeded", required_role="finance"
        )
        ApprovalRule.objects.create(
            name="人工标记 Flagged", condition="manual_flag", required_role="reviewer"
        )


# The newest orders are dealt these fates, so even a small demo shows every early state.
SHOWCASE = (
    "draft",
    "pending",
    "rejected",
    "picking",
    "far_ahead",
    "backorder",
    "production",
    "hold",
    "cancel",
)
# Hours from one work-order stage to the next: materials, production, quality check, done.
WORK_ORDER_HOURS = {
    WorkOrderStage.MATERIALS: (12, 48),
    WorkOrderStage.PRODUCTION: (72, 200),
    WorkOrderStage.QUALITY_CHECK: (8, 30),
}
FLUSH_EVERY = 25  # stories per bulk rewrite and thread


@dataclass
class Story:
    """One demo order's steps: when each really ran, and the moment it stands for."""

    n: int
    order_id: int | None = None
    steps: list[tuple[datetime, datetime, datetime]] = field(default_factory=list)
    movements: list[int] = field(default_factory=list)  # ledger rows the order caused

    def run(self, moment: datetime, service: Callable[..., Any], **kwargs) -> Any:
        real_from = timezone.now()
        try:
            return service(**kwargs)
        finally:
            self.steps.append((real_from, timezone.now(), moment))

    def shift(self, real: datetime) -> datetime:
        """The demo moment of a row written at `real` during one of this story's steps."""
        for real_from, real_to, moment in self.steps:
            if real_from <= real <= real_to:
                return moment + (real - real_from)
        return real


class OrderDesk:
    """Lives the demo orders' stories: what the sales, review and warehouse staff did."""

    def __init__(self, context: SeedContext) -> None:
        self.context = context
        self.now = context.now
        self.customers = list(
            Customer.objects.filter(
                is_active=True, credit_hold=False, addresses__isnull=False
            ).distinct()
        )
        self.stock_products = list(Product.objects.filter(is_active=True, made_to_order=False))
        self.made_to_order = list(Product.objects.filter(is_active=True, made_to_order=True))
        users = context.users
        self.sales = [users["sales1"], users["sales2"]]
        self.reviewer, self.manager = users["reviewer"], users["manager"]
        self.finance, self.warehouse = users["finance"], users["warehouse"]

    def live(self, n: int, moment: datetime, show: str | None) -> Story:
        story = Story(n)
        try:
            self._live(story, random.Random(f"order-{n}"), moment, show)
        except (ServiceError, ValidationError, ValueError) as exc:
            self.context.say(f"demo order {n}: {exc}")
        return story

    def _live(self, story: Story, rng: random.Random, moment: datetime, show: str | None) -> None:
        customer = rng.choice(self.customers)
        big = customer.group != "retail"
        lines = [
            services.LineRequest(product, rng.randint(5, 60) if big else rng.randint(1, 4))
            for product in rng.sample(self.stock_products, k=rng.choice([1, 1, 2, 2, 3, 4, 5]))
        ]
        if self.made_to_order and (rng.random() < 0.03 or show == "production"):
            lines.append(services.LineRequest(rng.choice(self.made_to_order), 1))
        if show == "backorder":
            lines.append(self._beyond_stock(rng, {line.product.pk for line in lines}))
        actor = rng.choice(self.sales)
        channel = rng.choices(list(Channel.values), weights=[50, 30, 15, 5, 0])[0]
        if show in ("draft", "rejected"):
            channel = Channel.BACK_OFFICE
        wanted = rng.choice([rng.randint(0, 20)] * 9 + [rng.randint(35, 60)])
        if show == "far_ahead":
            wanted = rng.randint(45, 60)
        elif show:
            wanted = min(wanted, 20)  # no other showcase order may wait for a far date
        requested = timezone.localdate(moment) + timedelta(days=wanted)
        fate = rng.random()
        # A cancelled order stops wherever it had got to by then.
        cancel_at = None
        if show == "cancel" or (show is None and fate > 0.97):
            cancel_at = self.context.later(moment, rng.uniform(2, 72), rng)
            if show and cancel_at > self.now:
                cancel_at = moment + (self.now - moment) * 0.6
        limit = min(self.now, cancel_at or self.now)

        def next_moment(after: datetime, low: float, high: float, must: bool = False):
            """When the next step happens (None: not yet); `must` squeezes it in before now."""
            when = self.context.later(after, rng.uniform(low, high), rng)
            if when <= limit:
                return when
            if must and limit > after:
                return after + (limit - after) * rng.uniform(0.2, 0.8)
            return None

        header = dict(
            actor=actor,
            customer=customer,
            lines=lines,
            channel=channel,
            external_reference=f"DEMO-{story.n:05d}",
            requested_delivery_date=requested
            if rng.random() < 0.6 or show == "far_ahead"
            else None,
            needs_review=rng.random() < 0.03 or show in ("pending", "rejected"),
            entered_on=timezone.localdate(moment),  # the date was in the future back then
        )
        showing = show is not None
        t = moment
        if channel == Channel.BACK_OFFICE:
            # Office staff enter orders in office hours.
            in_office = self.context.later(moment, 0, rng)
            t = in_office if in_office <= self.now else moment
            order = story.run(t, services.order_create, **header)
            story.order_id = order.pk
            # Most drafts go on within the hour; quotes wait for the customer; a few are
            # forgotten.
            forgotten = show == "draft" or (not showing and rng.random() < 0.006)
            quote = not showing and rng.random() < 0.1
            submitted = (
                None
                if forgotten
                else next_moment(t, *(24, 240) if quote else (0.1, 2), must=showing)
            )
            if submitted is None:
                return self._cancel(story, order, t, cancel_at, actor, must=show == "cancel")
            t = submitted
            order = story.run(t, services.order_submit, actor=actor, order=order)
        else:
            order = story.run(t, services.order_place, **header)
            story.order_id = order.pk

        rejected = False
        while order.status == S.PENDING_REVIEW and show != "pending":
            slow = not showing and rng.random() < 0.08
            decided = next_moment(t, *(48, 200) if slow else (1, 30), must=showing)
            if decided is None:
                break
            pending = selectors.current_approvals(order).first()
            decider = {"manager": self.manager, "finance": self.finance}.get(
                pending.required_role, self.reviewer
            )
            t = decided
            if not rejected and (show == "rejected" or (not showing and rng.random() < 0.08)):
                rejected = True
                order = story.run(
                    t,
                    services.order_reject,
                    actor=decider,
                    order=order,
                    note="价格需重新确认 Price to be rechecked",
                )
                after = rng.random()
                if show == "rejected" or after < 0.1:
                    break  # left as a draft
                if after < 0.4:
                    cancel_at = next_moment(t, 4, 120)
                    break
                resubmitted = next_moment(t, 20, 72)
                if resubmitted is None:
                    break
                t = resubmitted
                order = story.run(t, services.order_submit, actor=actor, order=order)
            else:
                order = story.run(
                    t, services.order_approve, actor=decider, order=order, note="同意 OK"
                )

        # Goods in production or short are finished or bought in, as time allows.
        while order.status in (S.IN_PRODUCTION, S.BACKORDERED) and not showing:
            if order.status == S.IN_PRODUCTION:
                work_order = WorkOrder.objects.filter(
                    order_line_id__in=order.lines.values("pk"), stage__in=WORK_ORDER_HOURS
                ).first()
                if work_order is None:
                    break
                when = next_moment(t, *WORK_ORDER_HOURS[work_order.stage])
                if when is None:
                    break
                t = when
                work_order = story.run(
                    t, work_order_advance, actor=self.warehouse, work_order=work_order
                )
                if work_order.stage == WorkOrderStage.DONE:
                    story.movements += StockMovement.objects.filter(
                        reference=work_order.number
                    ).values_list("pk", flat=True)
            else:
                when = next_moment(t, 72, 400)  # the purchasing lead time
                if when is None:
                    break
                t = when
                story.run(t, self._restock, story=story, order=order, rng=rng, when=t)
            order.refresh_from_db(fields=["status"])

        if order.status == S.ALLOCATED and show in (None, "hold", "picking", "cancel"):
            held = show == "hold" or (not showing and rng.random() < 0.06)
            when = next_moment(t, 1, 48, must=show == "hold") if held else None
            if when:
                t = when
                order = story.run(
                    t,
                    services.order_hold,
                    actor=self.finance,
                    order=order,
                    reason="等待付款 Waiting for payment",
                )
                when = None if show == "hold" else next_moment(t, 24, 120)
                if when:
                    t = when
                    order = story.run(t, services.order_resume, actor=self.finance, order=order)
            if not order.on_hold and show != "picking":
                when = next_moment(t, 2, 30)
                if when:
                    t = when
                    order = story.run(
                        t, services.order_start_picking, actor=self.warehouse, order=order
                    )
        self._cancel(story, order, t, cancel_at, actor, must=show == "cancel")

    def _cancel(
        self, story: Story, order: Order, t: datetime, cancel_at: datetime | None, actor, must: bool
    ) -> None:
        if cancel_at is None or order.status not in CANCELLABLE_STATUSES:
            return
        cancel_at = max(cancel_at, t + timedelta(minutes=10))
        if must and cancel_at > self.now:
            cancel_at = t + (self.now - t) / 2
        if cancel_at <= self.now:
            story.run(
                cancel_at,
                services.order_cancel,
                actor=actor,
                order=order,
                reason="客户取消 Customer cancelled",
            )

    def _beyond_stock(self, rng: random.Random, taken: set[int]) -> services.LineRequest:
        """A line for more than all warehouses have free: the order must be back-ordered."""
        product = rng.choice([p for p in self.stock_products if p.pk not in taken])
        free = (
            StockLevel.objects.filter(product=product).aggregate(
                free=Sum(F("on_hand") - F("reserved"))
            )["free"]
            or 0
        )
        return services.LineRequest(product, free + rng.randint(10, 40))

    def _restock(self, *, story: Story, order: Order, rng: random.Random, when: datetime) -> None:
        """Purchasing buys what the order lacks, in round lots, into the nearest warehouse
        that stocks it; then the order is offered the stock, as the worker would."""
        lines = list(order.lines.filter(made_to_order=False).select_related("product"))
        have = allocated_by_line(lines)
        rank = warehouse_rank(order)
        for line in lines:
            need = line.quantity - have.get(line.pk, 0)
            levels = StockLevel.objects.filter(
                product_id=line.product_id, warehouse__is_active=True
            ).select_related("warehouse")
            if need <= 0 or not levels:
                continue
            warehouse = min((level.warehouse for level in levels), key=rank)
            lot = math.ceil((need + rng.choice([20, 50, 100, 200])) / 10) * 10
            movement = stock_receive(
                actor=self.warehouse,
                product=line.product,
                warehouse=warehouse,
                quantity=lot,
                reference=f"PO-{timezone.localdate(when).year}-{story.n:05d}",
                note="补货 Replenishment",
            )
            story.movements.append(movement.pk)
        services.order_allocate_more(order_id=order.pk)


def move_into_the_past(stories: list[Story]) -> None:
    """Move everything the stories' steps wrote to the steps' moments, in bulk UPDATEs."""
    by_order = {story.order_id: story for story in stories if story.order_id and story.steps}
    if not by_order:
        return
    ids = list(by_order)

    def shifted(rows) -> dict[int, datetime]:
        """{pk: moment} from rows of (pk, order id, real time)."""
        return {pk: by_order[order_id].shift(real) for pk, order_id, real in rows if real}

    renames: dict[str, str] = {}
    with transaction.atomic():
        columns = ("created_at", "updated_at", "confirmed_at", "picking_started_at")
        orders = list(Order.objects.filter(pk__in=ids).values_list("pk", "number", *columns))
        for index, column in enumerate(columns, start=2):
            backdate(Order, column, shifted((row[0], row[0], row[index]) for row in orders))
        for pk, number, created, *_ in orders:
            renames[number] = with_year(number, by_order[pk].shift(created))
        backdate(
            OrderEvent,
            "created_at",
            shifted(
                OrderEvent.objects.filter(order_id__in=ids).values_list("pk", "order", "created_at")
            ),
        )
        for column in ("created_at", "decided_at"):
            rows = Approval.objects.filter(order_id__in=ids).values_list("pk", "order", column)
            backdate(Approval, column, shifted(rows))
        rows = Allocation.objects.filter(line__order_id__in=ids).values_list(
            "pk", "line__order", "created_at"
        )
        backdate(Allocation, "created_at", shifted(rows))

        # Work orders of made-to-order lines, their audit rows, and their numbers' years.
        line_orders = dict(
            OrderLine.objects.filter(order_id__in=ids, made_to_order=True).values_list(
                "pk", "order_id"
            )
        )
        work_orders = list(
            WorkOrder.objects.filter(order_line_id__in=line_orders).values_list(
                "pk", "order_line_id", "created_at", "done_at", "number"
            )
        )
        wo_order = {pk: line_orders[line] for pk, line, *_ in work_orders}
        for index, column in ((2, "created_at"), (3, "done_at")):
            rows = [(row[0], wo_order[row[0]], row[index]) for row in work_orders]
            backdate(WorkOrder, column, shifted(rows))
        wo_renames = {}
        for pk, _line, created, _done, number in work_orders:
            wo_renames[number] = with_year(number, by_order[wo_order[pk]].shift(created))
        audit = AuditLog.objects.filter(
            object_type="inventory.workorder", object_id__in=[str(pk) for pk in wo_order]
        ).values_list("pk", "object_id", "created_at")
        backdate(
            AuditLog,
            "created_at",
            shifted((pk, wo_order[int(obj)], real) for pk, obj, real in audit),
        )
        renames.update(wo_renames)
        renames = {old: new for old, new in renames.items() if old != new}
        _rename(Order, "number", renames)
        _rename(WorkOrder, "number", renames)
        _rename(WorkOrder, "reference", renames)
        _rename(AuditLog, "object_repr", {k: v for k, v in renames.items() if k in wo_renames})
        # Events quote their work orders' numbers in the note, the message and the details.
        wo_events = [
            (wo_order[pk], number, renames[number])
            for pk, *_, number in work_orders
            if number in renames
        ]
        if wo_events:
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE orders_orderevent AS e SET note = replace(e.note, v.old, v.new), "
                    "message = replace(e.message::text, v.old, v.new)::jsonb, "
                    "data = replace(e.data::text, v.old, v.new)::jsonb "
                    "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(order_id, old, new) "
                    "WHERE e.order_id = v.order_id",
                    [list(column) for column in zip(*wo_events, strict=True)],
                )

    owner = {pk: story for story in by_order.values() for pk in story.movements}
    rows = StockMovement.objects.filter(pk__in=owner).values_list("pk", "created_at")
    ledger_backdate({pk: owner[pk].shift(real) for pk, real in rows}, renames)


def with_year(number: str, moment: datetime) -> str:
    """SO-2026-000123 becomes SO-2025-000123 for a moment in 2025 (numbers carry the year)."""
    prefix, year, rest = number.split("-", 2)
    if not year.isdigit():
        return number
    return f"{prefix}-{timezone.localtime(moment).year}-{rest}"


def _rename(model, column: str, renames: dict[str, str]) -> None:
    if not renames:
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS t SET {column} = v.new "
            f"FROM unnest(%s::text[], %s::text[]) AS v(old, new) WHERE t.{column} = v.old",
            [list(renames), list(renames.values())],
        )


def seed_orders(context: SeedContext) -> None:
    done = set(
        Order.objects.filter(external_reference__startswith="DEMO-").values_list(
            "external_reference", flat=True
        )
    )
    missing = [n for n in range(1, context.orders + 1) if f"DEMO-{n:05d}" not in done]
    if not missing:
        return
    desk = OrderDesk(context)
    moments = {n: context.moment(context.spread(n)) for n in missing}
    # Oldest first, as the orders came in: older orders take the stock first.
    queue = sorted(missing, key=moments.__getitem__)
    show = dict(zip(reversed(queue), SHOWCASE, strict=False))
    pending = iter(queue)
    lock = threading.Lock()

    def work() -> None:
        stories: list[Story] = []
        try:
            while True:
                with lock:
                    n = next(pending, None)
                if n is None:
                    break
                stories.append(desk.live(n, moments[n], show.get(n)))
                if len(stories) >= FLUSH_EVERY:
                    move_into_the_past(stories)
                    stories = []
            move_into_the_past(stories)
        finally:
            connection.close()

    # Three writers at once, as a busy order desk would; stock rows are locked in key order.
    threads = 3
    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(work) for _ in range(threads)]:
            future.result()


def seed_orders_demo(context: SeedContext) -> None:
    seed_pricing(list(Product.objects.select_related("category").order_by("sku")))
    seed_orders(context)
    context.say(f"{Order.objects.count()} orders")
