"""Throughput of the stock services and server time of the ledger page on a large ledger.

Runs against its own database (oms_bench on the embedded server, or BENCH_DATABASE_URL), so
the demo data is untouched. Prints `name: value unit` lines.

    .venv/bin/python bench/stock_services.py [--ledger-rows 500000]
"""

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")
if "BENCH_DATABASE_URL" in os.environ:
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
else:
    os.environ.pop("DATABASE_URL", None)
    os.environ["OMS_EMBEDDED_DB_NAME"] = "oms_bench"

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from inventory.models import Product, StockLevel, StockMovement, Warehouse  # noqa: E402
from inventory.services import stock_receive, stock_transfer  # noqa: E402


def threaded(work, threads: int, per_thread: int) -> float:
    barrier = threading.Barrier(threads)

    def run():
        barrier.wait()
        try:
            for _ in range(per_thread):
                work()
        finally:
            connection.close()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return threads * per_thread / (time.perf_counter() - start)


def bulk_ledger(rows: int, level: StockLevel) -> None:
    """Append rows straight into the ledger with one INSERT ... SELECT (fast, not the ORM)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO inventory_stockmovement
                (created_at, stock_level_id, product_id, warehouse_id, kind, quantity,
                 balance_after, reason, reference, note)
            SELECT now() - (g || ' seconds')::interval, %s, %s, %s, 'receipt', 1, g, '', 'BULK', ''
            FROM generate_series(1, %s) AS g
            """,
            [level.pk, level.product_id, level.warehouse_id, rows],
        )
        cursor.execute(
            "UPDATE inventory_stocklevel SET on_hand = on_hand + %s WHERE id = %s", [rows, level.pk]
        )
        cursor.execute("ANALYZE inventory_stockmovement")


def page_ms(client: Client, url: str, repeat: int = 15) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        assert client.get(url).status_code == 200
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ledger-rows", type=int, default=300_000)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    call_command("seed_demo", customers=20, orders=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    product = Product.objects.filter(is_active=True, made_to_order=False).order_by("sku").first()
    a, b = Warehouse.objects.order_by("code")[:2]

    receipts = threaded(
        lambda: stock_receive(actor=None, product=product, warehouse=a, quantity=1),
        args.threads,
        250,
    )
    transfers = threaded(
        lambda: stock_transfer(actor=None, product=product, source=a, destination=b, quantity=1),
        args.threads,
        100,
    )

    level = StockLevel.objects.get(product=product, warehouse=a)
    if StockMovement.objects.count() < args.ledger_rows:
        bulk_ledger(args.ledger_rows, level)
    client = Client()
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="manager"))
    ledger_rows = StockMovement.objects.count()

    print(f"stock_receive_same_row_{args.threads}_threads: {receipts:.0f} receipts/s")
    print(f"stock_transfer_same_rows_{args.threads}_threads: {transfers:.0f} transfers/s")
    print(f"ledger_rows: {ledger_rows} rows")
    print(f"ledger_page_first: {page_ms(client, '/stock/ledger/'):.1f} ms")
    print(f"ledger_page_sku_filter: {page_ms(client, f'/stock/ledger/?sku={product.sku}'):.1f} ms")
    print(f"ledger_page_search: {page_ms(client, '/stock/ledger/?q=BULK'):.1f} ms")
    print(f"stock_levels_page: {page_ms(client, '/stock/'):.1f} ms")


if __name__ == "__main__":
    main()
