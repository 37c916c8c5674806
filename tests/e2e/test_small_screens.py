"""The back office on a phone (390 px): no page wider than the screen, a menu that opens."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_back_office_flow import shot
from tests.factories import UserFactory
from tests.orders.conftest import Catalog


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_phone_sized_pages_fit_and_the_menu_opens(page: Page, live_server, language):
    UserFactory(username="mobile", role="manager")
    catalog = Catalog()
    product = catalog.product(name="星空吸顶灯 48W 金色 超长的产品名称用来测试换行")
    catalog.stock(product, catalog.shanghai, 20)
    order = catalog.order(catalog.customer(name="杭州明辉灯饰有限公司"), (product, 2))

    page.set_viewport_size({"width": 390, "height": 844})
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "mobile")
    page.fill("#id_password", "pw-for-tests")
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{live_server.url}/")

    customer = order.customer.get_absolute_url()
    for path in ("/", "/orders/", order.get_absolute_url(), customer, "/stock/"):
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width}px wide in {language}"
        shot(page, f"phone-{language}-{path.strip('/').replace('/', '-') or 'dashboard'}")

    page.goto(live_server.url + "/")
    menu = page.locator("#oms-sidebar")
    expect(menu).to_be_hidden()
    page.click("button[aria-controls=oms-sidebar]")
    expect(menu).to_be_visible()
    menu.locator("a[href='/stock/']").click()
    page.wait_for_url(f"{live_server.url}/stock/")
    expect(page.locator("#oms-sidebar a[aria-current=page]")).to_have_attribute("href", "/stock/")
