"""The forecast chart of the product page: drawn on the server as SVG, like the margin report's
(billing.margin_views.margin_chart), in the same style classes (oms-chart-*): no script, no CDN,
prints as it shows. The same numbers are in a table under it."""

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from inventory.models import DemandForecast
from inventory.replenishment import forecast_weeks


def forecast_chart(forecast: DemandForecast) -> SafeString:
    """Weekly units sold (a grey line) then forecast (a dashed blue line), with the week axis
    labelled every few weeks and the value axis at 0 and its maximum."""
    weeks = forecast_weeks(forecast)
    if not weeks:
        return mark_safe("")
    left, top, plot_width, plot_height = 44, 24, 640, 150
    values = [v for _day, sold, ahead in weeks for v in (sold, ahead) if v is not None]
    highest = max([1.0, *(float(v) for v in values)])
    step = plot_width / max(len(weeks) - 1, 1)

    def point(index: int, value: float) -> str:
        y = top + plot_height - float(value) / highest * plot_height
        return f"{left + index * step:.1f},{y:.1f}"

    history = [point(i, sold) for i, (_day, sold, _a) in enumerate(weeks) if sold is not None]
    last = len(forecast.history) - 1
    ahead = [point(last, forecast.history[-1])] if forecast.history else []
    ahead += [point(i, value) for i, (_d, _s, value) in enumerate(weeks) if value is not None]
    label = _("Weekly units sold and forecast, %(warehouse)s") % {
        "warehouse": forecast.warehouse.code
    }
    height, width = top + plot_height + 30, left + plot_width + 20
    parts = [
        f'<svg class="oms-chart" role="img" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(label)}">',
        f'<rect x="{left}" y="4" width="12" height="3" class="oms-chart-history-key"/>'
        f'<text x="{left + 16}" y="10" class="oms-chart-legend">{escape(_("Sold"))}</text>'
        f'<rect x="{left + 90}" y="4" width="12" height="3" class="oms-chart-forecast-key"/>'
        f'<text x="{left + 106}" y="10" class="oms-chart-legend">{escape(_("Forecast"))}</text>',
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_height}" class="oms-chart-axis"/>'
        f'<line x1="{left}" x2="{left + plot_width}" y1="{top + plot_height}" '
        f'y2="{top + plot_height}" class="oms-chart-axis"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" class="oms-chart-value">'
        f"{highest:.0f}</text>"
        f'<text x="{left - 6}" y="{top + plot_height}" text-anchor="end" '
        f'class="oms-chart-value">0</text>',
    ]
    if ahead:
        boundary = left + last * step
        parts.append(
            f'<line x1="{boundary:.1f}" x2="{boundary:.1f}" y1="{top}" y2="{top + plot_height}" '
            f'class="oms-chart-today"/>'
        )
    every = max(len(weeks) // 8, 1)
    for index, (day, _sold, _ahead) in enumerate(weeks):
        if index % every == 0:
            parts.append(
                f'<text x="{left + index * step:.1f}" y="{top + plot_height + 16}" '
                f'text-anchor="middle" class="oms-chart-value">'
                f"{escape(date_format(day, 'm-d'))}</text>"
            )
    if history:
        parts.append(f'<polyline points="{" ".join(history)}" class="oms-chart-history"/>')
    if len(ahead) > 1:
        parts.append(f'<polyline points="{" ".join(ahead)}" class="oms-chart-forecast"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
