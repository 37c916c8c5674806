import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from oms.tables import NUMERIC, ActiveColumn, BaseTable, DateColumn, DateTimeColumn, MoneyColumn
from shipping.models import Carrier, Rate, Shipment
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


class CarrierTable(BaseTable):
    name = tables.Column(linkify=True)
    code = tables.Column()
    active = ActiveColumn()
    services = tables.Column(
        accessor="service_count", verbose_name=_("Services"), attrs=NUMERIC, orderable=False
    )
    lanes = tables.Column(
        accessor="lane_count", verbose_name=_("Rate card rows"), attrs=NUMERIC, orderable=False
    )

    class Meta(BaseTable.Meta):
        model = Carrier
        fields = (
            "name",
            "code",
            "active",
            "supports_cod",
            "supports_insurance",
            "fragile_goods",
            "tracking_kind",
            "services",
            "lanes",
        )
        empty_text = _("No carriers yet.")


class RateTable(BaseTable):
    service = tables.Column(accessor="service__level", verbose_name=_("Service"))
    transit_days = tables.Column(attrs=NUMERIC)
    first_weight_kg = tables.Column(attrs=NUMERIC)
    first_fee = MoneyColumn()
    step_kg = tables.Column(attrs=NUMERIC)
    step_fee = MoneyColumn()
    remote_surcharge = MoneyColumn()

    class Meta(BaseTable.Meta):
        model = Rate
        fields = (
            "service",
            "origin",
            "destination",
            "transit_days",
            "first_weight_kg",
            "first_fee",
            "step_kg",
            "step_fee",
            "remote_surcharge",
            "cod_fixed_fee",
            "cod_fixed_up_to",
            "cod_percent",
            "cod_cap",
            "insurance_percent",
            "insurance_minimum",
        )
        empty_text = _("No rate card rows yet: import a CSV.")

    def render_service(self, value, record):
        return record.service.get_level_display()
