import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from oms.tables import BaseTable, DateColumn, DateTimeColumn
from shipping.models import Shipment
from shipping.templatetags.shipping import shipment_status_badge


class ShipmentTable(BaseTable):
    number = tables.Column(linkify=True, attrs={"td": {"class": "text-nowrap"}})
    order = tables.Column(
        accessor="order__number",
        verbose_name=_("Order"),
        order_by=("order__number",),
        linkify=lambda record: record.order.get_absolute_url(),
        attrs={"td": {"class": "text-nowrap"}},
    )
    warehouse = tables.Column(
        accessor="warehouse__code", verbose_name=_("Warehouse"), order_by=("warehouse__code",)
    )
    status = tables.Column()
    carrier = tables.Column()
    tracking_number = tables.Column()
    parcels = tables.Column(attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}})
    expected_delivery_date = DateColumn(verbose_name=_("Expected"))
    dispatched_at = DateTimeColumn(verbose_name=_("Dispatched"))
    created_at = DateTimeColumn(verbose_name=_("Created"))

    class Meta(BaseTable.Meta):
        model = Shipment
        fields = (
            "number",
            "order",
            "warehouse",
            "status",
            "carrier",
            "tracking_number",
            "parcels",
            "expected_delivery_date",
            "dispatched_at",
            "created_at",
        )
        empty_text = _("No shipments match these filters.")

    def render_status(self, value, record):
        return shipment_status_badge(record.status)
