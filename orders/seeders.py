"""Demo pricing, approval rules and orders.

Orders go through the real services, so every status, allocation and timeline entry is one
the system itself would have produced. Each demo order carries the external reference
DEMO-<n>, so a second run skips what exists.
"""

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.utils import timezone

from customers.models import Customer
from inventory.models import Category, Product
from oms.errors import ServiceError
from orders import selectors, services
from orders.choices import Channel, OrderStatus
from orders.models import ApprovalRule, Order, PriceList, PriceListItem, Promotion, ShippingRule

S = OrderStatus
PRICE_FACTORS = {
    # group: (name, includes tax, [(from quantity, factor on standard cost)])
    "retail": ("零售价 Retail", True, [(1, "1.80")]),
    "wholesale": ("批发价 Wholesale", False, [(1, "1.50"), (10, "1.45"), (50, "1.40")]),
    "distributor": ("经销价 Distributor", False, [(1, "1.35"), (20, "1.30"), (100, "1.25")]),
}


def seed_pricing(products: list[Product]) -> None:
    for group, (name, includes_tax, breaks) in PRICE_FACTORS.items():
        # A group may also hold inactive lists (next season's): prices go into the active one.
        price_list, _ = PriceList.objects.get_or_create(
            customer_group=group,
            is_active=True,
            defaults={"name": name, "prices_include_tax": includes_tax},
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
    today = timezone.localdate()
    if not Promotion.objects.exists():
        ceiling = Category.objects.filter(name="吸顶灯").first()
        Promotion.objects.create(
            name="吸顶灯季 Ceiling light season -10%",
            kind="percent",
            value=Decimal(10),
            scope="category",
            category=ceiling,
            starts_on=today - timedelta(days=10),
            ends_on=today + timedelta(days=40),
        )
        Promotion.objects.create(
            name="金卡会员 Gold members -5%",
            kind="percent",
            value=Decimal(5),
            scope="tier",
            customer_tier="gold",
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=300),
            stackable=True,
        )
        bulb = Product.objects.filter(sku__startswith="BU-").order_by("sku").first()
        Promotion.objects.create(
            name="球泡立减 Bulb ¥1 off",
            kind="fixed",
            value=Decimal(1),
            scope="product",
            product=bulb,
            starts_on=today - timedelta(days=5),
            ends_on=today + timedelta(days=25),
        )
    if not ShippingRule.objects.exists():
        ShippingRule.objects.create(
            name="标准 Standard",
            base_fee=Decimal(15),
            per_kg_fee=Decimal(2),
            max_weight_kg=Decimal(30),
            free_above=Decimal(499),
        )
        ShippingRule.objects.create(
            name="重货 Heavy",
            base_fee=Decimal(80),
            per_kg_fee=Decimal(3),
            free_above=Decimal(20000),
        )
        for region in ("XJ", "XZ", "QH"):
            ShippingRule.objects.create(
                name=f"偏远 Remote {region}",
                region=region,
                base_fee=Decimal(30),
                per_kg_fee=Decimal(5),
                free_above=Decimal(2000),
            )
    if not ApprovalRule.objects.exists():
        ApprovalRule.objects.create(
            name="大额订单 Large order",
            condition="amount_at_least",
            threshold=Decimal(30000),
            required_role="manager",
            level=2,
        )
        ApprovalRule.objects.create(
            name="定制商品 Made to order", condition="made_to_order", required_role="reviewer"
        )
        ApprovalRule.objects.create(
            name="超信用额度 Over credit", condition="credit_exceeded", required_role="finance"
        )
        ApprovalRule.objects.create(
            name="人工标记 Flagged", condition="manual_flag", required_role="reviewer"
        )


def seed_orders(count: int, users: dict, stdout) -> None:
    done = set(
        Order.objects.filter(external_reference__startswith="DEMO-").values_list(
            "external_reference", flat=True
        )
    )
    missing = [n for n in range(1, count + 1) if f"DEMO-{n:05d}" not in done]
    if not missing:
        return
    customers = list(
        Customer.objects.filter(
            is_active=True, credit_hold=False, addresses__isnull=False
        ).distinct()
    )
    stock_products = list(Product.objects.filter(is_active=True, made_to_order=False))
    made_to_order = list(Product.objects.filter(is_active=True, made_to_order=True))
    sales = [users["sales1"], users["sales2"]]
    reviewer, manager, finance, warehouse = (
        users["reviewer"],
        users["manager"],
        users["finance"],
        users["warehouse"],
    )
    today = timezone.localdate()

    def make(n: int) -> None:
        rng = random.Random(f"order-{n}")
        customer = rng.choice(customers)
        big = customer.group != "retail"
        lines = [
            services.LineRequest(product, rng.randint(5, 60) if big else rng.randint(1, 4))
            for product in rng.sample(stock_products, k=rng.choice([1, 1, 2, 2, 3, 4, 5]))
        ]
        if made_to_order and rng.random() < 0.03:
            lines.append(services.LineRequest(rng.choice(made_to_order), 1))
        actor = rng.choice(sales)
        try:
            order = services.order_create(
                actor=actor,
                customer=customer,
                lines=lines,
                channel=rng.choices(list(Channel.values), weights=[50, 30, 15, 5, 0])[0],
                external_reference=f"DEMO-{n:05d}",
                requested_delivery_date=today
                + timedelta(days=rng.choice([rng.randint(-2, 20)] * 9 + [rng.randint(35, 60)]))
                if rng.random() < 0.6
                else None,
                needs_review=rng.random() < 0.03,
            )
            roll = rng.random()
            if roll < 0.07:
                return  # stays a draft
            order = services.order_submit(actor=actor, order=order)
            if order.status == S.PENDING_REVIEW and rng.random() < 0.7:
                while order.status == S.PENDING_REVIEW:
                    pending = selectors.current_approvals(order).first()
                    decider = {"manager": manager, "finance": finance}.get(
                        pending.required_role, reviewer
                    )
                    if rng.random() < 0.08:
                        services.order_reject(
                            actor=decider, order=order, note="价格需重新确认 Price to be rechecked"
                        )
                        break
                    order = services.order_approve(actor=decider, order=order, note="同意 OK")
            order.refresh_from_db()
            if roll > 0.97:
                services.order_cancel(
                    actor=actor, order=order, reason="客户取消 Customer cancelled"
                )
            elif roll > 0.94 and order.status != S.DRAFT:
                services.order_hold(
                    actor=finance, order=order, reason="等待付款 Waiting for payment"
                )
            elif order.status == S.ALLOCATED and rng.random() < 0.3:
                services.order_start_picking(actor=warehouse, order=order)
        except (ServiceError, ValueError) as exc:
            stdout.write(f"demo order {n}: {exc}")

    def run(chunk: list[int]) -> None:
        try:
            for n in chunk:
                make(n)
        finally:
            connection.close()

    # Three writers at once, as a busy order desk would; stock rows are locked in key order.
    threads = 3
    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(run, missing[i::threads]) for i in range(threads)]:
            future.result()


def seed_orders_demo(context) -> None:
    seed_pricing(list(Product.objects.select_related("category").order_by("sku")))
    seed_orders(context.orders, context.users, context.stdout)
    context.say(f"{Order.objects.count()} orders")
