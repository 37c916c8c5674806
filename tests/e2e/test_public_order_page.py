"""The customer's order page with its sections in a real browser: a phone (390 px) and a
desktop, English and Chinese, axe-core finds no serious or critical problem, nothing sideways;
and with JavaScript switched off a customer finds the order without the link, books a delivery
time, leaves a note for the courier and rates a delivered order."""

import pytest
from playwright.sync_api import Browser, Page, expect

from orders import services as order_services
from tests.e2e.test_accessibility import AXE, FAILING_IMPACTS, axe_violations, report
from tests.e2e.test_back_office_flow import shot
from tests.e2e.test_order_page import NO_SIDEWAYS_SCROLL
from tests.shipping.public_page import PublicOrders

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.mark.django_db(transaction=True)
def test_the_page_with_its_sections_is_accessible_on_a_phone_and_a_desktop(
    page: Page, live_server, django_capture_on_commit_callbacks
):
    public = PublicOrders()
    delivered = public.delivered_order(django_capture_on_commit_callbacks)
    open_order = public.open_order()
    pages = {
        "delivered": f"/track/{order_services.order_public_token(delivered)}/",
        "open": f"/track/{order_services.order_public_token(open_order)}/",
        "lookup": "/track/",
    }
    page.add_init_script(path=str(AXE))
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    failing: dict[str, list[dict]] = {}
    for language in ("en", "zh-hans"):
        for width, size in (("390", PHONE), ("1280", DESKTOP)):
            page.set_viewport_size(size)
            for name, path in pages.items():
                page.goto(f"{live_server.url}{path}?lang={language}")
                expect(page.locator("html")).to_have_attribute("lang", language)
                assert page.evaluate(NO_SIDEWAYS_SCROLL), f"sideways at {width} ({name})"
                for violation in axe_violations(page):
                    if violation["impact"] in FAILING_IMPACTS:
                        failing.setdefault(f"{name} {language} {width}", []).append(violation)
                shot(page, f"public-{name}-{width}-{language}")
    page.goto(f"{live_server.url}{pages['delivered']}?lang=zh-hans")
    expect(page.locator("[data-public-section=payment]")).to_contain_text("发票")
    expect(page.locator("[data-order-timeline]")).to_contain_text("订单已签收")
    assert not failing, report(failing)
    assert not refused, refused


@pytest.mark.django_db(transaction=True)
def test_a_customer_without_javascript_finds_the_order_and_uses_its_forms(
    browser: Browser, live_server, django_capture_on_commit_callbacks
):
    public = PublicOrders()
    open_order = public.open_order()
    delivered = public.delivered_order(django_capture_on_commit_callbacks)
    context = browser.new_context(
        java_script_enabled=False,
        viewport=PHONE,
        locale="en-US",
        extra_http_headers={"Accept-Language": "en"},
    )
    page = context.new_page()
    # No link at hand: the number and the phone's last four digits.
    page.goto(f"{live_server.url}/track/")
    page.get_by_label("Order number").fill(open_order.number)
    page.get_by_label("Last 4 digits").fill("5678")
    page.get_by_role("button", name="Show my order").click()
    expect(page.locator("h1")).to_contain_text("Confirmed")
    # A delivery time: the first one offered.
    select = page.locator("select[name=slot]")
    first = select.locator("option:not([value=''])").first.get_attribute("value")
    select.select_option(first)
    page.locator("[data-form=delivery-time] button[type=submit]").click()
    expect(page.get_by_role("status")).to_contain_text("delivery details are saved")
    expect(page.locator("[data-booked-slot]")).to_be_visible()
    # A note for the courier.
    page.get_by_label("Note for the courier").fill("Leave it with the guard at the north gate")
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_role("status")).to_contain_text("delivery details are saved")
    open_order.refresh_from_db()
    assert open_order.delivery_note == "Leave it with the guard at the north gate"
    shot(page, "public-open-saved-390-en")
    # The delivered order: four stars and a comment.
    page.goto(f"{live_server.url}/track/{order_services.order_public_token(delivered)}/")
    page.locator("label[for=rating-4]").click()
    page.get_by_label("Comment (optional)").fill("Fast delivery, <b>thanks</b>")
    page.get_by_role("button", name="Send rating").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you for your rating.")
    expect(page.locator("textarea[name=comment]")).to_have_value("Fast delivery, <b>thanks</b>")
    expect(page.locator("#rating-4")).to_be_checked()
    shot(page, "public-delivered-rated-390-en")
    context.close()
