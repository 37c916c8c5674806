"""Stocktake and replenishment in the browser: count on the page, post after the confirm
dialog, and screenshots of the new pages (1280 and 390 px, English and Chinese)."""

import pytest
from playwright.sync_api import Page, expect

from inventory import services, stocktake
from inventory.models import StockLevel, StockMovement
from inventory.replenishment import forecasts_refresh
from tests.e2e.test_back_office_flow import shot
from tests.e2e.test_order_flow import sign_in, watch_policy
from tests.factories import ProductFactory, UserFactory, WarehouseFactory
from tests.inventory.test_replenishment import TODAY, sell


def stock_up():
    warehouse = WarehouseFactory(code="SH1", name="上海嘉定仓")
    products = [
        ProductFactory(sku=f"CL-30{n:02d}", name=f"星空吸顶灯 {18 + 6 * n}W", pack_size=6)
        for n in range(6)
    ]
    for n, product in enumerate(products):
        services.stock_receive(
            actor=None,
            product=product,
            warehouse=warehouse,
            quantity=20 + 7 * n,
            bin_location=f"A-{n + 1:02d}",
            unit_cost=product.standard_cost or None,
        )
    return warehouse, products


@pytest.mark.django_db(transaction=True)
def test_count_post_and_look_at_the_pages(page: Page, live_server):
    warehouse, products = stock_up()
    UserFactory(username="zhou", role="admin")
    # A posted count elsewhere, for the list; forecasts for the replenishment page.
    other = WarehouseFactory(code="GZ1", name="广州白云仓")
    sell(products[0], other, [12, 15, 11, 14, 18, 16, 19, 21, 20, 24, 23, 26])
    StockLevel.objects.filter(product=products[0], warehouse=other).update(safety_stock=0)
    services.stock_adjust(
        actor=None, product=products[0], warehouse=other, quantity=-480, reason="lost"
    )
    posted = stocktake.stocktake_open(actor=None, warehouse=other)
    stocktake.stocktake_record_counts(actor=None, count=posted, counts={posted.lines.get().pk: 40})
    stocktake.stocktake_post(actor=None, count=posted)
    forecasts_refresh(today=TODAY)

    violations: list[str] = []
    watch_policy(page, violations)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, "zhou")
    page.goto(f"{live_server.url}/stocktakes/new/")
    page.select_option("#id_warehouse", str(warehouse.pk))
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("CNT-")
    page.click("text=Enter counts")
    inputs = page.locator("input[name$='-counted']")
    expect(inputs).to_have_count(6)
    for index, value in enumerate(["20", "26", "", "40", "46", "60"]):
        inputs.nth(index).fill(value)
    shot(page, "stocktake-count-1280-en")
    page.click("text=Save this page")
    expect(page.locator("body")).to_contain_text("Saved 5 counts")
    page.click("text=Back to the stocktake")
    expect(page.locator("#variance-table tbody tr")).to_have_count(4)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("text=Post to ledger")
    expect(page.locator("h1")).to_contain_text("Posted")
    number = page.locator("h1").inner_text().split()[1]
    assert StockMovement.objects.filter(reference=number).count() == 4

    # The pages, in both languages and both widths.
    count_id = posted.pk
    open_count = stocktake.stocktake_open(actor=None, warehouse=warehouse, bin_to="A-04")
    stocktake.stocktake_record_counts(
        actor=None,
        count=open_count,
        counts={line.pk: line.expected - 1 for line in open_count.lines.all()[:2]},
    )
    pages = {
        "stocktake-list": "/stocktakes/",
        "stocktake-detail-open": f"/stocktakes/{open_count.pk}/",
        "stocktake-detail-posted": f"/stocktakes/{count_id}/",
        "stocktake-count": f"/stocktakes/{open_count.pk}/count/",
        "stocktake-upload": f"/stocktakes/{open_count.pk}/upload/",
        "replenishment": "/replenishment/",
        "product-forecast": f"/products/{products[0].pk}/",
    }
    for language in ("en", "zh-hans"):
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 844})
            for name, url in pages.items():
                page.goto(live_server.url + url)
                expect(page.locator("h1")).to_be_visible()
                if width == 390:
                    scroll = page.evaluate("document.documentElement.scrollWidth")
                    assert scroll <= 390, f"{name} is {scroll}px wide in {language}"
                shot(page, f"{name}-{width}-{language}")
    assert violations == []
