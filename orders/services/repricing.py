"""Prices and priority written onto orders: the adapter between the database and the pure
functions of orders/pricing.py and orders/priority.py."""

from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from oms.errors import ServiceError
from oms.money import ZERO
from oms.reference_cache import reference_snapshot
from orders import pricing, reference
from orders.choices import PRIORITISED_STATUSES, OrderStatus
from orders.models import Order, OrderLine
from orders.priority import compute_priority

S = OrderStatus


def reprice(
    order: Order,
    lines: list[OrderLine] | None = None,
    *,
    today: date | None = None,
    save_lines: bool = True,
    save_order: bool = True,
) -> None:
    """Recompute every line and the order totals from the price list, promotions, tax and
    shipping rules. Saves lines and order unless told not to (new lines are priced before
    they are inserted, a new order before it is saved)."""
    today = today or timezone.localdate()
    lines = lines if lines is not None else list(order.lines.select_related("product"))
    if order.priced_as_sent:
        _total_as_sent(order, lines, today=today, save_lines=save_lines, save_order=save_order)
        return
    customer = order.customer
    # Price list, tax rates, promotions and shipping rules come from the per-process cache
    # (orders.reference): one statement checks it is current, none reads the tables again.
    # The tax rates are those of the day the order came in: an amendment keeps the rates the
    # order was priced with.
    with reference_snapshot():
        price_list, breaks = reference.group_prices(
            customer.group, {line.product_id for line in lines}
        )
        if price_list is None:
            raise ServiceError(
                _("There is no active price list for %(group)s customers.")
                % {"group": customer.get_group_display()}
            )
        rates = reference.tax_rates(entry_day(order))
        promotions = reference.promotions_on(today)
        rules = reference.shipping_rules()
    priced = []
    weight = Decimal(0)
    for line in lines:
        product = line.product
        try:
            unit_price = pricing.unit_price_for(breaks.get(product.pk, []), line.quantity)
        except pricing.PricingError:
            raise ServiceError(
                _("Price list %(list)s has no price for %(sku)s.")
                % {"list": price_list.name, "sku": product.sku}
            ) from None
        tax_class = product.tax_class_id or ""
        rate = rates.get(tax_class)
        if rate is None:
            raise ServiceError(
                _("Tax class %(class)s of %(sku)s has no rate on %(day)s: finance enters it.")
                % {"class": product.tax_class_id, "sku": product.sku, "day": entry_day(order)}
            )
        result = pricing.price_line(
            pricing.LineInput(
                product_id=product.pk,
                quantity=line.quantity,
                tax_class=tax_class,
                category_id=product.category_id,
                discount_percent=line.discount_percent,
            ),
            unit_price=unit_price,
            promotions=promotions,
            customer_tier=customer.tier,
            on=today,
            prices_include_tax=price_list.prices_include_tax,
            tax_rates={tax_class: rate},
        )
        priced.append(result)
        weight += product.weight_kg * line.quantity
        line.unit_price = result.unit_price
        line.promotion_discount = result.promotion_discount
        line.promotions = list(result.promotions)
        line.net_amount = result.net_amount
        line.tax_rate = result.tax_rate
        line.tax_amount = result.tax_amount
        line.line_total = result.line_total
    if save_lines:
        OrderLine.objects.bulk_update(lines, PRICED_FIELDS)
    goods = sum((p.line_total for p in priced), ZERO)
    # Goods sent again for a return (orders.services.replacement) travel at our cost.
    fee = (
        pricing.shipping_fee(rules, region=order.ship_region, weight_kg=weight, goods_amount=goods)
        if lines and order.replaces_id is None
        else ZERO
    )
    totals = pricing.order_totals(priced, shipping=fee, weight_kg=weight)
    order.prices_include_tax = price_list.prices_include_tax
    _write_totals(order, totals)
    update_priority(order, today=today)
    if save_order:
        order.save()


PRICED_FIELDS = [
    "unit_price",
    "promotion_discount",
    "promotions",
    "net_amount",
    "tax_rate",
    "tax_amount",
    "line_total",
]


def _total_as_sent(
    order: Order, lines: list[OrderLine], *, today: date, save_lines: bool, save_order: bool
) -> None:
    """A channel's order: each line's own unit price, discount and tax rate as the channel
    sent them (kept on the line), the order's gross/net flag and its shipping fee; no price
    list, no promotion. Quantities may change (amendments); prices never do."""
    priced = []
    weight = Decimal(0)
    for line in lines:
        result = pricing.price_line(
            pricing.LineInput(
                product_id=line.product_id,
                quantity=line.quantity,
                tax_class="sent",
                discount_percent=line.discount_percent,
            ),
            unit_price=line.unit_price,
            on=today,
            prices_include_tax=order.prices_include_tax,
            tax_rates={"sent": line.tax_rate},
        )
        priced.append(result)
        weight += line.product.weight_kg * line.quantity
        line.promotion_discount, line.promotions = result.promotion_discount, []
        line.net_amount, line.tax_amount = result.net_amount, result.tax_amount
        line.line_total = result.line_total
    if save_lines:
        OrderLine.objects.bulk_update(lines, PRICED_FIELDS)
    _write_totals(
        order, pricing.order_totals(priced, shipping=order.shipping_fee, weight_kg=weight)
    )
    update_priority(order, today=today)
    if save_order:
        order.save()


def _write_totals(order: Order, totals: pricing.Totals) -> None:
    order.subtotal, order.discount_total, order.tax_total = (
        totals.subtotal,
        totals.discount_total,
        totals.tax_total,
    )
    order.shipping_fee, order.total, order.total_weight_kg = (
        totals.shipping_fee,
        totals.total,
        totals.weight_kg,
    )
    # The shipping's VAT (in tax_total too), at the highest rate of the lines' rates of the
    # order's entry day (orders.pricing.shipping_tax_rate).
    order.shipping_tax, order.shipping_tax_rate = totals.shipping_tax, totals.shipping_tax_rate


def update_priority(order: Order, *, today: date | None = None) -> None:
    """Recompute the order's score and reasons in memory; the caller saves."""
    order.priority_score, order.priority_reasons = compute_priority(
        tier=order.customer.tier,
        requested=order.requested_delivery_date,
        total=order.total,
        boost=order.priority_boost,
        today=today or timezone.localdate(),
        entered=entry_day(order),
    )


def entry_day(order: Order) -> date:
    """The day the order came in (today for one being created)."""
    return timezone.localdate(order.created_at) if order.created_at else timezone.localdate()


def refresh_priorities(*, today: date | None = None) -> int:
    """Recompute the score of every open order: urgency grows as the requested date nears."""
    today = today or timezone.localdate()
    changed = 0
    open_orders = Order.objects.filter(status__in=PRIORITISED_STATUSES - {S.DRAFT})
    for order in (
        open_orders.select_related("customer")
        .only(
            "pk",
            "priority_score",
            "priority_reasons",
            "priority_boost",
            "total",
            "requested_delivery_date",
            "created_at",
            "customer__tier",
        )
        .iterator(chunk_size=2000)
    ):
        score, reasons = compute_priority(
            tier=order.customer.tier,
            requested=order.requested_delivery_date,
            total=order.total,
            boost=order.priority_boost,
            today=today,
            entered=entry_day(order),
        )
        if score != order.priority_score or reasons != order.priority_reasons:
            Order.objects.filter(pk=order.pk).update(priority_score=score, priority_reasons=reasons)
            changed += 1
    return changed
