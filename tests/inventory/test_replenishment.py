"""Forecasts from the ledger's weekly issues, the replenishment page and the product chart."""

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inventory import services
from inventory.models import DemandForecast, StockLevel, StockMovement
from inventory.replenishment import forecasts_refresh, weekly_sales
from inventory.seeders import ledger_backdate
from inventory.services import StockIssue, stock_issue
from oms.models import OutboxMessage
from tests.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)  # a Wednesday; this week began on Monday 23 November


def sell(product, warehouse, units_per_week: list[int]) -> None:
    """Issue units_per_week[i] units in week i (oldest first, ending last week), one ledger
    row each, dated the Thursday of that week."""
    services.stock_receive(
        actor=None, product=product, warehouse=warehouse, quantity=sum(units_per_week) + 500
    )
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    monday = date(2026, 11, 23) - timedelta(weeks=len(units_per_week))
    moments = {}
    for week, units in enumerate(units_per_week):
        if not units:
            continue
        StockLevel.objects.filter(pk=level.pk).update(reserved=units)
        [movement] = stock_issue(actor=None, issues=[StockIssue(level.pk, units)], reference="SH")
        day = monday + timedelta(weeks=week, days=3)
        moments[movement.pk] = datetime.combine(
            day, time(15), tzinfo=timezone.get_current_timezone()
        )
    ledger_backdate(moments)


@pytest.fixture
def selling():
    warehouse = WarehouseFactory(code="FC1")
    steady = ProductFactory(sku="FC-STEADY", lead_time_days=14, pack_size=10)
    growing = ProductFactory(sku="FC-GROW", lead_time_days=7)
    sell(steady, warehouse, [20] * 12)
    sell(growing, warehouse, [10 + 2 * week for week in range(12)])
    return warehouse, steady, growing


def test_weekly_sales_are_issues_per_full_week(selling):
    warehouse, steady, growing = selling
    this_week, sales = weekly_sales(today=TODAY, weeks=14)
    assert this_week == date(2026, 11, 23)
    assert sales[(steady.pk, warehouse.pk)] == [0, 0] + [20] * 12
    assert sales[(growing.pk, warehouse.pk)][-3:] == [28, 30, 32]


def test_forecasts_and_reorder_points_are_stored(selling, settings):
    settings.OMS_SERVICE_LEVEL = 0.95
    settings.OMS_REVIEW_PERIOD_DAYS = 7
    _warehouse, steady, growing = selling
    assert forecasts_refresh(today=TODAY) == 2
    flat = DemandForecast.objects.get(product=steady)
    assert flat.forecast[:2] == [20.0, 20.0]
    assert flat.history == [20] * 12
    assert flat.reorder_point == 40  # 2 weeks × 20, no error spread: no safety stock
    assert float(flat.review_demand) == pytest.approx(20)
    rising = DemandForecast.objects.get(product=growing)
    assert rising.forecast[:3] == pytest.approx([34, 36, 38])
    assert rising.reorder_point == 34  # 7 days: next week's 34
    # Nothing sold: no forecast; refreshing again replaces, never duplicates.
    assert forecasts_refresh(today=TODAY) == 2
    assert DemandForecast.objects.count() == 2


def test_too_little_history_gives_no_forecast():
    warehouse = WarehouseFactory(code="FC2")
    product = ProductFactory(sku="FC-NEW")
    sell(product, warehouse, [0, 0, 0, 0, 0, 4, 6])  # three weeks since its first sale
    assert forecasts_refresh(today=TODAY) == 0


def test_replenishment_lists_what_is_below_the_reorder_point(selling, client_for):
    warehouse, steady, _growing = selling
    forecasts_refresh(today=TODAY)
    # steady: 500 + 240 - 240 = 500 on hand, well above 40. Bring it to 25 available.
    level = StockLevel.objects.get(product=steady, warehouse=warehouse)
    services.stock_adjust(
        actor=None, product=steady, warehouse=warehouse, quantity=-470, reason="lost"
    )
    StockLevel.objects.filter(pk=level.pk).update(reserved=5)
    manager = client_for("manager")
    html = manager.get(reverse("inventory:replenishment")).content.decode()
    assert "FC-STEADY" in html
    assert "FC-GROW" not in html
    # Available 25 → up to 40 + 20 (review week) = 60: 35, in packs of 10 → 40.
    export = manager.get(reverse("inventory:replenishment") + "?export=csv")
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    [header, row] = text.strip().splitlines()
    assert "FC-STEADY" in row
    assert row.endswith(",40")
    assert header.split(",")[-1] == "Suggested order"


def test_product_page_shows_the_chart_and_its_numbers(selling, client_for):
    _warehouse, steady, _growing = selling
    forecasts_refresh(today=TODAY)
    html = client_for("warehouse").get(steady.get_absolute_url()).content.decode()
    assert 'class="oms-chart"' in html
    assert "oms-chart-forecast" in html
    assert "Reorder point 40" in html
    assert html.count("<tr><td>") >= 12 + 12  # history and forecast weeks in the table
    # Sales sees the product but not the forecast.
    assert "oms-chart" not in client_for("sales").get(steady.get_absolute_url()).content.decode()


def test_recompute_now_from_the_product_page(selling, client_for):
    _warehouse, steady, _growing = selling
    url = reverse("inventory:forecast_refresh", args=[steady.pk])
    assert client_for("sales").post(url).status_code == 403
    response = client_for("warehouse").post(url)
    assert response.status_code == 302
    assert response["Location"].endswith("#forecast")
    assert DemandForecast.objects.filter(product=steady).count() == 1
    assert (
        client_for("warehouse")
        .post(reverse("inventory:forecast_refresh", args=[10**9]))
        .status_code
        == 404
    )


def test_low_stock_digest_links_to_the_replenishment_page(user_with_role, settings):
    settings.OMS_PUBLIC_URL = "https://oms.example.com"
    user_with_role("warehouse", email="stock@example.com")
    warehouse = WarehouseFactory(code="FC3")
    product = ProductFactory(sku="FC-LOW")
    services.stock_receive(actor=None, product=product, warehouse=warehouse, quantity=1)
    StockLevel.objects.filter(product=product).update(safety_stock=5)
    assert services.low_stock_digest_send(today=TODAY) == 1
    message = OutboxMessage.objects.get()
    assert "https://oms.example.com/replenishment/" in message.body
    assert 'href="https://oms.example.com/replenishment/"' in message.html_body
    assert StockMovement.objects.filter(product=product).count() == 1
