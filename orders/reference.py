"""The reference data that pricing and review read for every order, from the per-process cache
of oms.reference_cache: a group's active price list and its prices, tax rates on a day,
promotions on a day, shipping rules, approval rules, the active warehouses. A change committed by anyone is seen by
the next order (the cache checks the tables' stamps in the order's transaction); entering an
order with a warm cache reads none of these tables.

Values are immutable (tuples, frozen dataclasses) or filled only here: callers never change
them."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from inventory.models import TaxClass, TaxRate, Warehouse
from inventory.taxes import tax_rates_on
from oms.reference_cache import cached
from orders import pricing
from orders.models import (
    ApprovalRule,
    Channel,
    PriceList,
    PriceListItem,
    Promotion,
    ShippingRule,
)

PRICE_TABLES = (PriceList._meta.db_table, PriceListItem._meta.db_table)
TAX_TABLES = (TaxClass._meta.db_table, TaxRate._meta.db_table)
PROMOTION_TABLES = (Promotion._meta.db_table,)
SHIPPING_TABLES = (ShippingRule._meta.db_table,)
APPROVAL_TABLES = (ApprovalRule._meta.db_table,)
WAREHOUSE_TABLES = (Warehouse._meta.db_table,)
# Which channels listen to order events (orders.intake.outbound; migration 0028).
CHANNEL_TABLES = (Channel._meta.db_table,)
# Every table whose writes must reach the cache: each has the trigger (orders migration
# 0015, inventory migration 0010); tests/orders/test_reference_cache.py checks it.
WATCHED_TABLES = (
    PRICE_TABLES
    + TAX_TABLES
    + PROMOTION_TABLES
    + SHIPPING_TABLES
    + APPROVAL_TABLES
    + WAREHOUSE_TABLES
    + CHANNEL_TABLES
)


@dataclass(frozen=True)
class ActivePriceList:
    pk: int
    name: str
    prices_include_tax: bool


@dataclass
class _GroupPrices:
    """A group's active price list (read with the first order of the group) and the breaks of
    each product asked for so far (an empty tuple: the list has no price for it)."""

    price_list: ActivePriceList | None = None
    loaded: bool = False
    breaks: dict[int, tuple[pricing.PriceBreak, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class ApprovalRuleData:
    pk: int
    condition: str
    threshold: Decimal | None
    required_role: str
    level: int


def group_prices(
    group: str, product_ids: set[int]
) -> tuple[ActivePriceList | None, dict[int, tuple[pricing.PriceBreak, ...]]]:
    """The group's active price list and the price breaks of these products in it."""
    entry = cached(("group_prices", group), PRICE_TABLES, _GroupPrices)
    if not entry.loaded:
        row = PriceList.objects.filter(customer_group=group, is_active=True).first()
        entry.price_list = (
            None if row is None else ActivePriceList(row.pk, row.name, row.prices_include_tax)
        )
        entry.loaded = True
    if entry.price_list is None:
        return None, {}
    missing = product_ids - entry.breaks.keys()
    if missing:
        found: dict[int, list[pricing.PriceBreak]] = {pk: [] for pk in missing}
        for product_id, min_quantity, unit_price in PriceListItem.objects.filter(
            price_list_id=entry.price_list.pk, product_id__in=missing
        ).values_list("product_id", "min_quantity", "unit_price"):
            found[product_id].append(pricing.PriceBreak(min_quantity, unit_price))
        entry.breaks.update({pk: tuple(breaks) for pk, breaks in found.items()})
    return entry.price_list, {pk: entry.breaks[pk] for pk in product_ids}


def tax_rates(day: date) -> dict[str, Decimal]:
    """Each tax class's rate on `day`, by class code (a copy: the caller may keep it)."""
    return dict(cached(("tax_rates", day), TAX_TABLES, lambda: tax_rates_on(day)))


def promotions_on(day: date) -> tuple[pricing.PromotionRule, ...]:
    """The active promotions running on `day`."""

    def load() -> tuple[pricing.PromotionRule, ...]:
        return tuple(
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
            for p in Promotion.objects.filter(is_active=True, starts_on__lte=day, ends_on__gte=day)
        )

    return cached(("promotions", day), PROMOTION_TABLES, load)


def shipping_rules() -> tuple[pricing.ShippingRuleData, ...]:
    """The active shipping fee rules."""

    def load() -> tuple[pricing.ShippingRuleData, ...]:
        return tuple(
            pricing.ShippingRuleData(
                r.pk, r.region, r.max_weight_kg, r.base_fee, r.per_kg_fee, r.free_above
            )
            for r in ShippingRule.objects.filter(is_active=True)
        )

    return cached(("shipping_rules",), SHIPPING_TABLES, load)


def approval_rules() -> tuple[ApprovalRuleData, ...]:
    """The active approval rules, by level, then as entered."""

    def load() -> tuple[ApprovalRuleData, ...]:
        return tuple(
            ApprovalRuleData(r.pk, r.condition, r.threshold, r.required_role, r.level)
            for r in ApprovalRule.objects.filter(is_active=True).order_by("level", "pk")
        )

    return cached(("approval_rules",), APPROVAL_TABLES, load)


def active_warehouses() -> dict[int, Warehouse]:
    """The active warehouses by primary key (shared instances: read them, never save them)."""
    return cached(
        ("active_warehouses",),
        WAREHOUSE_TABLES,
        lambda: {
            w.pk: w
            for w in Warehouse.objects.filter(is_active=True, is_quarantine=False).order_by("pk")
        },
    )
