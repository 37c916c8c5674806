"""The main pages pass axe-core's WCAG 2 A/AA checks, in English and in Chinese.

axe-core comes from npm (package.json) and is injected as an init script: the page keeps its
Content-Security-Policy, so axe judges what a user sees (an inline style the policy refuses
stays refused). One browser session walks every page per language.
"""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from inventory.models import StockLevel
from inventory.services import stock_adjust
from oms.models import MessageTemplate
from orders.choices import OrderStatus
from orders.models import ApprovalRule, Order
from orders.services import order_start_picking, order_submit
from shipping.models import Shipment
from tests.e2e.test_back_office_flow import shot
from tests.e2e.test_order_flow import sign_in
from tests.factories import UserFactory
from tests.orders.conftest import Catalog

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# Only these impacts fail the test; axe's "moderate" and "minor" findings are printed.
FAILING_IMPACTS = {"serious", "critical"}
RUN_AXE = """async () => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]}});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
  }));
}"""


def realistic_data():
    """Orders in every status, one awaiting review, stock below safety stock, a ledger."""
    user = UserFactory(username="a11y", role="admin")
    user.groups.add(*UserFactory(username="a11y-reviewer", role="reviewer").groups.all())
    ApprovalRule.objects.create(
        name="big", condition="amount_at_least", threshold=Decimal("5000"), required_role="reviewer"
    )
    catalog = Catalog()
    lamp = catalog.product("600.00", sku="CL-5001", name="星空吸顶灯 48W 金色")
    bulb = catalog.product("20.00", sku="BU-5002", name="LED球泡 9W")
    strip = catalog.product("85.00", sku="ST-5003", name="灯带 5m", made_to_order=True)
    catalog.stock(lamp, catalog.shanghai, 3)
    catalog.stock(lamp, catalog.guangzhou, 40)
    catalog.stock(bulb, catalog.shanghai, 500)
    stock_adjust(
        actor=None, product=bulb, warehouse=catalog.shanghai, quantity=-12, reason="damaged"
    )
    StockLevel.objects.filter(product=lamp, warehouse=catalog.shanghai).update(safety_stock=10)
    customer = catalog.customer(region="SH", code="C70001", name="上海明辉灯饰有限公司")
    other = catalog.customer(region="ZJ", code="C70002", name="杭州光源贸易有限公司")
    orders = []
    for number, status in enumerate(OrderStatus.values):
        order = catalog.order(customer if number % 2 else other, (lamp, 1 + number % 3), (bulb, 10))
        Order.objects.filter(pk=order.pk).update(status=status)
        orders.append(order)
    review = catalog.order(customer, (lamp, 12), (strip, 2))
    order_submit(actor=user, order=review)
    draft = catalog.order(customer, (lamp, 5), (bulb, 20))
    # Being picked: its shipment page offers lots to fill in and the pack button.
    picked = order_submit(actor=None, order=catalog.order(other, (bulb, 3)))
    order_start_picking(actor=None, order=picked)
    return {
        "customer": customer,
        "order": orders[3],
        "draft": draft,
        "product": lamp,
        "shipment": Shipment.objects.get(order=picked),
    }


def axe_violations(page: Page) -> list[dict]:
    page.wait_for_load_state("load")
    page.wait_for_function("!document.querySelector('.htmx-request')")
    return page.evaluate(RUN_AXE)


def report(found: dict[str, list[dict]]) -> str:
    lines = []
    for path, violations in found.items():
        for violation in violations:
            lines.append(f"{path}: {violation['id']} ({violation['impact']}) {violation['help']}")
            lines.extend(
                f"    {node['target']}: {node['summary'].splitlines()[-1].strip()}"
                for node in violation["nodes"][:10]
            )
            if len(violation["nodes"]) > 10:
                lines.append(f"    … and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_main_pages_have_no_serious_accessibility_violation(page: Page, live_server, language):
    assert AXE.exists(), "axe-core is missing: run `make setup` (npm ci)"
    data = realistic_data()
    page.add_init_script(path=str(AXE))
    sign_in(page, live_server.url, "a11y")
    if language != "en":
        page.click(f"button[data-lang={language}]")
        expect(page.locator("html")).to_have_attribute("lang", language)
    pages = {
        "dashboard": "/",
        "orders": "/orders/",
        "order": data["order"].get_absolute_url(),
        "amend": f"{data['order'].get_absolute_url()}amend/",
        "new-order": "/orders/new/",
        "draft-editor": f"/orders/{data['draft'].number}/edit/",
        "approvals": "/approvals/",
        "customers": "/customers/",
        "customer": data["customer"].get_absolute_url(),
        "products": "/products/",
        "product": data["product"].get_absolute_url(),
        "stock": "/stock/",
        "low-stock": "/stock/low/",
        "ledger": "/stock/ledger/",
        "orders-sorted": "/orders/?sort=-number",
        "working-days": "/calendar/?year=2026",
        "message-templates": "/message-templates/",
        "message-template": f"/message-templates/{MessageTemplate.objects.first().pk}/edit/",
        "shipments": "/shipments/",
        "shipment": data["shipment"].get_absolute_url(),
        "dispatch": f"{data['shipment'].get_absolute_url()}dispatch/",
    }
    failing: dict[str, list[dict]] = {}
    other: dict[str, list[dict]] = {}
    for name, path in pages.items():
        page.goto(live_server.url + path)
        violations = axe_violations(page)
        if name == "draft-editor":
            # Changed in place (htmx): the swapped lines must pass too.
            quantity = page.locator("#lines-table tbody tr", has_text="BU-5002").locator(
                "input[name=quantity]"
            )
            total = page.locator("#order-total").inner_text()
            quantity.fill("25")
            quantity.press("Tab")
            expect(page.locator("#order-total")).not_to_have_text(total)
            # The new total is announced from a region that the swap leaves in place.
            live = page.locator("#order-totals-live")
            expect(live).to_have_attribute("aria-live", "polite")
            expect(live).to_contain_text(page.locator("#order-total").inner_text())
            expect(page.get_by_label("BU-5002", exact=False).first).to_have_value("25")
        if name in ("amend", "draft-editor"):
            # Each quantity box is labelled with its product, in the page's language.
            expect(page.locator("input[name$=quantity][aria-label*='CL-5001']")).to_have_count(1)
        if name == "orders-sorted":
            expect(page.locator("th[aria-sort]")).to_have_count(1)
            expect(page.locator("th[aria-sort=descending]")).to_contain_text(
                "Number" if language == "en" else "编号"
            )
            violations += axe_violations(page)
        shot(page, f"a11y-{name}-{language}")
        for violation in violations:
            bucket = failing if violation["impact"] in FAILING_IMPACTS else other
            bucket.setdefault(path, []).append(violation)
    if other:
        print(f"Minor or moderate findings ({language}):\n{report(other)}")
    counts = {
        path: sum(len(v["nodes"]) for v in violations) for path, violations in failing.items()
    }
    assert not failing, (
        f"{sum(counts.values())} elements fail axe ({language}): {json.dumps(counts)}\n"
        + report(failing)
    )


FOCUS_RING = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  return {
    tag: element.tagName.toLowerCase(), classes: String(element.className),
    html: element.outerHTML.slice(0, 120), focused: document.hasFocus() && element.matches(":focus"),
    outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
  };
}"""


@pytest.mark.django_db(transaction=True)
def test_keyboard_focus_is_visible_on_links_buttons_and_form_controls(page: Page, live_server):
    """Bootstrap trades the outline of buttons and form controls for a faint ring: ours wins."""
    data = realistic_data()
    sign_in(page, live_server.url, "a11y")
    page.goto(f"{live_server.url}/orders/{data['draft'].number}/edit/")
    page.locator("body").focus()
    seen: dict[str, int] = {}
    unmarked = []
    for _ in range(80):  # the editor focuses its SKU box: on past the end, round to the top
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_RING)
        kind = focused["tag"] if "btn" not in str(focused["classes"]) else "button"
        seen[kind] = seen.get(kind, 0) + 1
        if focused["tag"] == "body" or not focused["focused"]:  # past the last: browser UI
            continue
        if focused["outline"] == "none" or focused["width"] < 2:
            unmarked.append(focused)
    assert {"a", "button", "input", "select"} <= set(seen), seen
    assert unmarked == [], unmarked
    shot(page, "a11y-focus")
