"""A person in a real browser (Debian's chromium driven by Playwright)."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from customers.models import Customer
from inventory.models import StockMovement
from tests.factories import ProductFactory, UserFactory, WarehouseFactory

SCREENSHOTS = Path(os.environ.get("OMS_SCREENSHOTS", "test-results/screenshots"))


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_sign_in_switch_to_chinese_create_customer_receive_stock(page: Page, live_server):
    user = UserFactory(username="lin", role="admin")
    user.groups.add(*UserFactory(username="helper", role="warehouse").groups.all())
    product = ProductFactory(sku="CL-3001", name="星空吸顶灯 48W 金色")
    warehouse = WarehouseFactory(code="SH1", name="上海嘉定仓")

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "lin")
    page.fill("#id_password", "pw-for-tests")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_have_text("Dashboard")

    page.click("button[data-lang=zh-hans]")
    expect(page.locator("h1")).to_have_text("工作台")
    shot(page, "dashboard-zh")

    page.click("nav >> text=新建客户")
    expect(page.locator("h1")).to_have_text("新建客户")
    page.fill("#id_code", "c20001")
    page.fill("#id_name", "杭州明辉灯饰有限公司")
    page.fill("#id_phone", "12345")  # wrong first: the form says why and keeps the rest
    page.select_option("#id_region", "ZJ")
    page.fill("#id_address-recipient", "林晓")
    page.fill("#id_address-phone", "13912345678")
    page.select_option("#id_address-region", "ZJ")
    page.fill("#id_address-city", "杭州")
    page.fill("#id_address-street", "文三路 100 号")
    page.click("main button[type=submit]")
    expect(page.locator(".invalid-feedback").first).to_contain_text("请输入有效的电话号码")
    expect(page.locator("#id_phone")).to_be_focused()
    expect(page.locator("#id_name")).to_have_value("杭州明辉灯饰有限公司")
    shot(page, "customer-form-error-zh")
    page.fill("#id_phone", "13912345678")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("杭州明辉灯饰有限公司")
    expect(page.locator("body")).to_contain_text("文三路 100 号")
    assert Customer.objects.get(code="C20001").addresses.count() == 1
    shot(page, "customer-detail-zh")

    page.click("nav >> text=入库")
    page.fill("#id_product", "cl-3001")
    page.select_option("#id_warehouse", str(warehouse.pk))
    page.fill("#id_quantity", "7")
    page.fill("#id_unit_cost", "35.00")
    page.fill("#id_reference", "PO-2026-0042")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_have_text("库存流水")
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("CL-3001")
    expect(row).to_contain_text("+7")
    expect(row).to_contain_text("PO-2026-0042")
    shot(page, "ledger-zh")
    movement = StockMovement.objects.get()
    assert (movement.product, movement.quantity, movement.actor) == (product, 7, user)
