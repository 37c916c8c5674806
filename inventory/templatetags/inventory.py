from django import template

from inventory.choices import (
    STOCK_COUNT_STATUS_TONES,
    WORK_ORDER_STAGE_TONES,
    StockCountStatus,
    WorkOrderStage,
)
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


@register.filter
def work_order_badge(stage: str) -> str:
    return status_badge_html(
        "workorder", stage, WorkOrderStage(stage).label, WORK_ORDER_STAGE_TONES.get(stage, "grey")
    )
