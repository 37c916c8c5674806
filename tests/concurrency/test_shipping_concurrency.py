"""Dispatch and cancel of the same order at the same moment, each in its own thread and
connection: exactly one wins, the other gets a message, nothing is half-written."""

import pytest

from inventory.models import StockLevel, StockMovement
from inventory.selectors import ledger_drift
from oms.errors import ServiceError
from orders import services as order_services
from orders.models import Order
from orders.selectors import reservation_drift
from shipping import services
from shipping.models import Shipment
from tests.concurrency.harness import race
from tests.shipping.conftest import Shipping

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 6


def test_dispatch_against_cancel_one_wins():
    shipping = Shipping()
    product = shipping.product()
    shipping.stock(product, shipping.shanghai, ROUNDS)
    winners = {"dispatch": 0, "cancel": 0}
    for round_no in range(ROUNDS):
        order = shipping.allocated_order((product, 1))
        [shipment] = shipping.packed(order)
        dispatched, cancelled = race(
            lambda shipment=shipment, n=round_no: services.shipment_dispatch(
                actor=None, shipment=shipment, details=shipping.details(f"RACE-{n}")
            ),
            lambda order=order: order_services.order_cancel(actor=None, order=order, reason="race"),
        )
        errors = [r for r in (dispatched, cancelled) if isinstance(r, Exception)]
        assert len(errors) == 1, (dispatched, cancelled)
        # The loser is told why in words, as a message for the page, never a crash.
        [error] = errors
        assert isinstance(error, ServiceError), repr(error)
        assert str(error)
        order, shipment = Order.objects.get(pk=order.pk), Shipment.objects.get(pk=shipment.pk)
        issues = StockMovement.objects.filter(kind="issue", reference=shipment.number).count()
        if isinstance(cancelled, Exception):
            winners["dispatch"] += 1
            assert (order.status, shipment.status, issues) == ("shipped", "dispatched", 1)
        else:
            winners["cancel"] += 1
            assert (order.status, shipment.status, issues) == ("cancelled", "cancelled", 0)
        assert list(reservation_drift()) == []
        assert list(ledger_drift()) == []
    level = StockLevel.objects.get(product=product)
    assert level.reserved == 0
    assert level.on_hand == ROUNDS - winners["dispatch"]
    assert sum(winners.values()) == ROUNDS
