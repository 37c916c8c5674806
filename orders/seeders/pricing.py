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
D = Decimal
SHIPPING_RULE_FIELDS = ("name", "region", "base_fee", "per_kg_fee", "max_weight_kg", "free_above")
SHIPPING_RULES = [
    ("标准 Standard", "", D(15), D(2), D(30), D(499)),
    ("重货 Heavy", "", D(80), D(3), None, D(20000)),
    *(
        (f"偏远 Remote {region}", region, D(30), D(5), None, D(2000))
        for region in ("XJ", "XZ", "QH")
    ),
]
APPROVAL_RULE_FIELDS = ("name", "condition", "threshold", "required_role", "level")
APPROVAL_RULES = [
    ("大额订单 Large order", "amount_at_least", D(30000), "manager", 2),
    ("定制商品 Made to order", "made_to_order", None, "reviewer", 1),
    ("超信用额度 Over credit", "credit_exceeded", None, "finance", 1),
    ("人工标记 Flagged", "manual_flag", None, "reviewer", 1),
]


def seed_table(model, fields: tuple[str, ...], rows) -> None:
    """A model's demo rows from a table of values in `fields` order, unless it has rows."""
    if not model.objects.exists():
        model.objects.bulk_create(model(**dict(zip(fields, row, strict=True))) for row in rows)


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
    seed_table(ShippingRule, SHIPPING_RULE_FIELDS, SHIPPING_RULES)
    seed_table(ApprovalRule, APPROVAL_RULE_FIELDS, APPROVAL_RULES)


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
