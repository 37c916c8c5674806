from django import template

from inventory.choices import STOCK_COUNT_STATUS_TONES, StockCountStatus
from oms.templatetags.oms import status_badge_html

register = template.Library()


@register.filter
def stock_count_badge(status: str) -> str:
    return status_badge_html(
        "stockcount",
        status,
        StockCountStatus(status).label,
        STOCK_COUNT_STATUS_TONES.get(status, "grey"),
    )
