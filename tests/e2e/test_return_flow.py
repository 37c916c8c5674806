"""A customer asks for a return on their page (phone width, Chinese), customer service
approves it, the warehouse receives and inspects it (restock one line, quarantine the
other); every page without a policy violation, with screenshots at both widths."""

import pytest
from playwright.sync_api import Page, expect

from aftersales.models import ReturnRequest
from inventory.models import StockLevel, StockMovement
from orders.services import order_public_token
from tests.aftersales.conftest import Returns
from tests.e2e.test_back_office_flow import shot
from tests.e2e.test_order_flow import sign_in, watch_policy
from tests.factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_request_approve_receive_inspect(page: Page, browser, live_server):
    UserFactory(username="zheng", role="customer_service")
    UserFactory(username="sun", role="warehouse")
    returns = Returns()
    lamp = returns.product("600.00", sku="CL-5001", name="星空吸顶灯")
    shade = returns.product("80.00", sku="LS-2002", name="亚麻灯罩")
    customer = returns.customer(region="SH", code="C70001", name="上海明辉灯饰有限公司")
    order = returns.delivered_order((lamp, 2), (shade, 1), customer=customer)
    violations: list[str] = []
    watch_policy(page, violations)

    # The customer, on a phone, in Chinese.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/track/{order_public_token(order)}/return/?lang=zh-hans")
    expect(page.locator("h1")).to_contain_text("退货")
    lines = list(order.lines.order_by("line_no"))
    page.fill(f"#id_line_{lines[0].pk}", "3")  # more than delivered
    page.select_option("#id_reason", "damaged")
    page.check("input[name=resolution][value=refund]")
    page.fill("#id_reason_text", "灯罩运输途中压坏 <b>了</b>")
    shot(page, "return-public-form-390-zh")
    page.click("button[type=submit]")
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    expect(page.locator("#id_reason_text")).to_have_value("灯罩运输途中压坏 <b>了</b>")
    page.fill(f"#id_line_{lines[0].pk}", "1")
    page.fill(f"#id_line_{lines[1].pk}", "1")
    page.click("button[type=submit]")
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("[data-status=requested]")).to_be_visible()
    shot(page, "return-public-sent-390-zh")
    rma = ReturnRequest.objects.get()
    assert rma.source == "customer"

    # Customer service approves, on a desk screen, in English.
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, "zheng")
    page.goto(f"{live_server.url}/returns/?lang=en")
    expect(page.locator("main")).to_contain_text(order.number)
    shot(page, "return-list-1280-en")
    page.goto(f"{live_server.url}{rma.get_absolute_url()}")
    expect(page.locator("main")).to_contain_text("<b>了</b>")  # shown as typed, not as HTML
    shot(page, "return-requested-1280-en")
    page.click("[data-action=approve]")
    expect(page.locator("h1")).to_contain_text("RMA-")
    expect(page.locator("h1 .status-return-approved")).to_be_visible()
    rma.refresh_from_db()
    shot(page, "return-approved-1280-en")

    # The warehouse receives and inspects.
    page.context.clear_cookies()
    sign_in(page, live_server.url, "sun")
    page.goto(f"{live_server.url}{rma.get_absolute_url()}")
    page.select_option("#id_warehouse", str(returns.shanghai.pk))
    page.click("[data-action=receive]")
    expect(page.locator("h1 .status-return-received")).to_be_visible()
    rows = page.locator("tr[data-line]")
    rows.nth(0).locator("select[name=disposition]").select_option("restock")
    rows.nth(0).locator("button[type=submit]").click()
    expect(page.locator("h1 .status-return-received")).to_be_visible()
    page.locator("tr[data-line]").nth(1).locator("select[name=disposition]").select_option(
        "quarantine"
    )
    page.locator("tr[data-line]").nth(1).locator("button[type=submit]").click()
    expect(page.locator("h1 .status-return-inspected")).to_be_visible()
    shot(page, "return-inspected-1280-en")
    page.goto(f"{live_server.url}{rma.get_absolute_url()}?lang=zh-hans")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "return-inspected-390-zh")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/orders/{order.number}/")
    expect(page.locator(".card", has_text=rma.number).first).to_be_visible()
    shot(page, "return-order-panel-1280-zh")

    assert StockMovement.objects.filter(reference=rma.number, kind="return").count() == 2
    assert StockLevel.objects.get(product=shade, warehouse=returns.quarantine).on_hand == 1
    assert violations == []
