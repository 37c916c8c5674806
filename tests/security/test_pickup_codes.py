"""Pickup codes cannot be guessed in bulk: wrong codes are counted per person and per pickup
point, and past the limit the desk refuses every code (even the right one) for a while, with
a clear message and a 429 on the page. Codes are random, 8 digits, and only their keyed
digest is stored."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from shipping import pickup
from shipping.choices import ShipmentStatus
from shipping.models import PickupAttempt, PickupCode, Shipment
from shipping.pickup_codes import code_digest
from tests.factories import UserFactory
from tests.shipping.conftest import Shipping
from tests.shipping.delivery import pickup_point, sent_pickup_code


@pytest.fixture
def waiting(db):
    shipping = Shipping()
    product = shipping.product()
    shipping.stock(product, shipping.shanghai, 10)
    point = pickup_point(shipping.shanghai)
    order = shipping.allocated_order((product, 1))
    pickup.order_pickup_set(actor=None, order=order, point=point)
    [shipment] = shipping.packed(order)
    return point, shipment, sent_pickup_code(shipment)


def wrong_codes(code, n):
    return [f"{(int(code) + k) % 10**8:08d}" for k in range(1, n + 1)]


def test_too_many_wrong_codes_lock_the_person_out(waiting):
    point, shipment, code = waiting
    desk = UserFactory(role="warehouse")
    for wrong in wrong_codes(code, pickup.MAX_WRONG_PER_USER):
        with pytest.raises(ValidationError):
            pickup.pickup_hand_over(actor=desk, point=point, code=wrong)
    with pytest.raises(pickup.PickupThrottled, match="Too many wrong codes"):
        pickup.pickup_hand_over(actor=desk, point=point, code=code)
    assert Shipment.objects.get(pk=shipment.pk).status == ShipmentStatus.READY_FOR_PICKUP
    # Once the window has passed, the right code works again.
    PickupAttempt.objects.update(at=PickupAttempt.objects.first().at - timedelta(minutes=16))
    assert pickup.pickup_hand_over(actor=desk, point=point, code=code)


def test_a_point_locks_after_many_wrong_codes_from_anyone(waiting):
    point, _shipment, code = waiting
    guessers = [UserFactory(role="warehouse") for _n in range(4)]
    tries = wrong_codes(code, pickup.MAX_WRONG_PER_POINT)
    for index, wrong in enumerate(tries):
        with pytest.raises(ValidationError):
            pickup.pickup_hand_over(actor=guessers[index % 4], point=point, code=wrong)
    with pytest.raises(pickup.PickupThrottled):
        pickup.pickup_hand_over(actor=UserFactory(role="warehouse"), point=point, code=code)


def test_the_desk_page_answers_429_when_locked(waiting, client_for):
    point, _shipment, code = waiting
    client = client_for("warehouse")
    for wrong in wrong_codes(code, pickup.MAX_WRONG_PER_USER):
        response = client.post("/pickup-desk/", {"point": point.pk, "code": wrong})
        assert response.status_code == 422
    locked = client.post("/pickup-desk/", {"point": point.pk, "code": code})
    assert locked.status_code == 429
    assert "Too many wrong codes" in locked.content.decode()


def test_codes_are_random_and_stored_only_as_digests(waiting):
    _point, shipment, code = waiting
    assert len(code) == 8
    assert code.isdigit()
    row = PickupCode.objects.get(shipment=shipment)
    assert row.digest == code_digest(code)
    assert code not in row.digest
    codes = set()
    for _n in range(20):
        pickup.pickup_code_resend(actor=None, shipment=shipment)
        codes.add(sent_pickup_code(shipment))
    assert len(codes) >= 19  # 8 random digits: repeats are vanishingly rare
    assert (
        PickupCode.objects.filter(
            shipment=shipment, used_at__isnull=True, revoked_at__isnull=True
        ).count()
        == 1
    )
