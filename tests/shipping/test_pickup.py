"""Store pickup: choosing a pickup point for an order, the parcel ready for pickup with a code
sent to the customer, the handover at the desk (delivered, stock issued, order delivered),
and a code that works once."""

import pytest
from django.core.exceptions import ValidationError

from inventory.models import StockLevel, StockMovement
from inventory.selectors import ledger_drift
from oms.models import OutboxMessage
from orders.models import Order, OrderEvent
from orders.selectors import reservation_drift
from shipping import carrier_services, hooks, pickup, services, slots
from shipping.choices import ShipmentStatus
from shipping.models import PickupCode, Shipment, SlotBooking
from shipping.permissions import ShipmentAction, ShipmentError, shipment_allowed_actions
from tests.factories import UserFactory
from tests.shipping.delivery import (
    MORNING,
    pickup_point,
    sent_pickup_code,
    week_pattern,
    working_day_ahead,
)

S = ShipmentStatus


@pytest.fixture
def setup(shipping):
    product = shipping.product()
    shipping.stock(product, shipping.shanghai, 20)
    shipping.point = pickup_point(shipping.shanghai)
    shipping.item = product
    shipping.desk = UserFactory(role="warehouse")
    return shipping


def ready_order(setup, quantity=2):
    order = setup.allocated_order((setup.item, quantity))
    pickup.order_pickup_set(actor=UserFactory(role="sales"), order=order, point=setup.point)
    [shipment] = setup.packed(order)
    return order, Shipment.objects.get(pk=shipment.pk)


def test_packed_pickup_parcel_waits_with_a_code_sent(setup):
    order, shipment = ready_order(setup)
    assert shipment.status == S.READY_FOR_PICKUP
    assert shipment.pickup_point == setup.point
    message = OutboxMessage.objects.get(event_code="shipment.ready_for_pickup")
    code = sent_pickup_code(shipment)
    assert setup.point.name in message.body
    # Only the digest is kept.
    row = PickupCode.objects.get(shipment=shipment)
    assert code not in row.digest
    assert len(row.digest) == 64
    # No carrier, no dispatch for a parcel the customer collects.
    allowed = shipment_allowed_actions(shipment, UserFactory(role="admin"))
    assert ShipmentAction.DISPATCH not in allowed
    assert ShipmentAction.DELIVERED not in allowed
    with pytest.raises(ShipmentError):
        carrier_services.shipment_choose_carrier(actor=None, shipment=shipment)
    assert OrderEvent.objects.filter(order=order, message__code="pickup_chosen").exists()


def test_the_code_hands_the_parcel_over_once(setup):
    order, shipment = ready_order(setup, quantity=3)
    code = sent_pickup_code(shipment)
    level = StockLevel.objects.get(product=setup.item, warehouse=setup.shanghai)
    before = (level.on_hand, level.reserved)

    done = pickup.pickup_hand_over(actor=setup.desk, point=setup.point, code=code)

    shipment = Shipment.objects.get(pk=shipment.pk)
    assert done.shipment.pk == shipment.pk
    assert shipment.status == S.DELIVERED
    assert Order.objects.get(pk=order.pk).status == "delivered"
    level.refresh_from_db()
    assert (level.on_hand, level.reserved) == (before[0] - 3, before[1] - 3)
    assert StockMovement.objects.filter(kind="issue", reference=shipment.number).count() == 1
    assert list(reservation_drift()) == []
    assert list(ledger_drift()) == []
    assert PickupCode.objects.get(shipment=shipment).used_by == setup.desk
    # Works once.
    with pytest.raises(ValidationError):
        pickup.pickup_hand_over(actor=setup.desk, point=setup.point, code=code)
    assert StockMovement.objects.filter(kind="issue", reference=shipment.number).count() == 1


def test_a_wrong_code_changes_nothing(setup):
    _order, shipment = ready_order(setup)
    code = sent_pickup_code(shipment)
    wrong = f"{(int(code) + 1) % 10**8:08d}"
    for typed in (wrong, "12", "abcdefgh", "", "\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18"):
        with pytest.raises(ValidationError, match="No parcel waits"):
            pickup.pickup_hand_over(actor=setup.desk, point=setup.point, code=typed)
    assert Shipment.objects.get(pk=shipment.pk).status == S.READY_FOR_PICKUP
    # The right code at another point's desk opens nothing either.
    other = pickup_point(setup.shanghai, name="Warehouse counter")
    with pytest.raises(ValidationError):
        pickup.pickup_hand_over(actor=setup.desk, point=other, code=code)
    # Spaces and dashes from a scanner or a careful typist are fine.
    spaced = f"{code[:4]} {code[4:]}"
    assert pickup.pickup_hand_over(actor=setup.desk, point=setup.point, code=spaced)


def test_a_new_code_replaces_the_old_and_voiding_revokes_it(setup):
    order, shipment = ready_order(setup)
    old = sent_pickup_code(shipment)
    pickup.pickup_code_resend(actor=setup.desk, shipment=shipment)
    new = sent_pickup_code(shipment)
    assert new != old or PickupCode.objects.filter(shipment=shipment).count() == 2
    with pytest.raises(ValidationError):
        pickup.pickup_hand_over(actor=setup.desk, point=setup.point, code=old)
    from orders import services as order_services

    order_services.order_cancel(actor=None, order=order, reason="not collected")
    assert Shipment.objects.get(pk=shipment.pk).status == S.CANCELLED
    with pytest.raises(ValidationError):
        pickup.pickup_hand_over(actor=setup.desk, point=setup.point, code=new)


def test_dispatch_guards_also_guard_the_handover(setup):
    _order, shipment = ready_order(setup)
    code = sent_pickup_code(shipment)
    hooks.dispatch_guards.append(lambda s: "Prepaid order not paid yet.")
    try:
        with pytest.raises(ShipmentError, match="not paid"):
            pickup.pickup_hand_over(actor=setup.desk, point=setup.point, code=code)
    finally:
        hooks.dispatch_guards.pop()
    assert Shipment.objects.get(pk=shipment.pk).status == S.READY_FOR_PICKUP
    assert PickupCode.objects.get(shipment=shipment).used_at is None


def test_choosing_pickup_frees_the_slot_and_skips_the_carrier(setup):
    week_pattern(setup.shanghai)
    order = setup.allocated_order((setup.item, 1))
    day = working_day_ahead()
    slots.slot_book(actor=None, order=order, warehouse=setup.shanghai, day=day, starts=MORNING)
    pickup.order_pickup_set(actor=None, order=order, point=setup.point)
    assert not SlotBooking.objects.filter(order=order).exists()
    with pytest.raises(ShipmentError, match="pickup point"):
        slots.slot_book(actor=None, order=order, warehouse=setup.shanghai, day=day, starts=MORNING)
    # Back to carrier delivery before packing: the shipments follow.
    [shipment] = setup.picked(order)
    assert shipment.pickup_point == setup.point
    pickup.order_pickup_set(actor=None, order=order, point=None)
    assert Shipment.objects.get(pk=shipment.pk).pickup_point is None
    # Once packed, the way cannot change.
    pickup.order_pickup_set(actor=None, order=order, point=setup.point)
    services.shipment_pack(actor=None, shipment=shipment)
    with pytest.raises(ShipmentError, match="already packed"):
        pickup.order_pickup_set(actor=None, order=order, point=None)


def test_the_desk_page_is_keyboard_first(setup, client_for):
    _order, shipment = ready_order(setup)
    code = sent_pickup_code(shipment)
    client = client_for("warehouse")
    page = client.get("/pickup-desk/", {"point": setup.point.pk}).content.decode()
    assert 'name="code"' in page
    assert "autofocus" in page
    assert shipment.number in page
    wrong = client.post("/pickup-desk/", {"point": setup.point.pk, "code": "00000000"})
    assert wrong.status_code == 422
    assert "No parcel waits" in wrong.content.decode()
    done = client.post("/pickup-desk/", {"point": setup.point.pk, "code": code}, follow=True)
    html = done.content.decode()
    assert f"Hand over {shipment.number}" in html
    assert setup.item.sku in html
    assert Shipment.objects.get(pk=shipment.pk).status == S.DELIVERED
