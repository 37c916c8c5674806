"""Two managers post the same stocktake at once: one posts, the other is refused, and each
counted line has exactly one ledger adjustment. Real threads, each with its own connection."""

import pytest

from inventory import services, stocktake
from inventory.models import StockCount, StockMovement
from inventory.services import stock_ledger_check
from oms.errors import ServiceError
from tests.concurrency.test_order_concurrency import race
from tests.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_concurrent_posts_one_wins():
    warehouse = WarehouseFactory(code="RACE")
    products = [ProductFactory(sku=f"RC-{n}") for n in range(5)]
    for product in products:
        services.stock_receive(actor=None, product=product, warehouse=warehouse, quantity=10)
    count = stocktake.stocktake_open(actor=None, warehouse=warehouse)
    stocktake.stocktake_record_counts(
        actor=None,
        count=count,
        counts={line.pk: 10 + (n % 3) - 1 for n, line in enumerate(count.lines.order_by("pk"))},
    )
    varied = count.lines.exclude(counted=10).count()
    posted = []

    def post(_job):
        stocktake.stocktake_post(actor=None, count=StockCount.objects.get(pk=count.pk))
        posted.append(True)

    errors = race(post, [1, 2], threads=2)
    assert len(posted) == 1
    assert len(errors) == 1
    assert isinstance(errors[0], ServiceError)
    assert StockMovement.objects.filter(reference=count.number).count() == varied
    assert count.lines.filter(movement__isnull=False).count() == varied
    assert stock_ledger_check() == []


def test_a_post_racing_a_dispatch_keeps_both():
    """A receipt committed while the post waits for the stock row lock is kept."""
    warehouse = WarehouseFactory(code="RACE2")
    product = ProductFactory(sku="RC-X")
    services.stock_receive(actor=None, product=product, warehouse=warehouse, quantity=10)
    count = stocktake.stocktake_open(actor=None, warehouse=warehouse)
    stocktake.stocktake_record_counts(actor=None, count=count, counts={count.lines.get().pk: 7})

    def work(job):
        if job == "post":
            stocktake.stocktake_post(actor=None, count=StockCount.objects.get(pk=count.pk))
        else:
            services.stock_receive(actor=None, product=product, warehouse=warehouse, quantity=5)

    assert race(work, ["post", "receive"], threads=2) == []
    level = product.stock_levels.get()
    assert level.on_hand == 7 + 5
    assert stock_ledger_check() == []
