"""A manager follows what the shops and marketplaces sent (Debian's chromium driven by
Playwright, 1280 px): the deliveries list, one delivery's payload, and the unmapped SKUs
queue, where mapping a SKU places the waiting order. Screenshots land in test-results/."""

import pytest
from playwright.sync_api import Page, expect

from orders.choices import ChannelKind
from orders.intake import inbound
from orders.intake.adapters import samples
from orders.intake.channels import channel_save
from orders.intake.inbound_models import DeliveryKind, DeliveryStatus, InboundDelivery
from orders.models import Order
from tests.e2e.test_back_office_flow import shot
from tests.e2e.test_order_flow import sign_in
from tests.factories import UserFactory
from tests.orders.conftest import Catalog


def store(code, name, kind):
    return channel_save(
        actor=None,
        channel=None,
        data={"code": code, "name": name, "kind": kind, "secret": "s3cret"},
    )


@pytest.mark.django_db(transaction=True)
def test_manager_maps_a_sku_and_the_order_is_placed(page: Page, live_server):
    UserFactory(username="zhou", role="manager")
    catalog = Catalog()
    catalog.product(sku="CL-3001", name="星空吸顶灯 48W")
    catalog.product(sku="PL-2002", name="LED 面板灯 600×600")
    shop = store("shopify-cn", "Shopify 海外旗舰店", ChannelKind.SHOPIFY)
    tmall = store("tmall-cn", "天猫旗舰店", ChannelKind.TAOBAO)
    jd = store("jd-cn", "京东旗舰店", ChannelKind.JD)
    wang, li, zhang = samples.BUYERS[:3]
    when = "2026-11-30 14:05:09"
    rows = [
        (
            shop,
            "wh-1",
            DeliveryKind.WEBHOOK,
            samples.shopify(5612004001, wang, [("CL-3001", 1, "199.00")]),
        ),
        (
            tmall,
            f"3926548110271@{when}",
            DeliveryKind.PULL,
            samples.taobao(3926548110271, li, [("TM-LAMP-48W", 2, "188.00")], modified=when),
        ),
        (
            jd,
            f"2871440012@{when}",
            DeliveryKind.PULL,
            samples.jd(2871440012, zhang, [("PL-2002", 0, "56.00")], modified=when),
        ),
    ]
    for channel, delivery_id, kind, payload in rows:
        stored = inbound.delivery_store(channel, delivery_id, kind, payload)
        inbound.delivery_process(delivery_id=stored.delivery.pk)
    assert set(InboundDelivery.objects.values_list("status", flat=True)) == {
        DeliveryStatus.PROCESSED,
        DeliveryStatus.WAITING_FOR_MAPPING,
        DeliveryStatus.FAILED,
    }

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, "zhou")
    page.click("nav >> text=Inbound deliveries")
    expect(page.locator("h1")).to_have_text("Inbound deliveries")
    expect(page.locator("table")).to_contain_text("Waiting for SKU mapping")
    expect(page.locator("table")).to_contain_text("itemTotal")
    shot(page, "inbound-deliveries")
    page.goto(f"{live_server.url}/intake/deliveries/?channel=jd-cn")
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page.locator("table")).to_contain_text("itemTotal")
    page.goto(f"{live_server.url}/intake/deliveries/?error_code=bad_payload")
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page.locator("table")).to_contain_text("Bad payload: itemTotal must be a whole number")
    page.goto(f"{live_server.url}/intake/deliveries/")

    page.locator("tr", has_text="Waiting for SKU mapping").locator("a").first.click()
    expect(page.locator("h1")).to_contain_text("Inbound delivery")
    expect(page.locator("pre")).to_contain_text("TM-LAMP-48W")
    shot(page, "inbound-delivery-detail")

    page.click("text=Map the SKUs")
    expect(page.locator("h1")).to_have_text("Unmapped SKUs")
    row = page.locator("tr", has_text="TM-LAMP-48W")
    row.locator("input[name=product]").fill("NO-SUCH")
    row.locator("button").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("NO-SUCH")
    shot(page, "inbound-unmapped-skus")
    page.locator("tr", has_text="TM-LAMP-48W").locator("input[name=product]").fill("CL-3001")
    page.locator("tr", has_text="TM-LAMP-48W").locator("button").click()
    expect(page.locator(".alert-success")).to_contain_text("TM-LAMP-48W")
    expect(page.locator("table")).to_contain_text("No order waits for a SKU mapping.")
    # The waiting delivery is processed again (here at once; a worker does it after make run).
    for pk in InboundDelivery.objects.filter(status=DeliveryStatus.RECEIVED).values_list(
        "pk", flat=True
    ):
        inbound.delivery_process(delivery_id=pk)
    assert Order.objects.filter(channel_id="tmall-cn").count() == 1
    # The same list in Chinese.
    page.click("text=简体中文")
    page.goto(f"{live_server.url}/intake/deliveries/")
    expect(page.locator("h1")).to_have_text("入站推送")
    expect(page.locator("table")).to_contain_text("已处理")
    # The failure is worded in the reader's language, whoever's worker stored it.
    expect(page.locator("table")).to_contain_text("itemTotal 必须是 1 到 100000 之间的整数")
    shot(page, "inbound-deliveries-zh")
