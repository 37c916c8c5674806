"""Stock arriving is offered to back-ordered orders by a real Celery worker process."""

import pytest

from orders.choices import OrderStatus
from orders.models import Order
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

    assert wait_for(lambda: Order.objects.get(pk=order.pk).status == OrderStatus.PICKING)
    order.refresh_from_db()
    assert order.lines.get().allocations.get().quantity == 3
