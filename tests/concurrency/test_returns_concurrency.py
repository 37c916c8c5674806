"""A returned parcel booked in twice at the same moment (two scanners, a double click), each
in its own thread and connection: one ledger row per line, one receipt, books exact."""

import pytest

from inventory.models import StockLevel, StockMovement
from inventory.selectors import ledger_drift
from orders.selectors import reservation_drift
from shipping import returns, services
from shipping.models import ReturnReceipt
from shipping.permissions import ShipmentAction
from tests.concurrency.harness import race
from tests.shipping.conftest import Shipping

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 4


def test_booking_a_returned_parcel_in_twice_at_once_books_it_once():
    shipping = Shipping()
    lamp, shade = shipping.product(), shipping.product()
    shipping.stock(lamp, shipping.shanghai, ROUNDS)
    shipping.stock(shade, shipping.shanghai, 2 * ROUNDS)
    for round_no in range(ROUNDS):
        order = shipping.allocated_order((lamp, 1), (shade, 2))
        [shipment] = shipping.packed(order)
        services.shipment_dispatch(
            actor=None, shipment=shipment, details=shipping.details(f"RET-{round_no}")
        )
        services.shipment_record_progress(
            actor=None, shipment=shipment, action=ShipmentAction.RETURNED
        )
        first, second = race(
            lambda s=shipment: returns.shipment_receive_return(actor=None, shipment=s),
            lambda s=shipment: returns.shipment_receive_return(actor=None, shipment=s),
        )
        assert not isinstance(first, Exception), first
        assert not isinstance(second, Exception), second
        # Both answer with the same receipt; exactly one of them booked it.
        assert first[0].pk == second[0].pk
        assert sorted([first[1], second[1]]) == [False, True]
        moves = StockMovement.objects.filter(kind="return", reference=shipment.number)
        assert sorted(moves.values_list("quantity", flat=True)) == [1, 2]
        assert ReturnReceipt.objects.filter(shipment=shipment).count() == 1
        assert shipment.events.filter(kind="received").count() == 1
        assert list(reservation_drift()) == []
        assert list(ledger_drift()) == []
    # Every parcel came back: the stock is whole again.
    assert StockLevel.objects.get(product=lamp).on_hand == ROUNDS
    assert StockLevel.objects.get(product=shade).on_hand == 2 * ROUNDS
