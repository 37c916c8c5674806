"""Demand forecasts per product and warehouse, and the reorder points they give.

Weekly sales are the ledger's issues (goods that left for a shipment), Monday to Sunday in
local time, over the last OMS_FORECAST_HISTORY_WEEKS full weeks; weeks without a sale are
zeros. A place with fewer than MIN_WEEKS weeks since its first sale gets no forecast.
Forecasts are stored (DemandForecast), refreshed nightly by a beat job and on demand from
the product page; the replenishment page compares their reorder points with the stock now.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from inventory.choices import MovementKind
from inventory.forecasting import MIN_WEEKS, demand_over, fit_holt, reorder_point
from inventory.models import DemandForecast, Product, StockMovement
from oms.types import User

Place = tuple[int, int]  # (product id, warehouse id)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_sales(
    *, today: date | None = None, weeks: int | None = None, product: Product | None = None
) -> tuple[date, dict[Place, list[int]]]:
    """(Monday of this week, {place: units issued per full week, oldest first}) for every
    place with an issue in the window."""
    weeks = weeks or settings.OMS_FORECAST_HISTORY_WEEKS
    this_week = week_start(today or timezone.localdate())
    first = this_week - timedelta(weeks=weeks)
    zone = timezone.get_current_timezone()
    issues = StockMovement.objects.filter(
        kind=MovementKind.ISSUE,
        created_at__gte=datetime.combine(first, time(), tzinfo=zone),
        created_at__lt=datetime.combine(this_week, time(), tzinfo=zone),
    )
    if product is not None:
        issues = issues.filter(product=product)
    rows = (
        issues.annotate(week=TruncWeek("created_at", tzinfo=zone))
        .values("product_id", "warehouse_id", "week")
        .annotate(units=-Sum("quantity"))
        .order_by()
    )
    sales: dict[Place, list[int]] = defaultdict(lambda: [0] * weeks)
    for row in rows:
        index = (row["week"].date() - first).days // 7
        sales[(row["product_id"], row["warehouse_id"])][index] = row["units"]
    return this_week, dict(sales)


def _decimal(value: float, places: str = "0.01") -> Decimal:
    return Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _forecast_row(
    place: Place, history: list[int], *, this_week: date, lead_time_days: int
) -> DemandForecast | None:
    # The series starts at the first week with a sale: a product listed later is not a run
    # of zeros before it existed.
    start = next((i for i, units in enumerate(history) if units), None)
    if start is None or len(history) - start < MIN_WEEKS:
        return None
    series = history[start:]
    fit = fit_holt([float(units) for units in series])
    weekly = fit.forecast(settings.OMS_FORECAST_WEEKS)
    service_level = settings.OMS_SERVICE_LEVEL
    point = reorder_point(
        forecast=weekly, sigma=fit.sigma, lead_time_days=lead_time_days, service_level=service_level
    )
    # Demand over the review period that follows the lead time.
    review = demand_over(weekly, lead_time_days + settings.OMS_REVIEW_PERIOD_DAYS) - demand_over(
        weekly, lead_time_days
    )
    return DemandForecast(
        product_id=place[0],
        warehouse_id=place[1],
        computed_at=timezone.now(),
        first_week=this_week,
        history=series,
        forecast=[round(value, 2) for value in weekly],
        alpha=_decimal(fit.alpha),
        beta=_decimal(fit.beta),
        sigma=_decimal(fit.sigma, "0.001"),
        lead_time_days=lead_time_days,
        service_level=_decimal(service_level, "0.001"),
        lead_time_demand=_decimal(point.lead_time_demand),
        safety_stock=_decimal(point.safety_stock),
        reorder_point=point.point,
        review_demand=_decimal(review),
    )


def forecasts_refresh(
    *, actor: User | None = None, today: date | None = None, product: Product | None = None
) -> int:
    """Recompute the forecasts (all places, or one product's) and replace the stored ones in
    one transaction. Returns how many places have a forecast. `actor` is who asked (None:
    the nightly job); forecasts are derived data, so no audit row is written."""
    this_week, sales = weekly_sales(today=today, product=product)
    lead_times = dict(
        Product.objects.filter(pk__in={place[0] for place in sales}).values_list(
            "pk", "lead_time_days"
        )
    )
    rows = [
        row
        for place, history in sorted(sales.items())
        if (
            row := _forecast_row(
                place, history, this_week=this_week, lead_time_days=lead_times[place[0]]
            )
        )
        is not None
    ]
    with transaction.atomic():
        stale = DemandForecast.objects.all()
        if product is not None:
            stale = stale.filter(product=product)
        stale.delete()
        DemandForecast.objects.bulk_create(rows)
    return len(rows)


def forecast_weeks(forecast: DemandForecast) -> list[tuple[date, int | None, float | None]]:
    """(Monday, units sold, units forecast) per week: the history, then the forecast."""
    first_history = forecast.first_week - timedelta(weeks=len(forecast.history))
    weeks: list[tuple[date, int | None, float | None]] = [
        (first_history + timedelta(weeks=i), units, None)
        for i, units in enumerate(forecast.history)
    ]
    weeks += [
        (forecast.first_week + timedelta(weeks=i), None, value)
        for i, value in enumerate(forecast.forecast)
    ]
    return weeks
