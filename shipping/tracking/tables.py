import django_tables2 as tables
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from shipping.tables import ShipmentTable
from shipping.templatetags.shipping import tracking_status_badge


class TrackedShipmentTable(ShipmentTable):
    """Shipments with what their carrier last reported (rows from
    `shipping.tracking.selectors.with_latest_tracking`)."""

    tracking = tables.Column(
        accessor="latest_tracking_status",
        verbose_name=_("Tracking"),
        orderable=False,
        empty_values=(None, ""),
    )

    def render_tracking(self, value, record):
        moment = formats.date_format(
            timezone.localtime(record.latest_tracking_time), "SHORT_DATETIME_FORMAT"
        )
        place = record.latest_tracking_place
        return format_html(
            '{} <span class="small text-muted text-nowrap">{}{}</span>',
            tracking_status_badge(value),
            f"{place} · " if place else "",
            moment,
        )
