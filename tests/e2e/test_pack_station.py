"""The pack station with the keyboard only (a keyboard-wedge scanner types and presses
Enter): open a shipment by its barcode, a wrong item refused with a visible error, an excess
one refused, the rest ticked off until the shipment is packed; Escape clears. Then merging
two orders into one parcel and splitting a shipment on their pages. Every new page is
photographed at 1280 and 390 px, in English and Chinese, without a policy violation."""

import pytest
from playwright.sync_api import Page, expect

from orders.services import order_submit
from shipping import services
from shipping.models import MergedParcel, Shipment
from tests.e2e.test_back_office_flow import SCREENSHOTS
from tests.e2e.test_order_flow import sign_in, watch_policy
from tests.factories import UserFactory
from tests.orders.conftest import Catalog


def shot(page: Page, name: str) -> None:
    """A full-page picture; the caret stays as it is (hiding it would inject a style, which
    the page's Content-Security-Policy rightly refuses)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, caret="initial")


def scan(page: Page, field: str, code: str) -> None:
    page.locator(field).press_sequentially(code)
    page.keyboard.press("Enter")


@pytest.mark.django_db(transaction=True)
def test_keyboard_only_pack_station(page: Page, live_server):
    UserFactory(username="sun", role="warehouse")
    catalog = Catalog()
    lamp = catalog.product("600.00", sku="CL-5001", name="星空吸顶灯", fragile=True)
    bulb = catalog.product("20.00", sku="BL-0101", name="LED 灯泡 9W")
    catalog.stock(lamp, catalog.shanghai, 5)
    catalog.stock(bulb, catalog.shanghai, 5)
    customer = catalog.customer(region="SH", name="上海明辉灯饰有限公司")
    order = order_submit(actor=None, order=catalog.order(customer, (lamp, 1), (bulb, 2)))
    [shipment] = services.shipments_create_for_order(actor=None, order=order)
    services.shipment_start_picking(actor=None, shipment=shipment)

    violations: list[str] = []
    watch_policy(page, violations)
    sign_in(page, live_server.url, "sun")
    page.goto(f"{live_server.url}/pack-station/")
    expect(page.locator("#station-code")).to_be_focused()
    scan(page, "#station-code", shipment.number)
    expect(page.locator("#scan-code")).to_be_focused()

    scan(page, "#scan-code", "XX-9999")
    expect(page.locator("#pack-card .oms-scan-error")).to_contain_text("XX-9999")
    expect(page.locator("#scan-code")).to_be_focused()
    scan(page, "#scan-code", "cl-5001")
    expect(page.locator("[data-line='CL-5001']")).to_have_attribute("data-complete", "1")
    scan(page, "#scan-code", "CL-5001")
    expect(page.locator("#pack-card .oms-scan-error")).to_contain_text("too many")
    # Escape clears what was typed.
    page.locator("#scan-code").press_sequentially("BL-01")
    page.keyboard.press("Escape")
    expect(page.locator("#scan-code")).to_have_value("")
    scan(page, "#scan-code", "BL-0101")
    expect(page.locator("[data-progress]")).to_have_text("2 / 3")
    # A reload keeps the count (it lives on the server).
    page.reload()
    expect(page.locator("[data-progress]")).to_have_text("2 / 3")
    page.locator("#scan-lot").fill("")  # the lot field, reached by Tab with a scanner
    page.locator("#scan-code").focus()
    page.locator("#scan-code").press_sequentially("BL-0101")
    page.keyboard.press("Tab")
    page.keyboard.type("LOT-2026-11")
    page.keyboard.press("Enter")
    expect(page.locator("#pack-card")).to_contain_text("is packed")
    assert Shipment.objects.get(pk=shipment.pk).status == "packed"
    assert shipment.lines.get(product=bulb).lot == "LOT-2026-11"
    # Escape on the empty page goes back to the station for the next shipment.
    page.keyboard.press("Escape")
    page.wait_for_url(f"{live_server.url}/pack-station/")
    assert violations == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_merge_split_and_station_pages_look_right(page: Page, live_server, language):
    UserFactory(username="sun", role="warehouse")
    catalog = Catalog()
    lamp = catalog.product("600.00", sku="CL-5001", name="星空吸顶灯 48W 金色", fragile=True)
    bulb = catalog.product("20.00", sku="BL-0101", name="LED 灯泡 9W 暖白")
    for product in (lamp, bulb):
        catalog.stock(product, catalog.shanghai, 50)
    customer = catalog.customer(region="SH", name="上海明辉灯饰有限公司")
    orders = [
        order_submit(actor=None, order=catalog.order(customer, (lamp, 2), (bulb, 6)))
        for _ in range(3)
    ]
    one, two, three = (services.shipments_create_for_order(actor=None, order=o)[0] for o in orders)
    services.shipment_start_picking(actor=None, shipment=three)

    violations: list[str] = []
    watch_policy(page, violations)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    sign_in(page, live_server.url, "sun")
    tag = "en" if language == "en" else "zh"

    # The shipment page proposes the customer's other shipments.
    page.goto(f"{live_server.url}/shipments/{one.number}/")
    card = page.locator("#merge-card")
    expect(card.locator(f"[data-candidate='{two.number}'] input")).to_be_checked()
    card.locator(f"[data-candidate='{three.number}'] input").uncheck()
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        shot(page, f"merge-candidates-{tag}-{width}")
    card.locator("[data-action=merge]").click()
    parcel = MergedParcel.objects.get()
    page.wait_for_url(f"{live_server.url}/parcels/{parcel.number}/")
    expect(page.locator("[data-member]")).to_have_count(2)

    pages = {
        "parcel": f"/parcels/{parcel.number}/",
        "split": f"/shipments/{three.number}/split/",
        "station": "/pack-station/",
        "station-shipment": f"/pack-station/{three.number}/",
    }
    for scanned, width in enumerate((1280, 390), start=1):
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in pages.items():
            page.goto(live_server.url + path)
            if name == "station-shipment":
                scan(page, "#scan-code", "WRONG-1")
                expect(page.locator("#pack-card .oms-scan-error")).to_be_visible()
                scan(page, "#scan-code", "BL-0101")
                # Wait for the count: the page must have settled before it is measured.
                expect(page.locator("[data-progress]")).to_have_text(f"{scanned} / 8")
                page.wait_for_load_state()
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, f"{path} is {scroll}px wide at {width}"
            shot(page, f"{name}-{tag}-{width}")

    # Split two bulbs off the shipment being picked.
    page.goto(f"{live_server.url}/shipments/{three.number}/split/")
    line = three.lines.get(product=bulb)
    page.fill(f"input[name=move-{line.pk}]", "2")
    page.click("[data-action=split]")
    expect(page.locator("h1")).not_to_contain_text(three.number)
    assert Shipment.objects.filter(order=three.order).count() == 2
    assert violations == []
