"""The warehouse starts picking an order in the browser, packs its shipment with a lot,
dispatches it with the carrier's details, and the logistics desk records the delivery; the
order follows, in both languages' pages, without a policy violation."""

import pytest
from playwright.sync_api import Page, expect

from inventory.models import StockLevel, StockMovement
from orders.models import Order
from orders.services import order_submit
from shipping.models import Shipment
from tests.e2e.test_back_office_flow import shot
from tests.e2e.test_order_flow import sign_in, watch_policy
from tests.factories import UserFactory
from tests.orders.conftest import Catalog


@pytest.mark.django_db(transaction=True)
def test_pick_pack_dispatch_deliver(page: Page, browser, live_server):
    UserFactory(username="sun", role="warehouse")
    UserFactory(username="zhou", role="logistics")
    catalog = Catalog()
    lamp = catalog.product("600.00", sku="CL-5001", name="星空吸顶灯")
    catalog.stock(lamp, catalog.shanghai, 5)
    customer = catalog.customer(region="SH", code="C70001", name="上海明辉灯饰有限公司")
    order = order_submit(actor=None, order=catalog.order(customer, (lamp, 2)))
    assert order.status == "allocated"

    violations: list[str] = []
    watch_policy(page, violations)
    sign_in(page, live_server.url, "sun")
    page.goto(f"{live_server.url}/orders/{order.number}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-action=start_picking]")
    expect(page.locator("h1")).to_contain_text("Picking")
    shipment = Shipment.objects.get(order=order)
    panel = page.locator(".card", has_text="Shipments")
    expect(panel).to_contain_text(shipment.number)

    panel.locator(f"text={shipment.number}").click()
    expect(page.locator("h1")).to_contain_text(shipment.number)
    page.fill(f"input[name=lot-{shipment.lines.get().pk}]", "2026-11-B7")
    page.click("[data-action=pack]")
    expect(page.locator("h1")).to_contain_text("Packed")
    page.click("[data-action=dispatch]")
    page.fill("#id_carrier", "顺丰速运 SF Express")
    page.fill("#id_tracking_number", "SF1234567890")
    page.fill("#id_parcels", "0")
    page.click("main button[type=submit]")
    # Refused in place, nothing lost of what was typed.
    expect(page.locator(".invalid-feedback")).to_be_visible()
    expect(page.locator("#id_tracking_number")).to_have_value("SF1234567890")
    page.fill("#id_parcels", "2")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Dispatched")
    expect(page.locator("#shipment-timeline")).to_contain_text("SF1234567890")
    shot(page, "shipment-dispatched")
    level = StockLevel.objects.get(product=lamp)
    assert (level.on_hand, level.reserved) == (3, 0)
    assert StockMovement.objects.filter(kind="issue", reference=shipment.number).count() == 1
    assert Order.objects.get(pk=order.pk).status == "shipped"

    desk = browser.new_page()
    watch_policy(desk, violations)
    sign_in(desk, live_server.url, "zhou")
    desk.click("nav >> text=Shipments")
    desk.click(f"text={shipment.number}")
    # The carrier's news typed in by the desk: a manual tracking event.
    desk.select_option("form[data-form=progress] select[name=status]", "delivered")
    desk.click("[data-action=record_tracking]")
    expect(desk.locator("h1")).to_contain_text("Delivered")
    desk.goto(f"{live_server.url}/orders/{order.number}/")
    expect(desk.locator("h1")).to_contain_text("Delivered")
    desk.click("button[data-lang=zh-hans]")
    expect(desk.locator("h1")).to_contain_text("已签收")
    expect(desk.locator(".card", has_text="发货单")).to_contain_text(shipment.number)
    assert violations == []
