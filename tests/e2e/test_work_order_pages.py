"""The work order page in the browser: purchasing confirms the materials, the warehouse starts
production after the confirm dialog, and screenshots of the page (1280 and 390 px, English
and Chinese) with its bill of materials drafted, reserved and issued."""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from inventory.models import ComponentReservation
from inventory.services import stock_receive
from inventory.work_orders import (
    work_order_advance,
    work_order_confirm_materials,
    work_order_create,
    work_order_set_component,
)
from tests.e2e.test_back_office_flow import shot
from tests.e2e.test_order_flow import sign_in, watch_policy
from tests.factories import ProductFactory, UserFactory, WarehouseFactory

PARTS = [
    ("PT-FR05", "五头吊灯骨架 镀金", 14, 1),
    ("PT-K930", "K9水晶挂件 30mm", 2400, 120),
    ("PT-E14H", "E14陶瓷灯头", 160, 5),
    ("BU-0131", "LED球泡 E14 5W 白色", 13, 5),
]


def chandeliers():
    warehouse = WarehouseFactory(code="SH1", name="上海嘉定仓")
    lamp = ProductFactory(sku="PL-0231", name="水晶吊灯 五头 5-light 白色", made_to_order=True)
    parts = []
    for sku, name, stock, per_unit in PARTS:
        part = ProductFactory(sku=sku, name=name)
        stock_receive(
            actor=None, product=part, warehouse=warehouse, quantity=stock, unit_cost=Decimal(2)
        )
        parts.append((part, per_unit))

    def work_order(quantity, reference=""):
        made = work_order_create(
            product=lamp, warehouse=warehouse, quantity=quantity, reference=reference
        )
        for part, per_unit in parts:
            work_order_set_component(
                actor=None, work_order=made, product=part, quantity=per_unit * quantity
            )
        return made

    return work_order


DRAWING = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.OMS_WORK_ORDER_FILE_DIR = tmp_path


@pytest.mark.django_db(transaction=True)
def test_confirm_start_and_look_at_the_work_order_page(page: Page, live_server):
    work_order = chandeliers()
    draft = work_order(1, reference="SO-2026-000114")
    UserFactory(username="qian", role="purchasing")
    UserFactory(username="sun", role="warehouse")
    UserFactory(username="zhou", role="admin")

    violations: list[str] = []
    watch_policy(page, violations)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, "qian")
    page.goto(f"{live_server.url}/work-orders/{draft.pk}/")
    expect(page.locator("#bom-table tbody tr")).to_have_count(4)
    page.set_input_files(
        "#id_file",
        files=[{"name": "客户图纸 五头吊灯.pdf", "mimeType": "application/pdf", "buffer": DRAWING}],
    )
    page.click("text=Add file")
    expect(page.locator("#work-order-files")).to_contain_text("客户图纸 五头吊灯.pdf")
    page.click("text=Confirm materials")
    expect(page.locator("body")).to_contain_text("are confirmed; production can start")
    page.context.clear_cookies()

    sign_in(page, live_server.url, "sun")
    page.goto(f"{live_server.url}/work-orders/{draft.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("text=Start production")
    expect(page.locator("h1")).to_contain_text("Production")
    assert ComponentReservation.objects.filter(work_order=draft).count() == 4
    page.context.clear_cookies()

    # Short of bulbs for two more; one waiting for purchasing; one done.
    waiting = work_order(2, reference="SO-2026-000120")
    done = work_order(1)
    work_order_confirm_materials(actor=None, work_order=done)
    for _stage in range(3):
        done = work_order_advance(actor=None, work_order=done)
    sign_in(page, live_server.url, "zhou")
    pages = {
        "work-order-waiting": f"/work-orders/{waiting.pk}/",
        "work-order-in-production": f"/work-orders/{draft.pk}/",
        "work-order-done": f"/work-orders/{done.pk}/",
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
                shot(page, f"{name}-{width}-{language}")
                if width == 390:
                    scroll = page.evaluate("document.documentElement.scrollWidth")
                    assert scroll <= 390, f"{name} is {scroll}px wide in {language}"
    assert violations == []
