import django_tables2 as tables
from django.db.models import Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from oms.tables import (
    ActiveColumn,
    BaseTable,
    DateColumn,
    DateTimeColumn,
    MoneyColumn,
    fast_format_html,
    format_money,
)
from orders.models import Approval, ApprovalRule, Order
from orders.templatetags.orders import priority_reason_text, status_badge


def page_total(table) -> str:
    rows = table.page.object_list if getattr(table, "page", None) else []
    return format_money(sum(getattr(row, "record", row).total for row in rows))


class OrderTable(BaseTable):
    number = tables.Column(linkify=True, attrs={"td": {"class": "text-nowrap"}})
    created_at = DateTimeColumn(verbose_name=_("Created"), attrs={"td": {"class": "text-nowrap"}})
    customer = tables.Column(
        accessor="customer__name",
        verbose_name=_("Customer"),
        order_by=("customer__name",),
        footer=_("Page total"),
    )
    channel = tables.Column()
    status = tables.Column()
    total = MoneyColumn(footer=page_total)
    priority_score = tables.Column(
        verbose_name=_("Priority"), attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}}
    )
    requested_delivery_date = DateColumn(verbose_name=_("Requested"))
    ship_region = tables.Column(verbose_name=_("Region"))

    class Meta(BaseTable.Meta):
        model = Order
        fields = (
            "number",
            "created_at",
            "customer",
            "channel",
            "status",
            "total",
            "priority_score",
            "requested_delivery_date",
            "ship_region",
        )
        empty_text = _("No orders match these filters.")

    # The customer exports as "name (code)", put together by the database, so exports read
    # plain values rather than model instances (oms.exports); status exports as its label.
    export_values = {
        "customer": Concat("customer__name", Value(" ("), "customer__code", Value(")"))
    }

    def render_status(self, value, record):
        return status_badge(record)

    def render_customer(self, value, record):
        return fast_format_html(
            '{} <span class="text-muted small">{}</span>', value, record.customer.code
        )


class QueueTable(OrderTable):
    reasons = tables.Column(accessor="priority_reasons", verbose_name=_("Why"), orderable=False)

    class Meta(OrderTable.Meta):
        fields = (
            "priority_score",
            "number",
            "customer",
            "status",
            "requested_delivery_date",
            "total",
            "reasons",
        )
        sequence = (
            "priority_score",
            "number",
            "customer",
            "status",
            "requested_delivery_date",
            "total",
            "reasons",
        )
        exclude = ("created_at", "channel", "ship_region")
        orderable = False
        empty_text = _("No open orders.")

    def render_reasons(self, value):
        return self.value_reasons(value) or "—"

    def value_reasons(self, value):
        return ", ".join(priority_reason_text(r) for r in value)


class ApprovalTable(BaseTable):
    order = tables.Column(
        accessor="order__number",
        verbose_name=_("Order"),
        linkify=lambda record: record.order.get_absolute_url(),
    )
    customer = tables.Column(accessor="order__customer__name", verbose_name=_("Customer"))
    total = MoneyColumn(accessor="order__total", verbose_name=_("Total"))
    level = tables.Column()
    required_role = tables.Column()
    reason = tables.Column()
    created_at = DateTimeColumn(verbose_name=_("Waiting since"))

    class Meta(BaseTable.Meta):
        model = Approval
        fields = ("order", "customer", "total", "level", "required_role", "reason", "created_at")
        orderable = False
        empty_text = _("Nothing waits for your approval.")


class ApprovalRuleTable(BaseTable):
    name = tables.Column(linkify=True)
    condition = tables.Column()
    threshold = MoneyColumn()
    required_role = tables.Column()
    level = tables.Column()
    is_active = ActiveColumn()

    class Meta(BaseTable.Meta):
        model = ApprovalRule
        fields = ("name", "condition", "threshold", "required_role", "level", "is_active")
        empty_text = _("No approval rules: every submitted order is confirmed at once.")
