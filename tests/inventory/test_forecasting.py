"""The forecast and reorder maths on series whose answer is known."""

import math
import random

import pytest

from inventory.forecasting import (
    demand_over,
    fit_holt,
    holt,
    reorder_point,
    service_factor,
    suggested_quantity,
)


def test_a_constant_series_forecasts_itself_with_no_error():
    fit = fit_holt([12.0] * 30)
    assert fit.forecast(4) == pytest.approx([12.0] * 4)
    assert fit.trend == pytest.approx(0)
    assert fit.sigma == pytest.approx(0)


def test_a_linear_trend_is_extended_exactly():
    series = [5.0 + 3 * week for week in range(20)]  # 5, 8, ..., 62
    fit = fit_holt(series)
    assert fit.level == pytest.approx(62)
    assert fit.trend == pytest.approx(3)
    assert fit.forecast(3) == pytest.approx([65, 68, 71])
    assert fit.sigma == pytest.approx(0, abs=1e-9)


def test_noise_around_a_level_is_smoothed_not_followed():
    rng = random.Random(7)
    series = [50 + rng.gauss(0, 5) for _week in range(104)]
    fit = fit_holt(series)
    assert all(40 < value < 60 for value in fit.forecast(8))
    assert abs(fit.trend) < 1
    assert 3.5 < fit.sigma < 7.5  # the noise's own spread is 5
    assert fit.alpha < 0.5  # a jumpy week moves the level only a little


def test_a_trend_under_noise_is_found():
    rng = random.Random(3)
    series = [20 + 2 * week + rng.gauss(0, 3) for week in range(78)]
    fit = fit_holt(series)
    assert 1.2 < fit.trend < 2.8
    assert fit.forecast(1)[0] == pytest.approx(20 + 2 * 78, abs=12)


def test_a_falling_trend_never_forecasts_negative_demand():
    fit = fit_holt([30.0 - 5 * week for week in range(6)])  # 30 ... 5
    assert fit.forecast(4) == [0.0, 0.0, 0.0, 0.0]


def test_the_grid_picks_the_smallest_squared_error():
    rng = random.Random(11)
    series = [10 + rng.random() * 8 for _week in range(40)]
    best = fit_holt(series)
    for alpha in (0.1, 0.3, 0.5, 0.9):
        for beta in (0.0, 0.2, 0.4):
            assert best.sse <= holt(series, alpha, beta).sse + 1e-9


def test_holt_needs_two_weeks():
    with pytest.raises(ValueError, match="at least two"):
        holt([3.0], 0.5, 0.1)


def test_service_factor_is_the_normal_quantile():
    assert service_factor(0.95) == pytest.approx(1.6449, abs=1e-4)
    assert service_factor(0.5) == pytest.approx(0)
    with pytest.raises(ValueError, match="service level"):
        service_factor(1.0)


def test_demand_over_days_takes_weeks_pro_rata():
    assert demand_over([7, 14, 21], 7) == pytest.approx(7)
    assert demand_over([7, 14, 21], 10) == pytest.approx(7 + 14 * 3 / 7)
    assert demand_over([7, 14], 28) == pytest.approx(7 + 14 + 14 + 14)  # the last week repeats
    assert demand_over([7], 0) == 0


def test_reorder_point_is_lead_time_demand_plus_safety_stock():
    # 20 a week, 14 days' lead time, sigma 4 a week, 95 %: 40 + 1.645 × 4 × √2 = 49.3 → 50.
    point = reorder_point(forecast=[20.0] * 12, sigma=4.0, lead_time_days=14, service_level=0.95)
    assert point.lead_time_demand == pytest.approx(40)
    assert point.safety_stock == pytest.approx(1.6449 * 4 * math.sqrt(2), abs=1e-3)
    assert point.point == 50
    # No spread, no safety stock.
    assert reorder_point(forecast=[20.0], sigma=0, lead_time_days=7, service_level=0.99).point == 20


def test_suggested_quantity_is_rounded_up_to_whole_packs():
    assert suggested_quantity(target=57.2, available=10) == 48
    assert suggested_quantity(target=57.2, available=10, pack_size=12) == 48
    assert suggested_quantity(target=58, available=10, pack_size=12) == 48
    assert suggested_quantity(target=59, available=10, pack_size=12) == 60
    assert suggested_quantity(target=10, available=12, pack_size=6) == 0
