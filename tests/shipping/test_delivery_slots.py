"""Delivery slots: the week pattern and the calendar, booking, full slots, moving and freeing
a booking, planning days and capacity, the timeline, and the dispatch plan."""

import subprocess
from datetime import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from oms.models import AuditLog
from orders import services as order_services
from orders.models import OrderEvent
from shipping import slots
from shipping.models import DeliverySlot, SlotBooking
from shipping.permissions import ShipmentError
from tests.factories import UserFactory
from tests.shipping.delivery import (
    AFTERNOON,
    AFTERNOON_LABEL,
    MORNING,
    MORNING_LABEL,
    day_off_ahead,
    week_pattern,
    working_day_ahead,
)


@pytest.fixture
def setup(shipping):
    week_pattern(shipping.shanghai, capacity=2)
    product = shipping.product()
    shipping.stock(product, shipping.shanghai, 50)

    def order():
        return shipping.allocated_order((product, 1))

    shipping.new_order = order
    return shipping


def booked(slot_day, starts, warehouse):
    return DeliverySlot.objects.get(warehouse=warehouse, date=slot_day, starts=starts).booked


def test_working_days_have_the_pattern_days_off_have_none(setup):
    warehouse = setup.shanghai
    work, off = working_day_ahead(), day_off_ahead()
    assert [o.label for o in slots.day_slots(warehouse.pk, work)] == [
        MORNING_LABEL,
        AFTERNOON_LABEL,
    ]
    assert slots.day_slots(warehouse.pk, off) == []
    # Opened by staff, the day off offers its weekday's pattern; closed, a working day none.
    slots.delivery_day_set(actor=None, warehouse=warehouse, day=off, closed=False)
    assert len(slots.day_slots(warehouse.pk, off)) == 2
    slots.delivery_day_set(actor=None, warehouse=warehouse, day=work, closed=True)
    assert slots.day_slots(warehouse.pk, work) == []


def test_booking_takes_a_place_and_is_on_the_timeline(setup):
    order, day = setup.new_order(), working_day_ahead()
    clerk = UserFactory(role="sales")
    booking = slots.slot_book(
        actor=clerk, order=order, warehouse=setup.shanghai, day=day, starts=MORNING
    )
    assert (booking.slot.date, booking.slot.starts, booking.booked_by) == (day, MORNING, clerk)
    assert booked(day, MORNING, setup.shanghai) == 1
    event = OrderEvent.objects.filter(order=order, kind="delivery").get()
    assert event.message["code"] == "slot_booked"
    assert event.actor == clerk
    assert AuditLog.objects.filter(action="slot.book").count() == 1
    # The same slot again changes nothing.
    slots.slot_book(actor=clerk, order=order, warehouse=setup.shanghai, day=day, starts=MORNING)
    assert booked(day, MORNING, setup.shanghai) == 1


def test_a_full_slot_is_refused_with_a_message(setup):
    day = working_day_ahead()
    for _n in range(2):
        slots.slot_book(
            actor=None, order=setup.new_order(), warehouse=setup.shanghai, day=day, starts=MORNING
        )
    late = setup.new_order()
    with pytest.raises(ShipmentError, match=r"is full \(2 of 2 booked\)"):
        slots.slot_book(actor=None, order=late, warehouse=setup.shanghai, day=day, starts=MORNING)
    assert not SlotBooking.objects.filter(order=late).exists()
    assert booked(day, MORNING, setup.shanghai) == 2
    offers = {o.starts: o for o in slots.day_slots(setup.shanghai.pk, day)}
    assert offers[MORNING].full
    assert offers[AFTERNOON].free == 2


def test_changing_the_slot_frees_the_old_place(setup):
    order, day = setup.new_order(), working_day_ahead()
    slots.slot_book(actor=None, order=order, warehouse=setup.shanghai, day=day, starts=MORNING)
    slots.slot_book(actor=None, order=order, warehouse=setup.shanghai, day=day, starts=AFTERNOON)
    assert booked(day, MORNING, setup.shanghai) == 0
    assert booked(day, AFTERNOON, setup.shanghai) == 1
    assert SlotBooking.objects.get(order=order).slot.starts == AFTERNOON
    codes = list(
        OrderEvent.objects.filter(order=order, kind="delivery")
        .order_by("id")
        .values_list("message__code", flat=True)
    )
    assert codes == ["slot_booked", "slot_moved"]


def test_releasing_and_cancelling_free_the_place(setup):
    day = working_day_ahead()
    first, second = setup.new_order(), setup.new_order()
    for order in (first, second):
        slots.slot_book(actor=None, order=order, warehouse=setup.shanghai, day=day, starts=MORNING)
    assert slots.slot_release(actor=None, order=first, warehouse=setup.shanghai)
    order_services.order_cancel(actor=None, order=second, reason="customer changed their mind")
    assert booked(day, MORNING, setup.shanghai) == 0
    assert not SlotBooking.objects.exists()


def test_unknown_past_and_far_slots_are_refused(setup):
    order, day = setup.new_order(), working_day_ahead()
    with pytest.raises(ValidationError):
        slots.slot_book(
            actor=None, order=order, warehouse=setup.shanghai, day=day, starts=time(7, 30)
        )
    with pytest.raises(ValidationError):
        slots.slot_book(
            actor=None, order=order, warehouse=setup.shanghai, day=day_off_ahead(), starts=MORNING
        )
    with pytest.raises(ValidationError):
        slots.slot_book(
            actor=None,
            order=order,
            warehouse=setup.shanghai,
            day=day.replace(year=day.year + 1),
            starts=MORNING,
        )
    # Nothing to send from Guangzhou: no slot there.
    week_pattern(setup.guangzhou)
    with pytest.raises(ShipmentError, match="nothing left to send"):
        slots.slot_book(actor=None, order=order, warehouse=setup.guangzhou, day=day, starts=MORNING)
    assert not SlotBooking.objects.exists()


def test_a_role_without_the_right_cannot_book(setup):
    with pytest.raises(PermissionDenied):
        slots.slot_book(
            actor=UserFactory(role="finance"),
            order=setup.new_order(),
            warehouse=setup.shanghai,
            day=working_day_ahead(),
            starts=MORNING,
        )


def test_the_customer_may_book_without_a_user(setup):
    order = setup.new_order()
    booking = slots.slot_book(
        actor=None,
        order=order,
        warehouse=setup.shanghai,
        day=working_day_ahead(),
        starts=MORNING,
        by_customer=True,
    )
    assert booking.by_customer
    assert booking.booked_by is None


def test_capacity_never_below_what_is_booked_and_a_booked_day_stays_open(setup):
    day = working_day_ahead()
    slots.slot_book(
        actor=None, order=setup.new_order(), warehouse=setup.shanghai, day=day, starts=MORNING
    )
    with pytest.raises(ValidationError):
        slots.delivery_slot_capacity_set(
            actor=None, warehouse=setup.shanghai, day=day, starts=MORNING, capacity=0
        )
    with pytest.raises(ShipmentError, match="move them"):
        slots.delivery_day_set(actor=None, warehouse=setup.shanghai, day=day, closed=True)
    slot = slots.delivery_slot_capacity_set(
        actor=None, warehouse=setup.shanghai, day=day, starts=MORNING, capacity=1
    )
    assert (slot.capacity, slot.booked) == (1, 1)


def test_a_pattern_change_reaches_days_without_bookings_only(setup):
    booked_day, free_day = working_day_ahead(2), working_day_ahead(3)
    order = setup.new_order()
    slots.slot_book(actor=None, order=order, warehouse=setup.shanghai, day=free_day, starts=MORNING)
    slots.slot_release(actor=None, order=order, warehouse=setup.shanghai)
    slots.slot_book(
        actor=None, order=order, warehouse=setup.shanghai, day=booked_day, starts=MORNING
    )
    for pattern in slots.SlotPattern.objects.filter(starts=MORNING):
        slots.slot_pattern_save(actor=None, pattern=pattern, data={"capacity": 9})
    capacities = {
        d: {o.starts: o.capacity for o in slots.day_slots(setup.shanghai.pk, d)}
        for d in (booked_day, free_day)
    }
    assert capacities[booked_day][MORNING] == 2  # written down with its booking
    assert capacities[free_day][MORNING] == 9


def test_the_shipment_shows_its_slot_and_the_lists_filter_by_it(setup, client_for):
    day = working_day_ahead()
    booked_order, other = setup.new_order(), setup.new_order()
    slots.slot_book(
        actor=None, order=booked_order, warehouse=setup.shanghai, day=day, starts=AFTERNOON
    )
    [shipment] = setup.picked(booked_order)
    [unbooked] = setup.picked(other)
    client = client_for("warehouse")
    page = client.get(shipment.get_absolute_url()).content.decode()
    assert AFTERNOON_LABEL in page
    listed = client.get(
        "/shipments/", {"slot_date": day.isoformat(), "slot": "14:00"}
    ).content.decode()
    assert shipment.number in listed
    assert unbooked.number not in listed
    wave = client.get(
        "/shipments/wave/",
        {"warehouse": setup.shanghai.pk, "slot_date": day.isoformat(), "limit": 50},
    ).content.decode()
    assert shipment.number in wave
    assert unbooked.number not in wave


def test_dispatch_plan_lists_each_slot_with_its_shipments(setup, client_for):
    day = working_day_ahead()
    picked_order, waiting_order = setup.new_order(), setup.new_order()
    for order, starts in ((picked_order, MORNING), (waiting_order, MORNING)):
        slots.slot_book(actor=None, order=order, warehouse=setup.shanghai, day=day, starts=starts)
    [shipment] = setup.picked(picked_order)
    client = client_for("logistics")
    query = {"warehouse": setup.shanghai.pk, "date": day.isoformat()}
    page = client.get("/delivery-slots/plan/", query).content.decode()
    morning = page[
        page.index(f'data-slot="{MORNING_LABEL}"') : page.index(f'data-slot="{AFTERNOON_LABEL}"')
    ]
    assert "2 of 2 booked" in morning
    assert shipment.number in morning
    assert waiting_order.number in morning
    printed = client.get("/delivery-slots/plan/print/", query)
    assert printed.status_code == 200
    assert shipment.number in printed.content.decode()
    pdf = client.get("/delivery-slots/plan/print/", {**query, "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    assert shipment.number in text
    assert waiting_order.number in text


def test_booking_through_the_order_pages(setup, client_for):
    order, day = setup.new_order(), working_day_ahead()
    client = client_for("sales")
    detail = client.get(order.get_absolute_url()).content.decode()
    assert f"/delivery/orders/{order.number}/slot/" in detail
    page = client.get(f"/delivery/orders/{order.number}/slot/").content.decode()
    key = f"{day.isoformat()}T09:00"
    assert f'value="{key}"' in page
    response = client.post(
        f"/delivery/orders/{order.number}/slot/book/",
        {"warehouse": setup.shanghai.pk, "slot": key},
        follow=True,
    )
    assert "is booked for" in response.content.decode()
    assert SlotBooking.objects.get(order=order).slot.date == day
    # Garbage is refused with a message, nothing changes.
    response = client.post(
        f"/delivery/orders/{order.number}/slot/book/",
        {"warehouse": setup.shanghai.pk, "slot": "yesterday"},
        follow=True,
    )
    assert "Choose one of the slots offered." in response.content.decode()
    assert SlotBooking.objects.get(order=order).slot.starts == MORNING
