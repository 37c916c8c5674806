"""Pricing as pure functions over Decimals: no database, no settings but the rounding mode.

Order of work for a line (DESIGN.md): the price list's unit price for the quantity →
promotions → the manual line discount → tax by the product's tax class (its rate on the order's
date, read by the caller from inventory's tax classes). Each money amount is
rounded to 0.01 once, per line: first the discounted amount, then the tax. The shipping fee
comes from the most specific matching rule and stays a net amount; it bears VAT like the goods it
goes with (价外费用), at the highest rate among the order's lines, rounded once. Totals are sums
of rounded amounts: tax_total includes the shipping's tax, so total = subtotal + tax_total +
shipping_fee.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from oms.money import ZERO, round_money

HUNDRED = Decimal(100)


class PricingError(ValueError):
    """A line cannot be priced (no price for the product, bad numbers)."""


@dataclass(frozen=True)
class PriceBreak:
    min_quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class PromotionRule:
    id: int
    name: str
    kind: str  # "percent" | "fixed"
    value: Decimal
    scope: str  # "all" | "product" | "category" | "tier"
    starts_on: date
    ends_on: date
    product_id: int | None = None
    category_id: int | None = None
    customer_tier: str = ""
    stackable: bool = False


@dataclass(frozen=True)
class LineInput:
    product_id: int
    quantity: int
    tax_class: str
    category_id: int | None = None
    discount_percent: Decimal = ZERO
    weight_kg: Decimal = ZERO


@dataclass(frozen=True)
class PricedLine:
    unit_price: Decimal
    gross_amount: Decimal
    promotion_discount: Decimal
    promotions: tuple[str, ...]
    manual_discount: Decimal
    net_amount: Decimal  # excluding tax, after discounts
    tax_rate: Decimal
    tax_amount: Decimal
    line_total: Decimal  # including tax

    @property
    def discount_total(self) -> Decimal:
        return self.promotion_discount + self.manual_discount


@dataclass(frozen=True)
class ShippingRuleData:
    id: int
    region: str  # "" for every region
    max_weight_kg: Decimal | None
    base_fee: Decimal
    per_kg_fee: Decimal = ZERO
    free_above: Decimal | None = None


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal  # net, excluding tax
    discount_total: Decimal
    tax_total: Decimal  # the lines' tax and the shipping's
    shipping_fee: Decimal  # net
    total: Decimal
    weight_kg: Decimal
    lines: tuple[PricedLine, ...] = field(default=())
    shipping_tax: Decimal = ZERO
    shipping_tax_rate: Decimal = ZERO


def unit_price_for(breaks: Iterable[PriceBreak], quantity: int) -> Decimal:
    """The price of the highest quantity break the quantity reaches."""
    reached = [b for b in breaks if b.min_quantity <= quantity]
    if quantity < 1:
        raise PricingError("quantity must be at least 1")
    if not reached:
        raise PricingError("no price for this quantity")
    return max(reached, key=lambda b: b.min_quantity).unit_price


def promotion_applies(promo: PromotionRule, line: LineInput, customer_tier: str, on: date) -> bool:
    if not promo.starts_on <= on <= promo.ends_on:
        return False
    return {
        "all": True,
        "product": promo.product_id == line.product_id,
        "category": promo.category_id is not None and promo.category_id == line.category_id,
        "tier": bool(promo.customer_tier) and promo.customer_tier == customer_tier,
    }.get(promo.scope, False)


def _unit_discount(promo: PromotionRule, unit_price: Decimal) -> Decimal:
    if promo.kind == "percent":
        return unit_price * promo.value / HUNDRED
    return promo.value


def chosen_promotions(
    promotions: Sequence[PromotionRule], unit_price: Decimal
) -> list[PromotionRule]:
    """The best promotion, plus every other one marked stackable. Ties go to the lower id."""
    if not promotions:
        return []
    best = max(promotions, key=lambda p: (_unit_discount(p, unit_price), -p.id))
    return [best] + [p for p in promotions if p.stackable and p.id != best.id]


def price_line(
    line: LineInput,
    *,
    unit_price: Decimal,
    promotions: Sequence[PromotionRule] = (),
    customer_tier: str = "",
    on: date,
    prices_include_tax: bool,
    tax_rates: Mapping[str, Decimal],
    rounding: str | None = None,
) -> PricedLine:
    """`tax_rates` maps each tax class to its rate on the order's date."""
    if line.quantity < 1:
        raise PricingError("quantity must be at least 1")
    if not ZERO <= line.discount_percent <= HUNDRED:
        raise PricingError("discount must be between 0 and 100 percent")
    if line.tax_class not in tax_rates:
        raise PricingError(f"unknown tax class {line.tax_class!r}")
    applicable = [p for p in promotions if promotion_applies(p, line, customer_tier, on)]
    chosen = chosen_promotions(applicable, unit_price)
    # Percentages first, then fixed amounts; a unit never costs less than nothing.
    per_unit = unit_price
    for promo in sorted(chosen, key=lambda p: p.kind != "percent"):
        per_unit -= _unit_discount(promo, per_unit if promo.kind == "percent" else unit_price)
    per_unit = max(per_unit, ZERO)
    # The discounted amount is rounded once; the two discounts are what lies between it and
    # the gross amount, so the three always add up.
    exact_after_promotions = per_unit * line.quantity
    gross = round_money(unit_price * line.quantity, rounding)
    discounted = round_money(
        exact_after_promotions * (HUNDRED - line.discount_percent) / HUNDRED, rounding
    )
    promotion_discount = min(
        round_money(unit_price * line.quantity - exact_after_promotions, rounding),
        gross - discounted,
    )
    manual_discount = gross - discounted - promotion_discount
    rate = tax_rates[line.tax_class]
    if prices_include_tax:
        tax = round_money(discounted * rate / (1 + rate), rounding)
        net, total = discounted - tax, discounted
    else:
        tax = round_money(discounted * rate, rounding)
        net, total = discounted, discounted + tax
    return PricedLine(
        unit_price=unit_price,
        gross_amount=gross,
        promotion_discount=promotion_discount,
        promotions=tuple(p.name for p in chosen),
        manual_discount=manual_discount,
        net_amount=net,
        tax_rate=rate,
        tax_amount=tax,
        line_total=total,
    )


def shipping_fee(
    rules: Iterable[ShippingRuleData],
    *,
    region: str,
    weight_kg: Decimal,
    goods_amount: Decimal,
    rounding: str | None = None,
) -> Decimal:
    """The fee of the most specific rule for the region and weight: a rule for the region
    beats one for every region, and the lightest weight band that still fits wins."""
    fitting = [
        r
        for r in rules
        if r.region in ("", region) and (r.max_weight_kg is None or weight_kg <= r.max_weight_kg)
    ]
    if not fitting:
        return ZERO
    rule = min(
        fitting,
        key=lambda r: (r.region == "", r.max_weight_kg is None, r.max_weight_kg or ZERO, r.id),
    )
    if rule.free_above is not None and goods_amount >= rule.free_above:
        return ZERO
    return round_money(rule.base_fee + rule.per_kg_fee * weight_kg, rounding)


def shipping_tax_rate(lines: Sequence[PricedLine]) -> Decimal:
    """The VAT rate of the shipping fee. Freight the seller charges with a sale is taxed like the
    goods (价外费用); when the order's lines have different rates, the highest of them (the
    shipping cannot be split by goods without an arbitrary key, and the highest rate never
    under-declares). No lines: no rate."""
    return max((line.tax_rate for line in lines), default=ZERO)


def shipping_tax(fee: Decimal, rate: Decimal, rounding: str | None = None) -> Decimal:
    """The VAT on a net shipping fee, rounded once."""
    return round_money(fee * rate, rounding)


def order_totals(
    lines: Sequence[PricedLine],
    *,
    shipping: Decimal,
    weight_kg: Decimal,
    rounding: str | None = None,
) -> Totals:
    """`shipping` is the net fee; its tax is added to tax_total and total."""
    line_total = sum((line.line_total for line in lines), ZERO)
    rate = shipping_tax_rate(lines)
    carriage_tax = shipping_tax(shipping, rate, rounding)
    return Totals(
        subtotal=sum((line.net_amount for line in lines), ZERO),
        discount_total=sum((line.discount_total for line in lines), ZERO),
        tax_total=sum((line.tax_amount for line in lines), ZERO) + carriage_tax,
        shipping_fee=shipping,
        total=line_total + shipping + carriage_tax,
        weight_kg=weight_kg,
        lines=tuple(lines),
        shipping_tax=carriage_tax,
        shipping_tax_rate=rate,
    )
