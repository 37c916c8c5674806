"""A pricing manager keeps price lists, promotions, shipping fees and approval rules in the
browser (Debian's chromium driven by Playwright); screenshots land in test-results/."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from orders.models import ApprovalRule, PriceList, PriceListItem, Promotion, ShippingRule
from tests.e2e.test_back_office_flow import shot
from tests.e2e.test_order_flow import sign_in
from tests.factories import CategoryFactory, ProductFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_manager_keeps_prices_and_rules(page: Page, live_server):
    UserFactory(username="chen", role="manager")
    lamp = ProductFactory(sku="CL-3001", name="星空吸顶灯 48W")
    ProductFactory(sku="PL-2002", name="LED 面板灯 600×600")
    CategoryFactory(name="吸顶灯")
    retail = PriceList.objects.create(name="零售价 Retail", customer_group="retail")
    PriceListItem.objects.create(price_list=retail, product=lamp, unit_price=Decimal("199.00"))
    PriceList.objects.create(
        name="批发价 Wholesale", customer_group="wholesale", prices_include_tax=False
    )
    base = live_server.url
    sign_in(page, base, "chen")

    page.click("nav >> text=Price lists")
    expect(page.locator("h1")).to_have_text("Price lists")
    shot(page, "rules-price-lists")

    page.click("text=零售价 Retail")
    expect(page.locator("h1")).to_contain_text("零售价 Retail")
    # Keyboard first: SKU, Tab, the first break's quantity is 1 already, Tab, price, Enter.
    page.fill("#id_sku", "pl-2002")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("59.90")
    page.keyboard.press("Tab")
    page.keyboard.type("20")
    page.keyboard.press("Tab")
    page.keyboard.type("52.50")
    page.keyboard.press("Enter")
    expect(page.locator("#prices .alert-success")).to_contain_text("PL-2002")
    expect(page.locator("#price-rows tbody tr")).to_have_count(2)
    expect(page.locator("#price-rows")).to_contain_text("¥52.50")
    expect(page.locator("#id_sku")).to_be_focused()
    shot(page, "rules-price-list-detail")

    # Breaks out of order: the message says which, and what was typed stays.
    page.fill("#id_sku", "CL-3001")
    page.fill("#id_min_quantity_0", "10")
    page.fill("#id_unit_price_0", "180")
    page.fill("#id_min_quantity_1", "5")
    page.fill("#id_unit_price_1", "185")
    page.keyboard.press("Enter")
    expect(page.locator("#prices .alert-danger")).to_contain_text("5 comes after 10")
    expect(page.locator("#id_unit_price_1")).to_have_value("185")
    shot(page, "rules-price-list-error")

    page.locator("#price-rows tr", has_text="PL-2002").locator("a[title='Change prices']").click()
    expect(page.locator("#id_sku")).to_have_value("PL-2002")
    expect(page.locator("#id_unit_price_1")).to_have_value("52.50")
    shot(page, "rules-price-list-edit-row")

    page.click("text=Import prices")
    expect(page.locator("h1")).to_contain_text("Import prices into")
    page.fill("#id_text", "CL-3001\t1\t189\nCL-3001\t10\t179\nXX-404\t1\t5")
    page.click("main button[type=submit]")
    expect(page.locator(".invalid-feedback")).to_contain_text("No product has the SKU XX-404.")
    shot(page, "rules-price-import-error")
    page.fill("#id_text", "CL-3001\t1\t189\nCL-3001\t10\t179")
    page.click("main button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("Prices set for 1 products.")
    assert PriceListItem.objects.filter(product=lamp).count() == 2

    # Promotions, in Chinese: fields that do not apply to the scope stay out of the way.
    page.click("button[data-lang=zh-hans]")
    expect(page.locator("#price-rows")).to_contain_text("¥179.00")
    shot(page, "rules-price-list-detail-zh")
    page.click("nav >> text=促销")
    page.click("text=新建促销")
    expect(page.locator("#id_product")).to_be_hidden()
    page.fill("#id_name", "吸顶灯季")
    page.select_option("#id_kind", "percent")
    page.fill("#id_value", "120")
    page.select_option("#id_scope", "category")
    expect(page.locator("#id_category")).to_be_visible()
    page.fill("#id_starts_on", "2026-05-31")
    page.fill("#id_ends_on", "2026-05-01")
    page.click("main button[type=submit]")
    expect(page.locator("body")).to_contain_text("促销结束日期不能早于开始日期。")
    expect(page.locator("body")).to_contain_text("百分比最多为 100。")
    expect(page.locator("#id_name")).to_have_value("吸顶灯季")
    shot(page, "rules-promotion-error-zh")
    page.fill("#id_value", "10")
    page.fill("#id_ends_on", "2026-06-30")
    page.select_option("#id_category", label="吸顶灯")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_have_text("促销")
    shot(page, "rules-promotions-zh")
    assert Promotion.objects.get().category.name == "吸顶灯"

    page.click("nav >> text=运费规则")
    page.click("text=新建运费规则")
    page.fill("#id_name", "浙江 5 千克以内")
    page.select_option("#id_region", "ZJ")
    page.fill("#id_max_weight_kg", "5")
    page.fill("#id_base_fee", "8")
    page.fill("#id_free_above", "199")
    shot(page, "rules-shipping-form-zh")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_have_text("运费规则")
    shot(page, "rules-shipping-fees-zh")
    assert ShippingRule.objects.get().free_above == Decimal("199.00")

    rule = ApprovalRule.objects.create(
        name="大额订单", condition="amount_at_least", threshold=50000, required_role="manager"
    )
    page.click("nav >> text=审批规则")
    page.click("text=大额订单")
    expect(page.locator("#id_threshold")).to_be_visible()
    page.select_option("#id_condition", "new_customer")
    expect(page.locator("#id_threshold")).to_be_hidden()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("text=停用")
    expect(page.locator(".alert-success")).to_contain_text("已停用")
    shot(page, "rules-approval-rule-inactive-zh")
    rule.refresh_from_db()
    assert rule.is_active is False
    assert rule.condition == "amount_at_least"  # the changed select was not saved


@pytest.mark.django_db(transaction=True)
def test_screens_of_the_empty_and_list_pages(page: Page, live_server):
    UserFactory(username="chen", role="manager")
    Promotion.objects.create(
        name="Spring -10%",
        kind="percent",
        value=10,
        scope="all",
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 31),
    )
    ShippingRule.objects.create(name="Every region", base_fee=12, per_kg_fee=2)
    sign_in(page, live_server.url, "chen")
    for url, name in [
        ("/promotions/", "rules-promotions-en"),
        ("/shipping-fees/", "rules-shipping-fees-en"),
        ("/orders/approval-rules/", "rules-approval-rules-en"),
        ("/price-lists/new/", "rules-price-list-new-en"),
    ]:
        page.goto(f"{live_server.url}{url}")
        expect(page.locator("h1")).to_be_visible()
        shot(page, name)
