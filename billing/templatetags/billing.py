from django import template

from billing.choices import INVOICE_STATUS_TONES, InvoiceStatus
from oms.templatetags.oms import status_badge_html

register = template.Library()


@register.filter
def invoice_status_badge(status: str) -> str:
    """An invoice status in its one colour, namespaced as status-invoice-<status>."""
    return status_badge_html(
        "invoice", status, InvoiceStatus(status).label, INVOICE_STATUS_TONES.get(status, "grey")
    )


@register.filter
def rate_percent(rate) -> str:
    """0.1300 → 13 %."""
    return f"{(rate * 100).normalize():f} %"
