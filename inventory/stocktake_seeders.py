"""Demo stocktakes: one posted a few days ago with variances in the ledger, one open with
most of its counts entered (and a few lines still to count)."""

from datetime import timedelta

from django.db.models import Count

from inventory.models import StockCount, StockMovement, Warehouse
from inventory.seeders import ledger_backdate
from inventory.stocktake import stocktake_open, stocktake_post, stocktake_record_counts
from oms.demo import backdate


def _counts(count: StockCount, rng, *, share: float) -> dict[int, int | None]:
    """Most lines as expected, some a few units off (more often short than over)."""
    counts: dict[int, int | None] = {}
    for line in count.lines.select_related("stock_level").order_by("pk"):
        if rng.random() > share:
            continue
        off = 0
        if rng.random() < 0.2:
            off = rng.choice([-3, -2, -1, -1, -1, 1, 2])
        # Never below what orders hold: posting such a count is refused (as it should be).
        counts[line.pk] = max(line.expected + off, line.stock_level.reserved)
    return counts


def seed_stocktakes(context) -> None:
    if StockCount.objects.exists():
        return
    warehouses = list(
        Warehouse.objects.filter(is_active=True)
        .annotate(stocked=Count("stock_levels"))
        .filter(stocked__gt=0)
        .order_by("code")[:2]
    )
    if len(warehouses) < 2:
        return
    rng = context.rng
    clerk, manager = context.users.get("warehouse"), context.users.get("manager")
    # Posted: the first warehouse's bins up to "B", counted and posted three days ago.
    posted = stocktake_open(
        actor=clerk,
        warehouse=warehouses[0],
        bin_to="B-99",
        note="月度循环盘点 / monthly cycle count",
    )
    stocktake_record_counts(actor=clerk, count=posted, counts=_counts(posted, rng, share=1.0))
    stocktake_post(actor=manager, count=posted)
    when = context.now - timedelta(days=3)
    backdate(StockCount, "snapshot_at", {posted.pk: when})
    backdate(StockCount, "posted_at", {posted.pk: when + timedelta(hours=5)})
    adjustments = StockMovement.objects.filter(reference=posted.number).values_list("pk", flat=True)
    ledger_backdate(dict.fromkeys(adjustments, when + timedelta(hours=5)))
    # Open: the whole second warehouse, counted for the most part.
    current = stocktake_open(actor=clerk, warehouse=warehouses[1], note="年终盘点 / year-end count")
    stocktake_record_counts(actor=clerk, count=current, counts=_counts(current, rng, share=0.85))
    context.say(f"stocktakes {posted.number} (posted) and {current.number} (open)")


def seed_forecasts(context) -> None:
    """The forecasts the nightly job would have made from the demo's sales history."""
    from inventory.replenishment import forecasts_refresh

    context.say(f"{forecasts_refresh(today=context.now.date())} demand forecasts")
