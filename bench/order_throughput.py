"""Orders per second: create, confirm and allocate orders of 5 lines with 4 concurrent workers,
next to pgbench's TPC-B on the same server in the same run.

    .venv/bin/python bench/order_throughput.py [--workers 4] [--orders 2000]

Workers are processes (Python threads would share one core's worth of interpreter). Each
order goes through orders.services.order_place: create, price, confirm and allocate in one
transaction, as channel intake does (sql_per_order: the statements one such order sends once
the process has cached the reference data; sql_first_order_of_process: with a cold cache).
Prints `name: value unit` lines.
"""

import argparse
import os
import re
import subprocess
import sys
import time
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import create_database, use_database

DB = "oms_bench_throughput"


def prepare(products: int = 200, customers: int = 2000) -> None:
    from decimal import Decimal

    from django.core.management import call_command

    from customers.models import Address, Customer
    from inventory.models import Category, Product, StockLevel, StockMovement, Warehouse
    from orders.models import ApprovalRule, PriceList, PriceListItem

    call_command("migrate", verbosity=0)
    if Product.objects.filter(sku__startswith="TP-").count() >= products:
        return
    ApprovalRule.objects.all().delete()  # measure the straight path: submit confirms at once
    category, _ = Category.objects.get_or_create(name="吸顶灯")
    warehouses = [
        Warehouse.objects.get_or_create(
            code=code,
            defaults=dict(
                name=code,
                region=region,
                city=code,
                address="-",
                latitude=Decimal(lat),
                longitude=Decimal(lon),
            ),
        )[0]
        for code, region, lat, lon in [
            ("TSH", "SH", "31.2", "121.4"),
            ("TGZ", "GD", "23.1", "113.2"),
            ("TBJ", "BJ", "39.9", "116.4"),
        ]
    ]
    items = Product.objects.bulk_create(
        [
            Product(
                sku=f"TP-{n:04d}",
                name=f"吸顶灯 {n}",
                category=category,
                standard_cost=Decimal(50),
                weight_kg=Decimal(1),
            )
            for n in range(products)
        ]
    )
    # Plenty of stock everywhere, loaded with its ledger rows so the nightly check holds.
    levels = StockLevel.objects.bulk_create(
        [StockLevel(product=p, warehouse=w, on_hand=10_000_000) for p in items for w in warehouses]
    )
    StockMovement.objects.bulk_create(
        [
            StockMovement(
                stock_level=lv,
                product_id=lv.product_id,
                warehouse_id=lv.warehouse_id,
                kind="receipt",
                quantity=lv.on_hand,
                balance_after=lv.on_hand,
                reference="BENCH",
            )
            for lv in levels
        ]
    )
    price_list, _ = PriceList.objects.get_or_create(
        customer_group="wholesale", is_active=True, defaults={"name": "wholesale"}
    )
    PriceListItem.objects.bulk_create(
        [PriceListItem(price_list=price_list, product=p, unit_price=Decimal(80)) for p in items]
    )
    people = Customer.objects.bulk_create(
        [
            Customer(
                code=f"TC{n:05d}",
                name=f"客户 {n}",
                phone="13800000000",
                region="ZJ",
                group="wholesale",
            )
            for n in range(customers)
        ]
    )
    Address.objects.bulk_create(
        [
            Address(
                customer=c,
                recipient="x",
                phone="13800000000",
                region=r,
                city="x",
                street="x",
                is_default_shipping=True,
                is_default_billing=True,
            )
            for c, r in zip(people, ["ZJ", "GD", "BJ", "SC", "HB"] * customers, strict=False)
        ]
    )


def worker(args) -> int:
    seed, count = args
    use_database(DB)
    import random

    from django.conf import settings

    settings.DEBUG = False  # as in production: no statement log kept in memory

    from customers.models import Customer
    from inventory.models import Product
    from orders.services import LineRequest, order_place

    MARKETPLACE = "marketplace"  # a shop platform's order: the platform tells its buyer

    rng = random.Random(seed)
    products = list(Product.objects.filter(sku__startswith="TP-"))
    customers = list(Customer.objects.filter(code__startswith="TC"))
    done = 0
    for _ in range(count):
        lines = [LineRequest(p, rng.randint(1, 20)) for p in rng.sample(products, 5)]
        order_place(actor=None, customer=rng.choice(customers), lines=lines, channel=MARKETPLACE)
        done += 1
    return done


def sql_per_order(seed: int = 99) -> tuple[int, int]:
    """Statements one order sends (the order as the workers place it), BEGIN/COMMIT aside:
    (with the process's reference data cache warm, as in the workers; the first order of a
    process, which reads price list, tax rates, rules and warehouses into the cache)."""
    import random

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from customers.models import Customer
    from inventory.models import Product
    from oms import reference_cache
    from orders.services import LineRequest, order_place

    MARKETPLACE = "marketplace"  # a shop platform's order: the platform tells its buyer

    rng = random.Random(seed)
    products = list(Product.objects.filter(sku__startswith="TP-"))
    customers = list(Customer.objects.filter(code__startswith="TC"))
    chosen = rng.sample(products, 5)
    counts = []
    reference_cache.clear()
    for _ in range(2):
        lines = [LineRequest(p, rng.randint(1, 20)) for p in chosen]
        with CaptureQueriesContext(connection) as captured:
            order_place(
                actor=None, customer=rng.choice(customers), lines=lines, channel=MARKETPLACE
            )
        counts.append(sum(q["sql"] not in ("BEGIN", "COMMIT") for q in captured.captured_queries))
    cold, warm = counts
    return warm, cold


def pgbench_tps(seconds: int, clients: int) -> float:
    """TPC-B (scale 10) on the same server, as the machine's baseline."""
    from django.db import connection

    settings_dict = connection.settings_dict
    binary = "pgbench"
    if settings_dict["ENGINE"] == "oms.embedded_pg":
        from pgserver.postgres_server import POSTGRES_BIN_PATH

        binary = str(POSTGRES_BIN_PATH / "pgbench")
    env = {
        **os.environ,
        "PGHOST": settings_dict["HOST"] or "127.0.0.1",
        "PGUSER": settings_dict["USER"] or "postgres",
        "PGPASSWORD": settings_dict.get("PASSWORD") or "",
        "PGPORT": str(settings_dict.get("PORT") or 5432),
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = 'oms_pgbench'")
        if not cursor.fetchone():
            cursor.execute("CREATE DATABASE oms_pgbench")
    subprocess.run(
        [binary, "-i", "-q", "-s", "10", "oms_pgbench"], env=env, check=True, capture_output=True
    )
    out = subprocess.run(
        [binary, "-c", str(clients), "-j", "2", "-T", str(seconds), "oms_pgbench"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(re.search(r"tps = ([\d.]+)", out).group(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--pgbench-seconds", type=int, default=15)
    args = parser.parse_args()
    create_database(DB)
    use_database(DB)
    prepare()
    from django.db import connection

    connection.close()
    per_worker = args.orders // args.workers
    with get_context("spawn").Pool(args.workers) as pool:
        pool.map(worker, [(1000 + i, 5) for i in range(args.workers)])  # warm up: imports, caches
        start = time.perf_counter()
        done = sum(pool.map(worker, [(i, per_worker) for i in range(args.workers)]))
        elapsed = time.perf_counter() - start
    orders_per_second = done / elapsed
    tps = pgbench_tps(args.pgbench_seconds, args.workers)
    from orders.selectors import reservation_drift

    statements, first_statements = sql_per_order()
    print(f"orders_created_confirmed_allocated: {done} orders")
    print(f"sql_per_order: {statements} statements")
    print(f"sql_first_order_of_process: {first_statements} statements")
    print(f"order_throughput_{args.workers}_workers: {orders_per_second:.1f} orders/s")
    print(f"pgbench_tpcb_{args.workers}_clients: {tps:.0f} tps")
    print(f"orders_per_pgbench_transaction: {orders_per_second / tps:.3f} ratio")
    print(f"reservation_drift_after_run: {reservation_drift().count()} stock levels")


if __name__ == "__main__":
    main()
