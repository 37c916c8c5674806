"""The customer's order page in a real browser: a phone (390 px) and a desktop, English and
Chinese, no horizontal scrolling, nothing the Content-Security-Policy refuses, and axe-core
finds no serious or critical problem."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from inventory.services import product_save
from orders import services as order_services
from shipping import services
from shipping.permissions import ShipmentAction
from tests.e2e.test_accessibility import AXE, FAILING_IMPACTS, axe_violations, report
from tests.e2e.test_back_office_flow import shot
from tests.e2e.test_order_flow import sign_in
from tests.factories import UserFactory
from tests.shipping.conftest import Shipping


def two_parcel_order():
    """An order shipped from two warehouses: one parcel delivered, one out for delivery."""
    shipping = Shipping()
    lamp = shipping.product("1280.00", sku="CL-8801", name="星空吸顶灯 48W 金色")
    product_save(actor=None, product=lamp, data={"name_en": "Starry ceiling lamp 48W gold"})
    bulb = shipping.product("19.90", sku="BU-8802", name="LED球泡 9W 暖白", name_en="LED bulb 9W")
    strip = shipping.product(
        "86.00", sku="ST-8803", name="灯带 5m 可调光", name_en="Dimmable strip 5m"
    )
    shipping.stock(lamp, shipping.guangzhou, 10)
    for product in (bulb, strip):
        shipping.stock(product, shipping.shanghai, 100)
    customer = shipping.customer(name="上海明辉灯饰有限公司", region="SH")
    order = order_services.order_submit(
        actor=None, order=shipping.order(customer, (lamp, 2), (bulb, 24), (strip, 3))
    )
    clerk = UserFactory(username="e2e-clerk", role="admin")
    first, second = shipping.packed(order, actor=clerk)
    services.shipment_dispatch(
        actor=clerk,
        shipment=first,
        details=shipping.details(
            "SF1402338876", carrier="顺丰速运 SF Express", parcels=1, expected_delivery_date=None
        ),
    )
    for action in (
        ShipmentAction.IN_TRANSIT,
        ShipmentAction.OUT_FOR_DELIVERY,
        ShipmentAction.DELIVERED,
    ):
        services.shipment_record_progress(actor=clerk, shipment=first, action=action)
    services.shipment_dispatch(
        actor=clerk,
        shipment=second,
        details=shipping.details(
            "7350019920461",
            carrier="中通快递 ZTO Express",
            parcels=2,
            expected_delivery_date=timezone.localdate() + timezone.timedelta(days=1),
        ),
    )
    for action in (ShipmentAction.IN_TRANSIT, ShipmentAction.OUT_FOR_DELIVERY):
        services.shipment_record_progress(actor=clerk, shipment=second, action=action)
    order.refresh_from_db()
    return order


NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.django_db(transaction=True)
def test_the_order_page_reads_well_on_a_phone_and_a_desktop(page: Page, live_server):
    order = two_parcel_order()
    url = f"{live_server.url}/track/{order_services.order_public_token(order)}/"
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.add_init_script(path=str(AXE))
    failing: dict[str, list[dict]] = {}
    for language, switch in (("en", "English"), ("zh-hans", "简体中文")):
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(url)
        page.get_by_role("link", name=switch).click()  # the switch, a plain link
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("[data-shipment]")).to_have_count(2)
        expect(page.locator("body")).to_contain_text("SF1402338876")
        expect(page.locator("body")).to_contain_text(order.number)
        assert page.evaluate(NO_SIDEWAYS_SCROLL), f"sideways scrolling at 390 px ({language})"
        for violation in axe_violations(page):
            if violation["impact"] in FAILING_IMPACTS:
                failing.setdefault(f"{language} 390", []).append(violation)
        shot(page, f"order-page-390-{language}")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.reload()
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        for violation in axe_violations(page):
            if violation["impact"] in FAILING_IMPACTS:
                failing.setdefault(f"{language} 1280", []).append(violation)
        shot(page, f"order-page-1280-{language}")
    expect(page.locator("body")).to_contain_text("派送中")
    assert not failing, report(failing)
    assert not refused, refused


@pytest.mark.django_db(transaction=True)
def test_staff_copy_and_replace_the_customer_link(page: Page, live_server):
    order = two_parcel_order()
    UserFactory(username="e2e-service", role="customer_service")
    sign_in(page, live_server.url, "e2e-service")
    page.goto(f"{live_server.url}{order.get_absolute_url()}")
    card = page.locator("#customer-link")
    old_link = card.locator("#customer-link-url").input_value()
    assert old_link.endswith(f"/track/{order.public_token}/")
    card.get_by_role("button", name="Copy").click()
    expect(card.get_by_role("button", name="Copied")).to_be_visible()
    shot(page, "order-customer-link-1280")
    page.once("dialog", lambda dialog: dialog.accept())  # "Make a new link? ..."
    card.get_by_role("button", name="New link").click()
    expect(page.locator(".alert-success")).to_contain_text("the old one no longer opens")
    new_link = page.locator("#customer-link-url").input_value()
    assert new_link != old_link
    page.goto(old_link)
    expect(page.locator("h1")).to_have_text("We could not find this order")
    page.goto(new_link)
    expect(page.locator("body")).to_contain_text(order.number)
