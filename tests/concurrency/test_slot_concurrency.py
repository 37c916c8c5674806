"""Two people book the last place of a delivery slot at the same moment, each in its own
thread and connection: exactly one gets it, the other is told the slot is full, and the slot
is never overbooked. Likewise two desks handing over one parcel with the same code."""

import pytest

from oms.errors import ServiceError
from shipping import pickup, slots
from shipping.models import DeliverySlot, SlotBooking
from tests.concurrency.harness import race
from tests.shipping.conftest import Shipping
from tests.shipping.delivery import (
    MORNING,
    pickup_point,
    sent_pickup_code,
    week_pattern,
    working_day_ahead,
)

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 4


def test_two_bookings_of_the_last_place_one_wins():
    shipping = Shipping()
    week_pattern(shipping.shanghai, capacity=1, starts=(MORNING,))
    product = shipping.product()
    shipping.stock(product, shipping.shanghai, 2 * ROUNDS)
    calendar_days = [working_day_ahead(n) for n in range(2, 2 + ROUNDS)]
    for day in calendar_days:
        # A fresh day each round: both threads also race to write the day down.
        first, second = (shipping.allocated_order((product, 1)) for _n in range(2))
        results = race(
            *(
                lambda order=order, day=day: slots.slot_book(
                    actor=None, order=order, warehouse=shipping.shanghai, day=day, starts=MORNING
                )
                for order in (first, second)
            )
        )
        errors = [r for r in results if isinstance(r, Exception)]
        assert len(errors) == 1, results
        [error] = errors
        assert isinstance(error, ServiceError), repr(error)
        assert "is full" in str(error)
        slot = DeliverySlot.objects.get(warehouse=shipping.shanghai, date=day, starts=MORNING)
        assert (slot.booked, slot.capacity) == (1, 1)
        assert SlotBooking.objects.filter(slot=slot).count() == 1


def test_one_code_at_two_desks_hands_over_once():
    shipping = Shipping()
    product = shipping.product()
    shipping.stock(product, shipping.shanghai, ROUNDS)
    point = pickup_point(shipping.shanghai)
    for _round in range(ROUNDS):
        order = shipping.allocated_order((product, 1))
        pickup.order_pickup_set(actor=None, order=order, point=point)
        [shipment] = shipping.packed(order)
        code = sent_pickup_code(shipment)
        results = race(
            *(lambda code=code: pickup.pickup_hand_over(actor=None, point=point, code=code),) * 2
        )
        assert sum(not isinstance(r, Exception) for r in results) == 1, results
