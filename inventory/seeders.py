"""Demo warehouses, a lighting catalogue of ~200 products and their opening stock.

The warehouses and the catalogue are data (inventory/demo/*.csv); this module turns them into
rows. Stock arrives through the stock services, so the ledger matches on_hand; the catalogue and the
opening balance are then dated a week before the demo history starts. Idempotent: rows are
keyed by code and SKU, and only missing ones are added.
"""

import csv
import random
from collections.abc import Mapping
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from inventory.barcodes import gs1_check_digit
from inventory.choices import Unit
from inventory.models import Category, Product, StockLevel, StockMovement, Warehouse
from inventory.services import stock_level_update, stock_receive
from oms.demo import backdate, rename
from oms.models import AuditLog

DEMO_DATA = Path(__file__).resolve().parent / "demo"


def demo_rows(name: str) -> list[dict[str, str]]:
    """The rows of a demo-data table (inventory/demo/<name>.csv), by column name."""
    with (DEMO_DATA / f"{name}.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


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
    rows = demo_rows("warehouses")
    for row in rows:
        Warehouse.objects.get_or_create(
            code=row["code"],
            defaults=dict(
                name=row["name"],
                region=row["region"],
                city=row["city"],
                address=row["address"],
                latitude=Decimal(row["latitude"]),
                longitude=Decimal(row["longitude"]),
            ),
        )
    return list(Warehouse.objects.filter(code__in=[r["code"] for r in rows]).order_by("code"))


def demo_barcode(number: int) -> str:
    """The n-th demo product's barcode: EAN-13 under a made-up Chinese GS1 company prefix
    (690 + 4 digits), every fifth a UPC-A as on imported goods, and none on each seventh
    (goods without a printed code are packed by SKU)."""
    if number % 7 == 0:
        return ""
    body = f"07{number:09d}" if number % 5 == 0 else f"6901234{number:05d}"
    return body + gs1_check_digit(body)


def seed_products() -> list[Product]:
    """The catalogue (inventory/demo/catalogue.csv: one row per model, with its specs) in every
    spec and colour; SKU <prefix>-<model no><spec no><colour no>."""
    existing = set(Product.objects.values_list("sku", flat=True))
    new = []
    models_in: dict[str, int] = {}
    number = 0
    for row in demo_rows("catalogue"):
        prefix = row["prefix"]
        item_no = models_in[prefix] = models_in.get(prefix, 0) + 1
        category, _ = Category.objects.get_or_create(
            name=row["category"], defaults={"name_en": row["category_en"]}
        )
        for spec_no, spec in enumerate(row["specs"].split("|"), start=1):
            colours = COLOURS[: 2 if prefix in ("BU", "ST", "DN") else 3]
            for colour_no, (colour_zh, colour_en) in enumerate(colours, start=1):
                sku = f"{prefix}-{item_no:02d}{spec_no}{colour_no}"
                number += 1
                if sku in existing:
                    continue
                factor = Decimal(1 + 0.25 * (spec_no - 1))
                new.append(
                    Product(
                        sku=sku,
                        name=f"{row['name']} {spec} {colour_zh}",
                        name_en=f"{row['name_en']} {spec.split()[-1]} {colour_en}",
                        model=f"{prefix}{item_no:02d}",
                        spec=spec,
                        colour=colour_zh,
                        category=category,
                        unit=Unit.SET if prefix in ("TX", "KI") and item_no == 2 else Unit.PIECE,
                        weight_kg=(Decimal(row["weight_kg"]) * factor).quantize(Decimal("0.001")),
                        volume_m3=(Decimal(row["volume_m3"]) * factor).quantize(Decimal("0.0001")),
                        standard_cost=(Decimal(row["cost"]) * factor).quantize(Decimal("0.01")),
                        tax_class_id="standard",
                        made_to_order=(row["name_en"] == "Crystal chandelier" and spec_no == 3),
                        fragile="灯" in row["category"],  # lighting: glass, shades, LED panels
                        packing_note=FRAGILE_PACKING_NOTE if "灯" in row["category"] else "",
                        barcode=demo_barcode(number),
                        is_active=not (prefix == "DL" and item_no == 2 and colour_no == 3),
                    )
                )
    Product.objects.bulk_create(new)
    return list(Product.objects.select_related("category").order_by("sku"))


def demo_unit_cost(product: Product, receipt: str) -> Decimal:
    """What the supplier charged for one demo receipt: around the standard cost; a few
    products had a price rise well above it, so the margin report shows losses too. Its own
    random stream, so the other demo draws stay as they were."""
    rng = random.Random(f"cost-{product.sku}-{receipt}")
    base = product.standard_cost or Decimal(10)
    dear = random.Random(f"dear-{product.sku}").random() < 0.06
    factor = Decimal(str(round(rng.uniform(1.45, 1.7) if dear else rng.uniform(0.8, 1.05), 3)))
    return (base * factor).quantize(Decimal("0.01"))


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
                unit_cost=demo_unit_cost(product, f"opening-{warehouse.code}"),
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
        for column in ("reference", "note"):
            rename(StockMovement, column, renames or {}, ids)
        cursor.execute(
            "ALTER TABLE inventory_stockmovement ENABLE TRIGGER inventory_stockmovement_append_only"
        )
