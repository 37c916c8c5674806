import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from aftersales.models import ReturnRequest
from aftersales.templatetags.return_tags import return_status_badge
from oms.tables import BaseTable, DateTimeColumn

REASON_TEXT_SHOWN = 60


class ReturnTable(BaseTable):
    number = tables.Column(
        verbose_name=_("RMA"),
        linkify=lambda record: record.get_absolute_url(),
        attrs={"td": {"class": "text-nowrap"}},
        empty_values=(),
        order_by=("number", "id"),
    )
    order = tables.Column(
        accessor="order__number",
        verbose_name=_("Order"),
        linkify=lambda record: record.order.get_absolute_url(),
    )
    customer = tables.Column(
        accessor="customer__name", verbose_name=_("Customer"), order_by=("customer__name",)
    )
    created_at = DateTimeColumn(verbose_name=_("Requested"))
    reason = tables.Column()
    reason_text = tables.Column(verbose_name=_("Description"), orderable=False)
    resolution = tables.Column()
    source = tables.Column()
    status = tables.Column()

    class Meta(BaseTable.Meta):
        model = ReturnRequest
        fields = (
            "number",
            "order",
            "customer",
            "created_at",
            "reason",
            "reason_text",
            "resolution",
            "source",
            "status",
        )
        empty_text = _("No returns match these filters.")

    def render_number(self, value, record):
        return value or _("#%(id)s (not approved)") % {"id": record.pk}

    def value_number(self, value):
        return value or ""

    def render_reason_text(self, value):
        # Escaped by django-tables2 like every plain value; shortened for the list.
        return value if len(value) <= REASON_TEXT_SHOWN else value[: REASON_TEXT_SHOWN - 1] + "…"

    def render_status(self, value, record):
        return return_status_badge(record.status)
