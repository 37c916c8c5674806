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

pricing.py: price lists, promotions, shipping fees and approval rules; desk.py: the stories;
history.py: moving what they wrote into the past.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connection

from inventory.models import Product
from oms.demo import SeedContext
from orders.models import Order
from orders.seeders.desk import SHOWCASE, OrderDesk, Story
from orders.seeders.history import move_into_the_past
from orders.seeders.pricing import seed_pricing

FLUSH_EVERY = 25  # stories per bulk rewrite and thread


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
