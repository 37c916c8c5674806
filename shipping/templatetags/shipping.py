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


@register.filter
def tracking_status_badge(status: str) -> str:
    """A normalised tracking status in plain words, in its shipment status's colour."""
    from shipping.tracking.statuses import TRACKING_STATUS_TONES, TrackingStatus

    label = TrackingStatus(status).label if status in TrackingStatus.values else status
    return status_badge_html("tracking", status, label, TRACKING_STATUS_TONES.get(status, "grey"))


PARCEL_STATUS_TONES = {"open": "indigo", "dispatched": "teal", "unmerged": "grey"}


@register.filter
def parcel_status_badge(status: str) -> str:
    """A merged parcel's status: open like picking, dispatched like a dispatched shipment."""
    from shipping.models import MergedParcelStatus

    return status_badge_html(
        "parcel", status, MergedParcelStatus(status).label, PARCEL_STATUS_TONES.get(status, "grey")
    )


@register.filter
def order_split(split: dict[str, int]) -> str:
    """A wave row's units per order on one line: "SO-1 × 5; SO-2 × 7", each pair kept together by
    no-break spaces. Joined here rather than by a template loop: a 1,000-row pick list made the
    template loop per order, and the PDF's HTML parser decode an entity per &nbsp;."""
    from django.contrib.humanize.templatetags.humanize import intcomma

    return "; ".join(
        f"{number}\u00a0×\u00a0{intcomma(quantity)}" for number, quantity in split.items()
    )
