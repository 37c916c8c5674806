"""Demand forecasting and reorder maths, without Django: plain numbers in, numbers out.

Holt's linear method (exponential smoothing with a trend): after each week t with demand y,

    level_t = alpha·y_t + (1 − alpha)·(level_{t−1} + trend_{t−1})
    trend_t = beta·(level_t − level_{t−1}) + (1 − beta)·trend_{t−1}

and the forecast h weeks ahead is level + h·trend (never below zero: demand is not
negative). alpha and beta are chosen from a grid by the smallest sum of squared one-step-ahead
errors; sigma, the spread of those errors, sizes the safety stock. statsmodels is not installed
and a few lines of arithmetic do not justify it.
"""

import math
from dataclasses import dataclass
from statistics import NormalDist

# 0.05 … 0.95: wide enough for steady and for jumpy demand, 19 × 10 fits per series.
ALPHAS = tuple(round(0.05 * n, 2) for n in range(1, 20))
BETAS = tuple(round(0.05 * n, 2) for n in range(0, 10))  # 0 … 0.45: a trend that changes slowly
MIN_WEEKS = 4


@dataclass(frozen=True)
class HoltFit:
    alpha: float
    beta: float
    level: float
    trend: float
    sse: float
    errors: tuple[float, ...]  # one-step-ahead errors, actual − forecast, from week 2 on

    @property
    def sigma(self) -> float:
        """The root mean squared one-step error: sigma of a week's forecast error."""
        if not self.errors:
            return 0.0
        return math.sqrt(sum(e * e for e in self.errors) / len(self.errors))

    def forecast(self, weeks: int) -> list[float]:
        return [max(self.level + h * self.trend, 0.0) for h in range(1, weeks + 1)]


def holt(series: list[float], alpha: float, beta: float) -> HoltFit:
    """Run Holt's method over `series` (at least 2 values). It starts from the first value as
    the level and the mean change over the first (up to) four weeks as the trend, so one odd
    second week does not set the trend."""
    if len(series) < 2:
        raise ValueError("Holt's method needs at least two values")
    span = min(4, len(series) - 1)
    level, trend = float(series[0]), (series[span] - series[0]) / span
    errors = []
    for value in series[1:]:
        errors.append(value - (level + trend))
        previous = level
        level = alpha * value + (1 - alpha) * (level + trend)
        trend = beta * (level - previous) + (1 - beta) * trend
    return HoltFit(alpha, beta, level, trend, sum(e * e for e in errors), tuple(errors))


def fit_holt(
    series: list[float], alphas: tuple[float, ...] = ALPHAS, betas: tuple[float, ...] = BETAS
) -> HoltFit:
    """The (alpha, beta) of the grid with the smallest squared one-step error; ties go to the
    smoother (smaller) parameters, which come first in the grid."""
    best: HoltFit | None = None
    for alpha in alphas:
        for beta in betas:
            fit = holt(series, alpha, beta)
            if best is None or fit.sse < best.sse - 1e-9:
                best = fit
    assert best is not None
    return best


@dataclass(frozen=True)
class ReorderPoint:
    lead_time_demand: float
    safety_stock: float

    @property
    def point(self) -> int:
        """Whole units: an order is due when available stock falls below this."""
        return math.ceil(self.lead_time_demand + self.safety_stock - 1e-9)


def demand_over(forecast: list[float], days: int) -> float:
    """The forecast demand over the next `days` (weeks in full, the last one pro rata; past
    the forecast's end its last week repeats)."""
    if days <= 0 or not forecast:
        return 0.0
    weeks, rest = divmod(days, 7)
    padded = forecast + [forecast[-1]] * (weeks + 1)
    return sum(padded[:weeks]) + padded[weeks] * rest / 7


def service_factor(service_level: float) -> float:
    """z for a cycle service level (0.95 → 1.645): the normal quantile."""
    if not 0.5 <= service_level < 1:
        raise ValueError("service level must be in [0.5, 1)")
    return NormalDist().inv_cdf(service_level)


def reorder_point(
    *, forecast: list[float], sigma: float, lead_time_days: int, service_level: float
) -> ReorderPoint:
    """Forecast demand over the lead time + z × sigma × √(lead time in weeks)."""
    weeks = lead_time_days / 7
    safety = service_factor(service_level) * sigma * math.sqrt(weeks) if weeks > 0 else 0.0
    return ReorderPoint(demand_over(forecast, lead_time_days), safety)


def suggested_quantity(*, target: float, available: int, pack_size: int = 1) -> int:
    """Units to order to bring `available` up to `target`, in whole packs (0 if none)."""
    missing = math.ceil(target - available - 1e-9)
    if missing <= 0:
        return 0
    pack = max(pack_size, 1)
    return -(-missing // pack) * pack
