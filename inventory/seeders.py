"""Demo warehouses, a lighting catalogue of ~200 products and their opening stock.

Stock arrives through the stock services, so the ledger matches on_hand; the catalogue and the
opening balance are then dated a week before the demo history starts. Idempotent: rows are
keyed by code and SKU, and only missing ones are added.
"""

import random
from collections.abc import Mapping
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from inventory.choices import TaxClass, Unit
from inventory.models import Category, Product, StockLevel, StockMovement, Warehouse
from inventory.services import stock_level_update, stock_receive
from oms.demo import backdate
from oms.models import AuditLog

WAREHOUSES = [
    ("SH1", "上海嘉定仓", "SH", "上海", "嘉定区安亭镇墨玉路 88 号", 31.375, 121.165),
    ("GZ1", "广州白云仓", "GD", "广州", "白云区太和镇龙归路 12 号", 23.312, 113.338),
    ("BJ1", "北京大兴仓", "BJ", "北京", "大兴区礼贤镇物流园 6 号", 39.621, 116.413),
    ("CD1", "成都双流仓", "SC", "成都", "双流区西航港大道 1999 号", 30.522, 103.962),
    ("WH1", "武汉东西湖仓", "HB", "武汉", "东西湖区走马岭物流园 3 号", 30.659, 114.097),
]

# (category zh, category en, sku prefix, [(name zh, name en, unit, weight, volume, cost)], specs, made_to_order)
CATALOGUE = [
    (
        "吸顶灯",
        "Ceiling lights",
        "CL",
        [
            ("圆形吸顶灯", "Round ceiling light", 2.1, 0.018, 68),
            ("方形吸顶灯", "Square ceiling light", 2.4, 0.02, 79),
            ("星空吸顶灯", "Starry ceiling light", 3.0, 0.03, 128),
        ],
        ["24W", "36W", "48W"],
    ),
    (
        "吊灯",
        "Pendant lights",
        "PL",
        [
            ("北欧吊灯", "Nordic pendant", 1.6, 0.025, 96),
            ("水晶吊灯", "Crystal chandelier", 8.5, 0.12, 560),
            ("餐厅吊灯", "Dining pendant", 2.2, 0.03, 138),
        ],
        ["单头 1-light", "三头 3-light", "五头 5-light"],
    ),
    (
        "壁灯",
        "Wall lights",
        "WL",
        [
            ("床头壁灯", "Bedside wall light", 0.9, 0.007, 42),
            ("户外壁灯", "Outdoor wall light", 1.3, 0.009, 66),
        ],
        ["单头 1-light", "双头 2-light", "感应 sensor"],
    ),
    (
        "台灯",
        "Desk lamps",
        "DL",
        [
            ("护眼台灯", "Eye-care desk lamp", 1.1, 0.008, 45),
            ("折叠台灯", "Folding desk lamp", 0.8, 0.006, 32),
        ],
        ["USB", "充电 rechargeable"],
    ),
    (
        "落地灯",
        "Floor lamps",
        "FL",
        [
            ("钓鱼落地灯", "Arc floor lamp", 6.2, 0.08, 210),
            ("布艺落地灯", "Fabric floor lamp", 4.1, 0.06, 150),
        ],
        ["1.6m", "1.8m"],
    ),
    (
        "筒灯",
        "Downlights",
        "DN",
        [
            ("LED筒灯", "LED downlight", 0.25, 0.001, 9.5),
            ("防雾筒灯", "Anti-glare downlight", 0.3, 0.001, 14),
        ],
        ["5W", "7W", "12W"],
    ),
    (
        "射灯",
        "Spotlights",
        "SP",
        [
            ("轨道射灯", "Track spotlight", 0.6, 0.003, 28),
            ("嵌入式射灯", "Recessed spotlight", 0.35, 0.002, 19),
        ],
        ["7W", "12W", "20W"],
    ),
    (
        "灯带",
        "LED strips",
        "ST",
        [("LED灯带", "LED strip", 0.5, 0.002, 22)],
        ["5m 2700K", "5m 4000K", "10m 6500K"],
    ),
    (
        "灯泡",
        "Bulbs",
        "BU",
        [("LED球泡", "LED bulb", 0.05, 0.0002, 3.2), ("智能灯泡", "Smart bulb", 0.08, 0.0003, 18)],
        ["E27 9W", "E27 12W", "E14 5W"],
    ),
    (
        "收纳",
        "Storage",
        "SO",
        [
            ("折叠收纳箱", "Folding storage box", 1.2, 0.04, 26),
            ("抽屉收纳柜", "Drawer cabinet", 7.5, 0.15, 119),
        ],
        ["小号 S", "中号 M", "大号 L"],
    ),
    (
        "厨具",
        "Kitchenware",
        "KI",
        [
            ("不锈钢炒锅", "Stainless wok", 1.9, 0.012, 88),
            ("陶瓷餐具套装", "Ceramic dinner set", 4.2, 0.03, 135),
        ],
        ["28cm", "32cm"],
    ),
    (
        "家纺",
        "Home textiles",
        "TX",
        [
            ("纯棉四件套", "Cotton bedding set", 2.6, 0.02, 168),
            ("羽绒枕", "Down pillow", 0.9, 0.03, 72),
        ],
        ["1.5m", "1.8m"],
    ),
    (
        "浴室",
        "Bathroom",
        "BA",
        [("浴室镜柜", "Mirror cabinet", 11.0, 0.09, 420), ("毛巾架", "Towel rack", 1.1, 0.006, 58)],
        ["60cm", "80cm"],
    ),
]
# Packing notes are data, typed by the warehouse in the language its packers read.
FRAGILE_PACKING_NOTE = "每件单独气泡膜包裹，箱内填实，外箱贴易碎标识 / bubble-wrap each piece"

COLOURS = [
    ("白色", "White"),
    ("黑色", "Black"),
    ("金色", "Gold"),
    ("银色", "Silver"),
    ("木纹", "Wood grain"),
]


def seed_inventory(context) -> None:
    warehouses = seed_warehouses()
    started = timezone.now()
    products = seed_products()
    movements = seed_stock(products, warehouses, context.actor)
    # The company existed before the demo history: its catalogue and opening stock are older.
    opening = datetime.combine(
        timezone.localdate(context.start) - timedelta(days=7),
        time(9),
        tzinfo=timezone.get_current_timezone(),
    )
    new_products = list(
        Product.objects.filter(created_at__gte=started).values_list("pk", flat=True)
    )
    for column in ("created_at", "updated_at"):
        backdate(Product, column, dict.fromkeys(new_products, opening - timedelta(days=1)))
    # A few seconds apart, in ledger order, as a clerk would book them.
    ledger_backdate({pk: opening + timedelta(seconds=5 * i) for i, pk in enumerate(movements)})
    levels = StockMovement.objects.filter(pk__in=movements).values_list("stock_level_id", flat=True)
    audit = AuditLog.objects.filter(
        action="stock_level.update",
        object_id__in=[str(pk) for pk in levels],
        created_at__gte=started,
    ).values_list("pk", flat=True)
    backdate(AuditLog, "created_at", dict.fromkeys(audit, opening + timedelta(hours=1)))
    context.say(
        f"{Warehouse.objects.count()} warehouses, {Product.objects.count()} products, "
        f"{StockLevel.objects.count()} stock levels"
    )


def seed_warehouses() -> list[Warehouse]:
    for code, name, region, city, address, lat, lon in WAREHOUSES:
        Warehouse.objects.get_or_create(
            code=code,
            defaults=dict(
                name=name,
                region=region,
                city=city,
                address=address,
                latitude=Decimal(str(lat)),
                longitude=Decimal(str(lon)),
            ),
        )
    return list(Warehouse.objects.filter(code__in=[w[0] for w in WAREHOUSES]).order_by("code"))


def seed_products() -> list[Product]:
    existing = set(Product.objects.values_list("sku", flat=True))
    new = []
    for cat_zh, cat_en, prefix, items, specs in CATALOGUE:
        category, _ = Category.objects.get_or_create(name=cat_zh, defaults={"name_en": cat_en})
        for item_no, (name_zh, name_en, weight, volume, cost) in enumerate(items, start=1):
            for spec_no, spec in enumerate(specs, start=1):
                colours = COLOURS[: 2 if prefix in ("BU", "ST", "DN") else 3]
                for colour_no, (colour_zh, colour_en) in enumerate(colours, start=1):
                    sku = f"{prefix}-{item_no:02d}{spec_no}{colour_no}"
                    if sku in existing:
                        continue
                    factor = Decimal(1 + 0.25 * (spec_no - 1))
                    new.append(
                        Product(
                            sku=sku,
                            name=f"{name_zh} {spec} {colour_zh}",
                            name_en=f"{name_en} {spec.split()[-1]} {colour_en}",
                            model=f"{prefix}{item_no:02d}",
                            spec=spec,
                            colour=colour_zh,
                            category=category,
                            unit=Unit.SET
                            if prefix in ("TX", "KI") and item_no == 2
                            else Unit.PIECE,
                            weight_kg=(Decimal(str(weight)) * factor).quantize(Decimal("0.001")),
                            volume_m3=(Decimal(str(volume)) * factor).quantize(Decimal("0.0001")),
                            standard_cost=(Decimal(str(cost)) * factor).quantize(Decimal("0.01")),
                            tax_class=TaxClass.STANDARD,
                            made_to_order=(name_en == "Crystal chandelier" and spec_no == 3),
                            fragile="灯" in cat_zh,  # lighting: glass, shades, LED panels
                            packing_note=FRAGILE_PACKING_NOTE if "灯" in cat_zh else "",
                            is_active=not (prefix == "DL" and item_no == 2 and colour_no == 3),
                        )
                    )
    Product.objects.bulk_create(new)
    return list(Product.objects.select_related("category").order_by("sku"))


def seed_stock(products: list[Product], warehouses: list[Warehouse], actor) -> list[int]:
    """Receive the opening stock of products that have none; returns the ledger rows."""
    stocked_products = set(StockLevel.objects.values_list("product_id", flat=True))
    movements = []
    for product in products:
        if product.made_to_order or not product.is_active or product.pk in stocked_products:
            continue
        rng = random.Random(f"stock-{product.sku}")  # the same stock whatever ran before
        for warehouse in rng.sample(warehouses, k=rng.randint(2, len(warehouses))):
            quantity = rng.choice([12, 20, 40, 80, 150, 300, 600, 1000])
            movement = stock_receive(
                actor=actor,
                product=product,
                warehouse=warehouse,
                quantity=quantity,
                reference="OPENING",
                note="Opening balance",
                bin_location=f"{rng.choice('ABCDEF')}{rng.randint(1, 20):02d}-{rng.randint(1, 6)}",
            )
            movements.append(movement.pk)
            # About one in ten ends below its safety stock, so the low-stock page has work.
            low = rng.random() < 0.1
            stock_level_update(
                actor=actor,
                stock_level=movement.stock_level,
                bin_location=movement.stock_level.bin_location,
                safety_stock=quantity + rng.randint(5, 30)
                if low
                else max(1, quantity // rng.randint(3, 6)),
            )
    return movements


def ledger_backdate(
    moments: Mapping[int, datetime], renames: Mapping[str, str] | None = None
) -> None:
    """Demo history only: date ledger rows {id: moment}, and follow renamed document numbers
    ({old: new}) in the reference and note of those rows.

    The ledger is append-only: a trigger refuses UPDATE. The table's owner switches it off
    inside this one transaction; ALTER TABLE holds a lock that keeps every other writer of the
    ledger waiting until the trigger is back, so nothing else is ever written without it.
    """
    if not moments:
        return
    ids = list(moments)
    with transaction.atomic(), connection.cursor() as cursor:
        # ALTER TABLE refuses to run while deferred foreign-key checks are pending: check now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "ALTER TABLE inventory_stockmovement DISABLE TRIGGER inventory_stockmovement_append_only"
        )
        backdate(StockMovement, "created_at", moments)
        for column in ("reference", "note") if renames else ():
            cursor.execute(
                f"UPDATE inventory_stockmovement AS m SET {column} = v.new "
                f"FROM unnest(%s::text[], %s::text[]) AS v(old, new) "
                f"WHERE m.{column} = v.old AND m.id = ANY(%s)",
                [list(renames), list(renames.values()), ids],
            )
        cursor.execute(
            "ALTER TABLE inventory_stockmovement ENABLE TRIGGER inventory_stockmovement_append_only"
        )
