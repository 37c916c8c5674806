from django import template

from oms.templatetags.oms import status_badge_html
from shipping.choices import SHIPMENT_STATUS_TONES, ShipmentStatus

register = template.Library()


@register.filter
def shipment_status_badge(status: str) -> str:
    """A shipment status in its one colour, namespaced as status-shipment-<status>."""
    return status_badge_html(
        "shipment", status, ShipmentStatus(status).label, SHIPMENT_STATUS_TONES.get(status, "grey")
    )
