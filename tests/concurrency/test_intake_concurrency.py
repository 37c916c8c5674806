"""The same external reference delivered by several requests at once: one order, and every
request answered with it (no IntegrityError), each thread with its own connection."""

import threading

import pytest
from django.core.exceptions import ValidationError

from inventory.models import StockLevel
from orders import services
from orders.models import Order
from orders.selectors import reservation_drift
from orders.services import LineRequest
from orders.services import draft as draft_services
from tests.concurrency.test_order_concurrency import race
from tests.orders.conftest import Catalog

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 8


@pytest.fixture
def all_look_first(monkeypatch):
    """Every request looks the reference up before any of them inserts: the window in which
    the unique constraint, not the lookup, has to decide."""
    barrier = threading.Barrier(THREADS, timeout=30)
    real = draft_services.order_with_reference
    first_lookup = threading.local()

    def lookup(*args, **kwargs):
        found = real(*args, **kwargs)
        if not getattr(first_lookup, "done", False):
            first_lookup.done = True
            barrier.wait()
        return found

    monkeypatch.setattr(draft_services, "order_with_reference", lookup)


def test_concurrent_channel_deliveries_of_one_order_all_get_it(all_look_first):
    catalog = Catalog()
    product, customer = catalog.product(), catalog.customer()
    catalog.stock(product, catalog.shanghai, 100)
    answers = []

    def deliver(_n):
        order = services.order_place(
            actor=None,
            customer=customer,
            lines=[LineRequest(product, 1)],
            channel="web_shop",
            external_reference="T-777",
        )
        answers.append(order.pk)

    assert race(deliver, list(range(THREADS)), threads=THREADS) == []
    assert Order.objects.count() == 1
    assert set(answers) == {Order.objects.get().pk}
    assert len(answers) == THREADS
    # The requests that lost the race rolled back whole: one order's unit is reserved.
    assert StockLevel.objects.get(product=product).reserved == 1
    assert list(reservation_drift()) == []


def test_concurrent_back_office_entries_name_the_first_order(all_look_first):
    catalog = Catalog()
    product, customer = catalog.product(), catalog.customer()

    def enter(_n):
        services.order_create(
            actor=None,
            customer=customer,
            lines=[LineRequest(product, 1)],
            external_reference="PO-RACE",
        )

    errors = race(enter, list(range(THREADS)), threads=THREADS)
    order = Order.objects.get()
    assert len(errors) == THREADS - 1
    for error in errors:
        assert isinstance(error, ValidationError)
        assert order.number in error.message_dict["external_reference"][0]
