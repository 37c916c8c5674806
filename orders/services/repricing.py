"""Prices and priority written onto orders: the adapter between the database and the pure
functions of orders/pricing.py and orders/priority.py."""

from datetime import date
from decimal import Decimal

from django.db.models import OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.taxes import tax_rate_on
from oms.errors import ServiceError
from oms.money import ZERO
from orders import pricing
from orders.choices import PRIORITISED_STATUSES, OrderStatus
from orders.models import Order, OrderLine, PriceList, PriceListItem, Promotion, ShippingRule
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
    customer = order.customer
    # The group's one active price list comes with its items; only a list without items for
    # these products is looked up on its own.
    # With each item, its product's tax rate on the day the order came in: an amendment keeps
    # the rates the order was priced with, and the rates cost no statement of their own.
    items = list(
        PriceListItem.objects.select_related("price_list")
        .filter(
            price_list__customer_group=customer.group,
            price_list__is_active=True,
            product_id__in={line.product_id for line in lines},
        )
        .annotate(tax_rate=tax_rate_on(entry_day(order), OuterRef("product__tax_class")))
    )
    price_list = (
        items[0].price_list
        if items
        else PriceList.objects.filter(customer_group=customer.group, is_active=True).first()
    )
    if price_list is None:
        raise ServiceError(
            _("There is no active price list for %(group)s customers.")
            % {"group": customer.get_group_display()}
        )
    breaks: dict[int, list[pricing.PriceBreak]] = {}
    for item in items:
        breaks.setdefault(item.product_id, []).append(
            pricing.PriceBreak(item.min_quantity, item.unit_price)
        )
    promotions = [
        pricing.PromotionRule(
            id=p.pk,
            name=p.name,
            kind=p.kind,
            value=p.value,
            scope=p.scope,
            starts_on=p.starts_on,
            ends_on=p.ends_on,
            product_id=p.product_id,
            category_id=p.category_id,
            customer_tier=p.customer_tier,
            stackable=p.stackable,
        )
        for p in Promotion.objects.filter(is_active=True, starts_on__lte=today, ends_on__gte=today)
    ]
    rate_of_product = {item.product_id: item.tax_rate for item in items}
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
        rate = rate_of_product.get(product.pk)
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
        OrderLine.objects.bulk_update(
            lines,
            [
                "unit_price",
                "promotion_discount",
                "promotions",
                "net_amount",
                "tax_rate",
                "tax_amount",
                "line_total",
            ],
        )
    goods = sum((p.line_total for p in priced), ZERO)
    rules = [
        pricing.ShippingRuleData(
            r.pk, r.region, r.max_weight_kg, r.base_fee, r.per_kg_fee, r.free_above
        )
        for r in ShippingRule.objects.filter(is_active=True)
    ]
    fee = (
        pricing.shipping_fee(rules, region=order.ship_region, weight_kg=weight, goods_amount=goods)
        if lines
        else ZERO
    )
    totals = pricing.order_totals(priced, shipping=fee, weight_kg=weight)
    order.prices_include_tax = price_list.prices_include_tax
    order.subtotal, order.discount_total, order.tax_total = (
        totals.subtotal,
        totals.discount_total,
        totals.tax_total,
    )
    order.shipping_fee, order.total, order.total_weight_kg = (
        totals.shipping_fee,
        totals.total,
        weight,
    )
    update_priority(order, today=today)
    if save_order:
        order.save()


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
