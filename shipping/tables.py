from datetime import date

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from oms.tables import (
    NUMERIC,
    ActiveColumn,
    BaseTable,
    DateColumn,
    DateTimeColumn,
    MoneyColumn,
    QuantityColumn,
    format_money,
)
from oms.workdays import WorkingCalendar, working_calendar
from shipping.attention import Why, reasons_of
from shipping.models import Carrier, Rate, Shipment, ShipmentLine
from shipping.ontime import OnTime
from shipping.rates import plain
from shipping.templatetags.shipping import shipment_status_badge


class ChooseColumn(tables.Column):
    """A column of checkboxes (the table renders them); its header is for screen readers."""

    def __init__(self, **kwargs):
        kwargs.update(empty_values=(), orderable=False, exclude_from_export=True)
        super().__init__(**kwargs)

    @property
    def header(self):
        return format_html('<span class="visually-hidden">{}</span>', _("Choose"))


class ChooseAllColumn(ChooseColumn):
    """Checkboxes with one in the header that ticks every row on the page (oms.js)."""

    @property
    def header(self):
        return format_html(
            '<input class="form-check-input" type="checkbox" data-check-all="shipment" '
            'aria-label="{}">',
            _("Choose every shipment on this page"),
        )


class ShipmentTable(BaseTable):
    # Ticks for batch printing: the checkboxes belong to the list page's print form.
    choose = ChooseAllColumn()
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
    delivery = tables.Column(
        verbose_name=_("Delivery slot / pickup"),
        accessor="delivery_slot",
        order_by=("delivery_slot",),
        empty_values=(),  # a pickup shipment has no slot but shows its point
        attrs={"td": {"class": "text-nowrap"}},
    )
    parcels = tables.Column(attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}})
    expected_delivery_date = DateColumn(verbose_name=_("Expected"))
    dispatched_at = DateTimeColumn(verbose_name=_("Dispatched"))
    created_at = DateTimeColumn(verbose_name=_("Created"))

    class Meta(BaseTable.Meta):
        model = Shipment
        fields = (
            "choose",
            "number",
            "order",
            "warehouse",
            "status",
            "carrier",
            "tracking_number",
            "delivery",
            "parcels",
            "expected_delivery_date",
            "dispatched_at",
            "created_at",
        )
        empty_text = _("No shipments match these filters.")

    def render_status(self, value, record):
        return shipment_status_badge(record.status)

    def render_choose(self, record):
        return format_html(
            '<input class="form-check-input" type="checkbox" name="shipment" value="{}" '
            'form="batch-print" aria-label="{}">',
            record.pk,
            record.number,
        )

    def render_delivery(self, value, record):
        if record.pickup_point_id is not None:
            return _("Pickup: %(point)s") % {"point": record.pickup_point.name}
        return value or ""

    def value_delivery(self, value, record):
        return self.render_delivery(value, record)


class ShipmentLineTable(BaseTable):
    """The goods of one shipment on its page. While it may be packed, each line's lot is an
    input of the page's pack form (the cell template reads `can` from the page)."""

    line_no = tables.Column(accessor="order_line__line_no", verbose_name=_("Line"))
    sku = tables.Column(
        accessor="product__sku",
        verbose_name=_("SKU"),
        linkify=lambda record: record.product.get_absolute_url(),
    )
    product = tables.Column(accessor="product__name", verbose_name=_("Product"))
    quantity = QuantityColumn(verbose_name=_("Quantity"))
    lot = tables.TemplateColumn(
        template_name="shipping/cells/shipment_line_lot.html", verbose_name=_("Lot / batch")
    )

    class Meta(BaseTable.Meta):
        model = ShipmentLine
        fields = ()
        orderable = False
        attrs = {"class": "table table-sm align-middle mb-0"}

    def render_product(self, value, record):
        if record.product.fragile:
            return format_html(
                '{} <span class="badge text-bg-danger">{}</span>', value, _("Fragile")
            )
        return value


class WaveTable(BaseTable):
    """The wave page's shipments still to pick, each chosen with a checkbox of the pick list
    form (GET `shipment=<number>`, repeated)."""

    choose = ChooseColumn()
    number = tables.Column(verbose_name=_("Shipment"))
    order = tables.Column(accessor="order__number", verbose_name=_("Order"))
    status = tables.Column(verbose_name=_("Status"))
    priority = tables.Column(
        accessor="order__priority_score",
        verbose_name=_("Priority"),
        attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}},
    )
    requested_delivery_date = DateColumn(
        accessor="order__requested_delivery_date",
        verbose_name=_("Requested delivery"),
        format="DATE_FORMAT",
    )
    delivery_slot = tables.Column(verbose_name=_("Delivery slot"), default="")

    class Meta(BaseTable.Meta):
        model = Shipment
        fields = ()
        orderable = False
        attrs = {"class": "table table-sm align-middle mb-0"}

    def render_choose(self, record):
        return format_html(
            '<input class="form-check-input" type="checkbox" name="shipment" value="{}" '
            'id="wave-{}" checked>',
            record.number,
            record.pk,
        )

    def render_number(self, value, record):
        return format_html(
            '<label for="wave-{}"><a href="{}">{}</a></label>',
            record.pk,
            record.get_absolute_url(),
            value,
        )

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
    on_time = tables.Column(
        accessor="on_time_count",
        verbose_name=_("On time"),
        attrs=NUMERIC,
        orderable=False,
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
            "on_time",
        )
        empty_text = _("No carriers yet.")

    def render_on_time(self, value, record):
        return on_time_text(OnTime(record.measured_count, value))

    def value_on_time(self, value, record):
        percent = OnTime(record.measured_count, value).percent
        return "" if percent is None else percent


def on_time_text(on_time: OnTime) -> str:
    """ "92% (46 of 50)": delivered by the promised date, of the deliveries measured."""
    if on_time.percent is None:
        return "—"
    return _("%(percent)s%% (%(on_time)s of %(delivered)s)") % {
        "percent": on_time.percent,
        "on_time": on_time.on_time,
        "delivered": on_time.delivered,
    }


def _kg(value) -> str:
    return f"{plain(value)} kg"


class RateTable(BaseTable):
    """A rate card row on one line: the weight prices, then the surcharge and fee rules."""

    carrier = tables.Column(
        accessor="service__carrier__name",
        verbose_name=_("Carrier"),
        linkify=lambda record: record.service.carrier.get_absolute_url(),
    )
    service = tables.Column(accessor="service__level", verbose_name=_("Service"))
    origin = tables.Column(verbose_name=_("Origin province"))
    destination = tables.Column(verbose_name=_("Destination province or zone"))
    transit_days = tables.Column(verbose_name=_("Transit working days"), attrs=NUMERIC)
    first = tables.Column(accessor="first_fee", verbose_name=_("First weight"), attrs=NUMERIC)
    step = tables.Column(accessor="step_fee", verbose_name=_("Each additional step"), attrs=NUMERIC)
    remote_surcharge = MoneyColumn()
    cod = tables.Column(accessor="cod_fixed_fee", verbose_name=_("Cash on delivery"))
    insurance = tables.Column(accessor="insurance_percent", verbose_name=_("Insurance"))

    class Meta(BaseTable.Meta):
        model = Rate
        fields = (
            "carrier",
            "service",
            "origin",
            "destination",
            "transit_days",
            "first",
            "step",
            "remote_surcharge",
            "cod",
            "insurance",
        )
        empty_text = _("No rate card rows yet: import a CSV.")

    def render_service(self, value, record):
        return record.service.get_level_display()

    def render_first(self, value, record):
        return f"{_kg(record.first_weight_kg)} {format_money(value)}"

    def render_step(self, value, record):
        return f"{_kg(record.step_kg)} {format_money(value)}"

    def render_cod(self, value, record):
        return _("%(fee)s up to %(limit)s, then %(percent)s%% (at most %(cap)s)") % {
            "fee": format_money(value),
            "limit": format_money(record.cod_fixed_up_to),
            "percent": plain(record.cod_percent),
            "cap": format_money(record.cod_cap),
        }

    def render_insurance(self, value, record):
        return _("%(percent)s%%, at least %(minimum)s") % {
            "percent": plain(value),
            "minimum": format_money(record.insurance_minimum),
        }


class AttentionTable(ShipmentTable):
    """The exceptions queue: a shipment, where it stands and why it needs attention."""

    news_at = DateTimeColumn(verbose_name=_("Last carrier news"), orderable=True)
    why = tables.Column(verbose_name=_("Why"), empty_values=(), orderable=False)

    class Meta(ShipmentTable.Meta):
        fields = (
            "number",
            "why",
            "order",
            "warehouse",
            "status",
            "carrier",
            "tracking_number",
            "expected_delivery_date",
            "news_at",
        )
        # Why first after the number: on a phone the reasons show without scrolling.
        sequence = fields
        exclude = ("parcels", "dispatched_at", "created_at")
        empty_text = _("No shipment needs attention.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()
        self.calendars: dict[int, WorkingCalendar] = {}

    def reasons(self, record) -> list[Why]:
        days = [
            record.expected_delivery_date,
            record.news_at and timezone.localdate(record.news_at),
        ]
        first = min([d for d in days if d] + [self.today]).year  # type: ignore[type-var]
        if first not in self.calendars:  # one query per year a page reaches back to
            self.calendars[first] = working_calendar(date(first, 1, 1), self.today)
        return reasons_of(record, self.calendars[first], self.today)

    def render_why(self, record):
        return format_html_join(
            "",
            '<div><span class="badge attention-{} tone-{}">{}</span>'
            ' <span class="small text-muted">{}</span></div>',
            ((why.reason, why.tone, why.label, why.detail) for why in self.reasons(record)),
        )

    def value_why(self, record):
        return "; ".join(
            f"{why.label} ({why.detail})" if why.detail else why.label
            for why in self.reasons(record)
        )
