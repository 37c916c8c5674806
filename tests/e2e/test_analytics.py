"""The dashboard's sales charts and the sales analytics page in the browser, in English and
Chinese, wide and narrow: every chart drawn by Chart.js from the page's JSON, no policy
violation, the tables behind the charts there."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from customers.choices import CustomerGroup
from orders.analytics import sales_summaries_refresh
from orders.models import Order, OrderLine
from tests.e2e.test_back_office_flow import shot
from tests.e2e.test_order_flow import sign_in, watch_policy
from tests.factories import CategoryFactory, CustomerFactory, ProductFactory, UserFactory

PRODUCTS = [
    ("CL-3001", "星空吸顶灯 48W"),
    ("DL-1205", "防眩筒灯 12W"),
    ("SP-0707", "轨道射灯 7W"),
    ("TL-2200", "护眼台灯"),
    ("FL-1800", "北欧落地灯"),
    ("ST-0500", "LED 灯带 5米"),
    ("PL-3600", "水晶吊灯"),
    ("WL-0900", "户外壁灯"),
    ("CL-2400", "卧室吸顶灯 24W"),
    ("DL-0905", "筒灯 9W"),
    ("SP-1212", "射灯 12W"),
]
REGIONS = ["ZJ", "GD", "JS", "SH", "BJ", "SC", "HB", "FJ"]
CHANNELS = ["back_office", "web_shop", "marketplace", "import"]


def sales_history(days: int = 60) -> None:
    """About 250 orders over the last `days` days, written directly (the figures are under
    test, not the order desk), then summarised like the nightly job."""
    rng = random.Random(13)
    category = CategoryFactory(name="照明")
    products = [ProductFactory(sku=sku, name=name, category=category) for sku, name in PRODUCTS]
    groups = list(CustomerGroup.values)
    customers = [
        CustomerFactory(region=REGIONS[i % len(REGIONS)], group=groups[i % 3]) for i in range(24)
    ]
    now = timezone.now()
    orders, lines = [], []
    for n in range(250):
        customer = rng.choice(customers)
        orders.append(
            Order(
                number=f"SO-E2E-{n:05d}",
                customer=customer,
                channel_id=rng.choice(CHANNELS),
                status="confirmed",
                ship_recipient="王先生",
                ship_phone="13800000000",
                ship_region=customer.region,
                ship_city="杭州",
                ship_street="文三路 1 号",
                created_at=now - timedelta(days=rng.randrange(days), hours=rng.randrange(8)),
            )
        )
    Order.objects.bulk_create(orders)
    for order in orders:
        subtotal = tax = Decimal("0.00")
        for line_no, product in enumerate(rng.sample(products, rng.randint(1, 3)), start=1):
            quantity = rng.randint(1, 6)
            net = Decimal(rng.randrange(3000, 30000)) / 100 * quantity
            line_tax = (net * Decimal("0.13")).quantize(Decimal("0.01"))
            lines.append(
                OrderLine(
                    order=order,
                    line_no=line_no,
                    product=product,
                    description=product.name,
                    quantity=quantity,
                    unit_price=net / quantity,
                    net_amount=net,
                    tax_rate=Decimal("0.13"),
                    tax_amount=line_tax,
                    line_total=net + line_tax,
                )
            )
            subtotal += net
            tax += line_tax
        Order.objects.filter(pk=order.pk).update(subtotal=subtotal, tax_total=tax)
    OrderLine.objects.bulk_create(lines)
    today = timezone.localdate()
    sales_summaries_refresh(start=today - timedelta(days=days), end=today)


def charts_drawn(page: Page) -> int:
    return page.evaluate(
        "Array.from(document.querySelectorAll('canvas[data-chart]'))"
        ".filter(c => window.Chart && Chart.getChart(c)).length"
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_dashboard_and_sales_analytics(page: Page, live_server, language):
    sales_history()
    UserFactory(username="zhou", role="manager")
    violations: list[str] = []
    watch_policy(page, violations)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, "zhou")
    if language == "zh-hans":
        page.click("button[data-lang=zh-hans]")
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    suffix = "zh" if language == "zh-hans" else "en"

    page.goto(f"{live_server.url}/?days=90")
    expect(page.locator("#sales-charts")).to_be_visible()
    assert charts_drawn(page) == 4
    shot(page, f"dashboard-1280-{suffix}")
    page.locator("#sales-charts details summary").nth(1).click()
    expect(page.locator("#sales-charts details[open] tbody tr").first).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/")
    assert charts_drawn(page) == 4
    shot(page, f"dashboard-390-{suffix}")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/analytics/sales/?group=region&compare=on")
    expect(page.locator("#sales-table tbody tr")).to_have_count(len(REGIONS))
    assert charts_drawn(page) == 1
    shot(page, f"sales-analytics-1280-{suffix}")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/analytics/sales/?group=week")
    assert charts_drawn(page) == 1
    shot(page, f"sales-analytics-390-{suffix}")
    assert violations == []
