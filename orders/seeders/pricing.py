"""Demo price lists (one per customer group, with quantity breaks), promotions, shipping fee
rules and approval rules. Idempotent: each kind is added only where none exists yet."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from inventory.models import Category, Product
from orders.models import ApprovalRule, PriceList, PriceListItem, Promotion, ShippingRule

PRICE_FACTORS = {
    # group: (name, includes tax, [(from quantity, factor on standard cost)])
    "retail": ("零售价 Retail", True, [(1, "1.80")]),
    "wholesale": ("批发价 Wholesale", False, [(1, "1.50"), (10, "1.45"), (50, "1.40")]),
    "distributor": ("经销价 Distributor", False, [(1, "1.35"), (20, "1.30"), (100, "1.25")]),
}
# (name, kind, value, scope, days from today it starts, days it ends, stackable, tier)
PROMOTIONS = [
    ("吸顶灯季 Ceiling light season -10%", "percent", 10, "category", -10, 40, False, ""),
    ("金卡会员 Gold members -5%", "percent", 5, "tier", -30, 300, True, "gold"),
    ("球泡立减 Bulb ¥1 off", "fixed", 1, "product", -5, 25, False, ""),
]
# (name, region, base fee, fee per kg, up to kg, free above)
SHIPPING_RULES = [
    ("标准 Standard", "", 15, 2, 30, 499),
    ("重货 Heavy", "", 80, 3, None, 20000),
    *((f"偏远 Remote {region}", region, 30, 5, None, 2000) for region in ("XJ", "XZ", "QH")),
]
# (name, condition, threshold, role, level)
APPROVAL_RULES = [
    ("大额订单 Large order", "amount_at_least", 30000, "manager", 2),
    ("定制商品 Made to order", "made_to_order", None, "reviewer", 1),
    ("超信用额度 Over credit", "credit_exceeded", None, "finance", 1),
    ("人工标记 Flagged", "manual_flag", None, "reviewer", 1),
]


def decimal_or_none(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def seed_pricing(products: list[Product]) -> None:
    for group, (name, includes_tax, breaks) in PRICE_FACTORS.items():
        price_list, _ = PriceList.objects.get_or_create(
            customer_group=group, defaults={"name": name, "prices_include_tax": includes_tax}
        )
        priced = set(
            PriceListItem.objects.filter(price_list=price_list).values_list("product_id", flat=True)
        )
        PriceListItem.objects.bulk_create(
            [
                PriceListItem(
                    price_list=price_list,
                    product=product,
                    min_quantity=min_quantity,
                    unit_price=(product.standard_cost * Decimal(factor)).quantize(
                        Decimal("1"), ROUND_HALF_UP
                    )
                    - Decimal("0.10"),
                )
                for product in products
                if product.pk not in priced
                for min_quantity, factor in breaks
            ]
        )
    if not Promotion.objects.exists():
        seed_promotions()
    if not ShippingRule.objects.exists():
        ShippingRule.objects.bulk_create(
            ShippingRule(
                name=name,
                region=region,
                base_fee=Decimal(base),
                per_kg_fee=Decimal(per_kg),
                max_weight_kg=decimal_or_none(up_to),
                free_above=Decimal(free_above),
            )
            for name, region, base, per_kg, up_to, free_above in SHIPPING_RULES
        )
    if not ApprovalRule.objects.exists():
        ApprovalRule.objects.bulk_create(
            ApprovalRule(
                name=name,
                condition=condition,
                threshold=decimal_or_none(threshold),
                required_role=role,
                level=level,
            )
            for name, condition, threshold, role, level in APPROVAL_RULES
        )


def seed_promotions() -> None:
    today = timezone.localdate()
    targets = {
        "category": {"category": Category.objects.filter(name="吸顶灯").first()},
        "product": {
            "product": Product.objects.filter(sku__startswith="BU-").order_by("sku").first()
        },
    }
    for name, kind, value, scope, starts, ends, stackable, tier in PROMOTIONS:
        Promotion.objects.create(
            name=name,
            kind=kind,
            value=Decimal(value),
            scope=scope,
            customer_tier=tier,
            starts_on=today + timedelta(days=starts),
            ends_on=today + timedelta(days=ends),
            stackable=stackable,
            **targets.get(scope, {}),
        )
