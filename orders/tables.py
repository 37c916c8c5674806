import django_tables2 as tables
from django.db.models import Value
from django.db.models.functions import Concat
from django.template.defaultfilters import floatformat
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from oms.tables import (
    NUMERIC,
    ActiveColumn,
    BaseTable,
    DateColumn,
    DateTimeColumn,
    FooterCell,
    MoneyColumn,
    QuantityColumn,
    fast_format_html,
    format_money,
)
from orders.choices import PromotionKind, PromotionScope
from orders.intake.channels import channel_name_expression, channel_names
from orders.models import (
    Approval,
    ApprovalRule,
    Order,
    OrderLine,
    PriceList,
    Promotion,
    ShippingRule,
)
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
    # The code (the column itself: no join); shown and exported as the channel's name.
    channel = tables.Column(accessor="channel_id", verbose_name=_("Channel"))
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
    # plain values rather than model instances (oms.exports); status exports as its label,
    # the channel as its name.
    @property
    def export_values(self):
        # Built per export: the first channels' standard names in the active language.
        return {
            "customer": Concat("customer__name", Value(" ("), "customer__code", Value(")")),
            "channel": channel_name_expression(),
        }

    def render_status(self, value, record):
        return status_badge(record)

    def render_channel(self, value):
        if not hasattr(self, "_channel_names"):
            self._channel_names = channel_names()
        return self._channel_names.get(value, value)

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
        sequence = fields
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
    # Stored as codes: worded here, in the reader's language (empty_values: "" is not empty).
    reason = tables.Column(empty_values=())
    created_at = DateTimeColumn(verbose_name=_("Waiting since"))

    class Meta(BaseTable.Meta):
        model = Approval
        fields = ("order", "customer", "total", "level", "required_role", "reason", "created_at")
        orderable = False
        empty_text = _("Nothing waits for your approval.")

    def render_reason(self, value, record):
        return record.reason_text()

    def value_reason(self, value, record):
        return record.reason_text()


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


# ---------------------------------------------------------------- pricing rules


class YesNoColumn(tables.BooleanColumn):
    """Yes / No in words (both languages) rather than ticks, in the table and the CSV."""

    def render(self, value, record, bound_column):
        return _("Yes") if value else _("No")

    def value(self, value):
        return "yes" if value else "no"


class PriceListTable(BaseTable):
    name = tables.Column(linkify=True)
    customer_group = tables.Column()
    prices_include_tax = tables.Column(verbose_name=_("Prices"))
    products = tables.Column(
        verbose_name=_("Products"),
        attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}},
    )
    is_active = ActiveColumn()

    class Meta(BaseTable.Meta):
        model = PriceList
        fields = ("name", "customer_group", "prices_include_tax", "products", "is_active")
        empty_text = _("No price lists match these filters.")

    def render_prices_include_tax(self, value):
        return _("Including tax") if value else _("Excluding tax")

    def value_prices_include_tax(self, value):
        return _("Including tax") if value else _("Excluding tax")


class PromotionTable(BaseTable):
    name = tables.Column(linkify=True)
    kind = tables.Column()
    value = tables.Column(attrs=NUMERIC)
    scope = tables.Column(verbose_name=_("Applies to"))
    starts_on = tables.DateColumn(format="SHORT_DATE_FORMAT")
    ends_on = tables.DateColumn(format="SHORT_DATE_FORMAT")
    stackable = YesNoColumn(verbose_name=_("Stacks"))
    is_active = ActiveColumn()

    class Meta(BaseTable.Meta):
        model = Promotion
        fields = (
            "name",
            "kind",
            "value",
            "scope",
            "starts_on",
            "ends_on",
            "stackable",
            "is_active",
        )
        empty_text = _("No promotions match these filters.")

    def render_value(self, value, record):
        if record.kind == PromotionKind.PERCENT:
            return f"{value.normalize():f}%"
        return format_money(value)

    def value_value(self, value):
        return value

    def render_scope(self, value, record):
        target = promotion_target(record)
        return (
            format_html("{} <span class='text-muted'>{}</span>", value, target) if target else value
        )

    def value_scope(self, value, record):
        return " ".join(filter(None, [str(record.get_scope_display()), promotion_target(record)]))


def promotion_target(promotion: Promotion) -> str:
    if promotion.scope == PromotionScope.PRODUCT and promotion.product_id:
        return promotion.product.sku
    if promotion.scope == PromotionScope.CATEGORY and promotion.category_id:
        return str(promotion.category)
    if promotion.scope == PromotionScope.TIER and promotion.customer_tier:
        return str(promotion.get_customer_tier_display())
    return ""


class ShippingRuleTable(BaseTable):
    name = tables.Column(linkify=True)
    region = tables.Column(default=_("Every region"))
    max_weight_kg = tables.Column(verbose_name=_("Up to kg"), attrs=NUMERIC, default=_("Any"))
    base_fee = MoneyColumn()
    per_kg_fee = MoneyColumn()
    free_above = MoneyColumn(default=_("Never"))
    is_active = ActiveColumn()

    class Meta(BaseTable.Meta):
        model = ShippingRule
        fields = (
            "name",
            "region",
            "max_weight_kg",
            "base_fee",
            "per_kg_fee",
            "free_above",
            "is_active",
        )
        empty_text = _("No shipping fee rules match these filters: orders ship free.")

    def render_max_weight_kg(self, value):
        return number_format(value.normalize(), force_grouping=True)


# ---------------------------------------------------------------- an order's lines


def labelled(label, amount) -> str:
    """ "Tax ¥12.00"; a negative amount (a discount) with a minus sign: "Discounts −¥5.00"."""
    if amount < 0:
        return f"{label} −{format_money(-amount)}"
    return f"{label} {format_money(amount)}"


class OrderLineTable(BaseTable):
    """The lines of one order on its page, with its totals underneath."""

    line_no = tables.Column(verbose_name="#")
    sku = tables.Column(
        accessor="product__sku",
        verbose_name=_("SKU"),
        linkify=lambda record: record.product.get_absolute_url(),
    )
    description = tables.Column(verbose_name=_("Description"))
    quantity = QuantityColumn(verbose_name=_("Quantity"))
    unit_price = MoneyColumn(verbose_name=_("Unit price"))
    discount = tables.Column(accessor="discount_percent", verbose_name=_("Discount"), attrs=NUMERIC)
    tax_amount = MoneyColumn(verbose_name=_("Tax"))
    line_total = MoneyColumn(
        verbose_name=_("Line total"),
        attrs={**NUMERIC, "td": {"class": "text-end font-monospace-num fw-semibold"}},
    )
    allocations = tables.Column(verbose_name=_("Allocated"), empty_values=())

    class Meta(BaseTable.Meta):
        model = OrderLine
        fields = ()
        orderable = False
        attrs = {"class": "table table-sm align-middle mb-0"}

    def __init__(self, data, *, order: Order, **kwargs):
        self.order = order
        super().__init__(data, **kwargs)

    def render_sku(self, value, record):
        if record.made_to_order:
            return format_html(
                '{} <span class="badge text-bg-info">{}</span>', value, _("made to order")
            )
        return value

    def render_description(self, value, record):
        if record.promotions:
            return format_html(
                '{}<div class="small text-success">{}</div>', value, ", ".join(record.promotions)
            )
        return value

    def render_discount(self, value, record):
        parts = []
        if record.discount_percent:
            parts.append(f"{floatformat(record.discount_percent, '-2')}%")
        if record.promotion_discount:
            parts.append(f"−{format_money(record.promotion_discount)}")
        return " ".join(parts)

    def render_allocations(self, record):
        badges = format_html_join(
            "",
            '<span class="badge text-bg-primary-subtle text-primary-emphasis border me-1">'
            "{} × {}</span>",
            ((a.stock_level.warehouse.code, a.quantity) for a in record.allocations.all()),
        )
        if badges or not self.order.expects_allocation:
            return badges
        return format_html('<span class="text-muted small">{}</span>', "—")

    def summary_footer(self) -> list[FooterCell]:
        order = self.order
        return [
            FooterCell(
                " · ".join(
                    [
                        labelled(_("Subtotal (excl. tax)"), order.subtotal),
                        labelled(pgettext("charge", "Shipping"), order.shipping_fee),
                        *shipping_tax_part(order),
                    ]
                ),
                colspan=6,
            ),
            FooterCell(format_money(order.tax_total)),
            FooterCell(format_money(order.total), css="text-end fw-semibold"),
            FooterCell("", css=""),
        ]


def shipping_tax_part(order: Order) -> list[str]:
    """The shipping's VAT and its rate (it is in the order's tax), when the shipping bears tax."""
    if not order.shipping_tax:
        return []
    rate = f"{(order.shipping_tax_rate * 100).normalize():f} %"
    return [labelled(_("Tax on shipping at %(rate)s") % {"rate": rate}, order.shipping_tax)]


class DraftLineTable(OrderLineTable):
    """The draft editor's lines: free stock, quantity and discount changed in place (htmx),
    a button to remove the line. The cell templates read `order` from the page."""

    sku = tables.Column(accessor="product__sku", verbose_name=_("SKU"))
    available = QuantityColumn(
        verbose_name=_("Free stock"),
        attrs={
            "th": {"class": "text-end"},
            "td": {
                "class": lambda record: (
                    "text-end text-danger fw-semibold"
                    if record.available < record.quantity and not record.made_to_order
                    else "text-end"
                )
            },
        },
    )
    quantity = tables.TemplateColumn(
        template_name="orders/cells/draft_line_quantity.html",
        verbose_name=_("Quantity"),
        attrs={"th": {"class": "oms-w-8"}},
    )
    discount_percent = tables.TemplateColumn(
        template_name="orders/cells/draft_line_discount.html",
        verbose_name=_("Discount %"),
        attrs={"th": {"class": "oms-w-7"}},
    )
    remove = tables.TemplateColumn(
        template_name="orders/cells/draft_line_remove.html",
        verbose_name="",
        attrs={"td": {"class": "text-end"}},
    )

    class Meta(OrderLineTable.Meta):
        attrs = {"class": "table table-sm align-middle mb-0", "id": "lines-table"}
        exclude = ("discount", "tax_amount", "allocations")
        sequence = (
            "line_no",
            "sku",
            "description",
            "available",
            "quantity",
            "discount_percent",
            "unit_price",
            "line_total",
            "remove",
        )
        empty_text = _("No lines yet: type a SKU above and press Enter.")

    summary_footer_css = ""

    def render_sku(self, value, record):
        return value

    def render_description(self, value, record):
        badge = (
            format_html(' <span class="badge text-bg-info">{}</span>', _("made to order"))
            if record.made_to_order
            else ""
        )
        return format_html("{}{}", super().render_description(value, record), badge)

    def summary_footer(self) -> list[FooterCell]:
        order = self.order
        parts = [
            labelled(_("Subtotal (excl. tax)"), order.subtotal),
            labelled(_("Tax"), order.tax_total),
            labelled(pgettext("charge", "Shipping"), order.shipping_fee),
            *shipping_tax_part(order),
        ]
        if order.discount_total:
            parts.append(labelled(_("Discounts"), -order.discount_total))
        total = format_html(
            '<strong class="fs-6">{} <span id="order-total">{}</span></strong>',
            _("Total"),
            format_money(order.total),
        )
        content = format_html("{} · {}", " · ".join(parts), total)
        return [FooterCell(content, colspan=9, id="order-totals")]


class AmendLineTable(BaseTable):
    """The amend page's lines: one row per form of the formset, with its new quantity."""

    line_no = tables.Column(accessor="line__line_no", verbose_name="#", empty_values=())
    sku = tables.Column(accessor="line__product__sku", verbose_name=_("SKU"))
    description = tables.Column(accessor="line__description", verbose_name=_("Description"))
    now = QuantityColumn(accessor="line__quantity", verbose_name=_("Now"))
    quantity = tables.TemplateColumn(
        template_name="orders/cells/amend_line_quantity.html",
        verbose_name=_("New quantity"),
        attrs={"th": {"class": "oms-w-9"}},
    )

    class Meta(BaseTable.Meta):
        orderable = False
        attrs = {"class": "table table-sm align-middle"}

    def render_line_no(self, value, record):
        # The line's number travels in a hidden field of its form.
        return format_html("{}{}", "" if value is None else value, record["line_no"])


class PriceRowTable(BaseTable):
    """A page of a price list's products, each with its quantity breaks (`product.breaks`)."""

    sku = tables.Column(verbose_name=_("SKU"))
    name = tables.Column(verbose_name=_("Product"))
    breaks = tables.Column(verbose_name=_("Quantity breaks"), empty_values=())
    change = tables.TemplateColumn(
        template_name="orders/cells/price_row_actions.html",
        verbose_name="",
        attrs={"td": {"class": "text-end text-nowrap"}},
    )

    class Meta(BaseTable.Meta):
        orderable = False
        attrs = {"class": "table table-sm align-middle mb-0", "id": "price-rows"}

    def render_sku(self, value, record):
        link = format_html('<a href="{}">{}</a>', record.get_absolute_url(), value)
        if record.is_active:
            return link
        return format_html(
            '{} <span class="badge text-bg-secondary">{}</span>', link, _("Inactive")
        )

    def render_breaks(self, record):
        return format_html_join(
            "",
            '<span class="oms-break"><span class="text-muted">≥{}</span> {}</span>',
            (
                (number_format(b.min_quantity, force_grouping=True), format_money(b.unit_price))
                for b in record.breaks
            ),
        )
