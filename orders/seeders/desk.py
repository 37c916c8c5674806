"""The order desk of the demo company: each demo order lives a story (created, submitted,
reviewed, allocated, held, picked or cancelled), each step only if its moment has come by now,
through the real services. A Story remembers when each step really ran and which moment it
stands for, so orders/seeders/history.py can move what it wrote into the past."""

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, Sum
from django.utils import timezone

from customers.models import Customer
from inventory.choices import WorkOrderStage
from inventory.models import Product, StockLevel, StockMovement, WorkOrder
from inventory.seeders import demo_unit_cost
from inventory.services import stock_receive
from inventory.work_orders import work_order_advance
from oms.demo import SeedContext
from oms.errors import ServiceError
from orders import selectors, services
from orders.allocation import allocated_by_line, warehouse_rank
from orders.choices import CANCELLABLE_STATUSES, ChannelCode, OrderStatus
from orders.models import Order

S = OrderStatus

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
        channel = rng.choices(list(ChannelCode.values), weights=[50, 30, 15, 5, 0])[0]
        if show in ("draft", "rejected"):
            channel = ChannelCode.BACK_OFFICE
        wanted = rng.choice([rng.randint(0, 20)] * 9 + [rng.randint(35, 60)])
        if show == "far_ahead":
            wanted = rng.randint(45, 60)
        elif show:
            wanted = min(wanted, 20)  # no other showcase order may wait for a far date
        requested = timezone.localdate(moment) + timedelta(days=wanted)
        if show == "far_ahead":
            # Counted from today, not from its entry: it must stay beyond the allocation
            # horizon whatever time of day the demo is seeded.
            requested = max(requested, timezone.localdate(self.now) + timedelta(days=wanted))
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
        if channel == ChannelCode.BACK_OFFICE:
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
                unit_cost=demo_unit_cost(line.product, f"po-{story.n}"),
            )
            story.movements.append(movement.pk)
        services.order_allocate_more(order_id=order.pk)
