"""Stock arriving and finished work orders are given to waiting orders by a real Celery
worker process, after the inventory transaction has committed."""

import pytest

from inventory.models import StockLevel, WorkOrder
from inventory.work_orders import work_order_advance
from orders.choices import OrderStatus
from orders.models import Order
from orders.selectors import reservation_drift
from orders.services import order_submit
from tests.oms.test_outbox_worker import celery_worker_process, wait_for  # noqa: F401 - fixture
from tests.orders.conftest import Catalog


@pytest.mark.django_db(transaction=True)
def test_receipt_allocates_backorders_in_the_worker(celery_worker_process):  # noqa: F811
    catalog = Catalog()
    product = catalog.product()
    order = catalog.order(catalog.customer(), (product, 3))
    order_submit(actor=None, order=order)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.BACKORDERED

    catalog.stock(product, catalog.shanghai, 5)  # commits; on commit the task goes to the broker

    assert wait_for(lambda: Order.objects.get(pk=order.pk).status == OrderStatus.ALLOCATED)
    order.refresh_from_db()
    assert order.lines.get().allocations.get().quantity == 3


@pytest.mark.django_db(transaction=True)
def test_finished_work_order_is_allocated_in_the_worker(celery_worker_process, tmp_path):  # noqa: F811
    catalog = Catalog()
    lamp = catalog.product(made_to_order=True)
    order = catalog.order(catalog.customer(region="SH"), (lamp, 2))
    order_submit(actor=None, order=order)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.IN_PRODUCTION
    work_order = WorkOrder.objects.get()
    for _stage in range(3):
        work_order = work_order_advance(actor=None, work_order=work_order)  # each commits

    assert wait_for(lambda: Order.objects.get(pk=order.pk).status == OrderStatus.ALLOCATED), (
        tmp_path / "worker.log"
    ).read_text()[-3000:]
    assert StockLevel.objects.get(product=lamp, warehouse=catalog.shanghai).reserved == 2
    assert list(reservation_drift()) == []
