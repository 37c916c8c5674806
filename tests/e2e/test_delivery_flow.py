"""Delivery slots and store pickup in the browser: sales books an order's delivery slot (a
full slot is not offered), and the pickup desk hands a parcel over with the keyboard only
(wrong code refused in place, the right one delivers), without a policy violation."""

import pytest
from playwright.sync_api import Page, expect

from orders.models import Order
from orders.services import order_submit
from shipping import pickup, slots
from shipping.models import Shipment, SlotBooking
from tests.e2e.test_back_office_flow import shot
from tests.e2e.test_order_flow import sign_in, watch_policy
from tests.factories import UserFactory
from tests.orders.conftest import Catalog
from tests.shipping.conftest import Shipping
from tests.shipping.delivery import (
    AFTERNOON,
    MORNING,
    pickup_point,
    sent_pickup_code,
    week_pattern,
    working_day_ahead,
)


@pytest.mark.django_db(transaction=True)
def test_sales_books_a_delivery_slot(page: Page, live_server):
    UserFactory(username="li", role="sales")
    catalog = Catalog()
    week_pattern(catalog.shanghai, capacity=1)
    lamp = catalog.product("600.00", sku="CL-5001", name="星空吸顶灯")
    catalog.stock(lamp, catalog.shanghai, 5)
    customer = catalog.customer(region="SH", code="C70001", name="上海明辉灯饰有限公司")
    order = order_submit(actor=None, order=catalog.order(customer, (lamp, 1)))
    rival = order_submit(actor=None, order=catalog.order(customer, (lamp, 1)))
    day = working_day_ahead()
    # The rival took the morning: it is full and not offered.
    slots.slot_book(actor=None, order=rival, warehouse=catalog.shanghai, day=day, starts=MORNING)

    violations: list[str] = []
    watch_policy(page, violations)
    sign_in(page, live_server.url, "li")
    page.goto(f"{live_server.url}/orders/{order.number}/")
    page.click("[data-action=choose-slot]")
    morning = page.locator(f"input[value='{day.isoformat()}T09:00']")
    afternoon = page.locator(f"input[value='{day.isoformat()}T14:00']")
    expect(morning).to_be_disabled()
    afternoon.check()
    shot(page, "order-slot-choose")
    page.click("[data-action=book-slot]")
    expect(page.locator(".alert-success")).to_contain_text("is booked for")
    expect(page.locator("#order-delivery")).to_contain_text("14:00")
    assert SlotBooking.objects.get(order=order).slot.starts == AFTERNOON
    assert Order.objects.get(pk=order.pk).status == "allocated"
    page.click("button[data-lang=zh-hans]")
    expect(page.locator("#order-delivery")).to_contain_text("配送时段")
    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_pickup_desk_with_the_keyboard(page: Page, live_server):
    UserFactory(username="sun", role="warehouse")
    shipping = Shipping()
    lamp = shipping.product("300.00", sku="CL-6001", name="北欧落地灯")
    shipping.stock(lamp, shipping.shanghai, 5)
    point = pickup_point(shipping.shanghai)
    order = shipping.allocated_order((lamp, 2))
    pickup.order_pickup_set(actor=None, order=order, point=point)
    [shipment] = shipping.packed(order)
    code = sent_pickup_code(shipment)

    violations: list[str] = []
    watch_policy(page, violations)
    sign_in(page, live_server.url, "sun")
    page.goto(f"{live_server.url}/pickup-desk/?point={point.pk}")
    expect(page.locator("#pickup-code")).to_be_focused()
    expect(page.locator("main")).to_contain_text(shipment.number)
    page.keyboard.type("12345678")
    page.keyboard.press("Enter")
    expect(page.locator("#pickup-code-error")).to_contain_text("No parcel waits")
    expect(page.locator("#pickup-code")).to_be_focused()
    assert Shipment.objects.get(pk=shipment.pk).status == "ready_for_pickup"
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    expect(page.locator("#handed-over")).to_contain_text(shipment.number)
    expect(page.locator("#handed-over")).to_contain_text("CL-6001")
    expect(page.locator("#pickup-code")).to_be_focused()
    shot(page, "pickup-desk-handed-over")
    assert Shipment.objects.get(pk=shipment.pk).status == "delivered"
    assert Order.objects.get(pk=order.pk).status == "delivered"
    assert violations == []
