"""Sales enters an order in the browser (lines added, changed and removed in place), a
reviewer approves it, and it waits in the pick queue (allocated)."""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from orders.models import ApprovalRule, Order
from tests.e2e.test_back_office_flow import shot
from tests.factories import UserFactory
from tests.orders.conftest import Catalog


def watch_policy(page: Page, violations: list[str]) -> None:
    """Collect Content-Security-Policy violations the browser reports on this page."""
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text[:90]}")
            if "Content Security Policy" in message.text
            else None
        ),
    )


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_sales_enters_reviewer_approves_order_reaches_the_pick_queue(
    page: Page, browser, live_server
):
    UserFactory(username="wang", role="sales")
    UserFactory(username="zhao", role="reviewer")
    ApprovalRule.objects.create(
        name="big", condition="amount_at_least", threshold=Decimal("1000"), required_role="reviewer"
    )
    catalog = Catalog()
    lamp = catalog.product("600.00", sku="CL-5001", name="星空吸顶灯")
    bulb = catalog.product("20.00", sku="BU-5002", name="LED球泡")
    catalog.stock(lamp, catalog.shanghai, 1)
    catalog.stock(lamp, catalog.guangzhou, 5)
    catalog.stock(bulb, catalog.shanghai, 50)
    customer = catalog.customer(region="SH", code="C70001", name="上海明辉灯饰有限公司")

    violations: list[str] = []
    watch_policy(page, violations)
    sign_in(page, live_server.url, "wang")
    page.click("nav >> text=New order")
    page.fill("#id_customer", "c70001")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Edit SO-")

    # Keyboard first: type the SKU, Tab to the quantity, Enter adds the line in place.
    page.fill("#id_product", "cl-5001")
    page.keyboard.press("Tab")
    page.keyboard.type("2")
    page.keyboard.press("Enter")
    expect(page.locator("#lines-table tbody tr")).to_have_count(1)
    expect(page.locator("#id_product")).to_be_focused()
    page.fill("#id_product", "BU-5002")
    page.fill("#id_quantity", "10")
    page.keyboard.press("Enter")
    expect(page.locator("#lines-table tbody tr")).to_have_count(2)
    expect(page.locator("#order-total")).to_have_text("¥1,400.00")
    page.fill("#id_product", "NOPE-404")
    page.keyboard.press("Enter")
    expect(page.locator("#draft-lines .alert-danger")).to_contain_text(
        "No product has the SKU NOPE-404."
    )
    expect(page.locator("#id_product")).to_have_value("NOPE-404")  # kept for correcting
    # Typing fills the SKU suggestions, and only them: the box and the lines stay.
    page.fill("#id_product", "")
    page.keyboard.type("bu-5")
    expect(page.locator("#sku-options option[value='BU-5002']")).to_have_count(1)
    expect(page.locator("#id_product")).to_have_value("bu-5")
    expect(page.locator("#lines-table tbody tr")).to_have_count(2)
    # A new quantity re-prices in place; the bin removes a line.
    bulb_quantity = page.locator("#lines-table tbody tr", has_text="BU-5002").locator(
        "input[name=quantity]"
    )
    bulb_quantity.fill("5")
    bulb_quantity.press("Tab")
    expect(page.locator("#order-total")).to_have_text("¥1,300.00")
    page.fill("#id_product", "BU-5002")
    page.keyboard.press("Enter")
    expect(page.locator("#lines-table tbody tr")).to_have_count(3)
    expect(page.locator("#order-total")).to_have_text("¥1,320.00")
    page.locator("#lines-table tbody tr").nth(2).locator("button[title='Remove line']").click()
    expect(page.locator("#lines-table tbody tr")).to_have_count(2)
    expect(page.locator("#order-total")).to_have_text("¥1,300.00")
    # The discount box (a cell of its own, in the line's form) re-prices the line too.
    bulb = page.locator("#lines-table tbody tr", has_text="BU-5002")
    bulb.locator("input[name=discount_percent]").fill("10")
    bulb.locator("input[name=discount_percent]").press("Tab")
    expect(page.locator("#order-total")).not_to_have_text("¥1,300.00")
    expect(bulb.locator("input[name=discount_percent]")).to_have_value("10")
    expect(bulb.locator("input[name=quantity]")).to_have_value("5")
    bulb.locator("input[name=discount_percent]").fill("0")
    bulb.locator("input[name=discount_percent]").press("Tab")
    expect(page.locator("#order-total")).to_have_text("¥1,300.00")
    shot(page, "order-draft")
    page.click("#submit-order")
    expect(page.locator("h1")).to_contain_text("Pending review")
    order = Order.objects.get(customer=customer)

    reviewer = browser.new_page()
    watch_policy(reviewer, violations)
    sign_in(reviewer, live_server.url, "zhao")
    reviewer.click("nav >> text=Awaiting my approval")
    reviewer.click(f"text={order.number}")
    reviewer.fill("#decision-note", "价格已确认")
    reviewer.click("button:has-text('Approve')")
    expect(reviewer.locator("h1")).to_contain_text("Allocated")
    lamp_row = reviewer.locator("tr", has_text="CL-5001")
    expect(lamp_row).to_contain_text("SH1 × 1")
    expect(lamp_row).to_contain_text("GZ1 × 1")
    expect(reviewer.locator("tr", has_text="BU-5002")).to_contain_text("SH1 × 5")
    expect(reviewer.locator(".oms-timeline")).to_contain_text("价格已确认")
    shot(reviewer, "order-approved")
    order.refresh_from_db()
    assert order.status == "allocated"
    reviewer.close()

    # Sales may still amend until picking starts: the amendment page lists both lines.
    page.goto(f"{live_server.url}/orders/{order.number}/")
    page.click("[data-action=amend]")
    expect(page.locator("h1")).to_contain_text(f"Amend {order.number}")
    expect(page.locator("input[name$='-quantity']")).to_have_count(2)
    assert violations == []
