"""Order import throughput: a CSV of order lines (5 lines per order) imported to placed orders
through the orders importer (oms.imports + orders.intake.order_import: 200 orders per
transaction through orders.services.batch_place, one INSERT per table), next to PostgreSQL
COPY of the same rows into a plain table in the same run, with the process's peak RSS.

    .venv/bin/python bench/import_orders.py [--lines 100000]

Placed means checked, priced, reviewed and confirmed, with their timeline, messages and
audit rows written; allocation then runs after commit in the workers (not timed here, as
for any confirmed order). Prints `name: value unit` lines and the load average.
"""

import argparse
import csv
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import create_database, use_database
from order_throughput import prepare

DB = "oms_bench_import"
LINES_PER_ORDER = 5


def write_file(path: Path, lines: int, run: str) -> None:
    import random

    rng = random.Random(lines)
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(
            [
                *("external_id", "customer", "sku", "quantity", "unit_price"),
                *("discount_percent", "tax_rate", "prices_include_tax"),
            ]
        )
        for n in range(lines):
            order = n // LINES_PER_ORDER
            writer.writerow(
                [
                    f"B{run}-{order:07d}",
                    f"TC{order % 2000:05d}",
                    f"TP-{(n * 7) % 200:04d}",
                    rng.randint(1, 9),
                    f"{rng.randint(100, 99999) / 100:.2f}",
                    rng.choice(["", "5", "7"]),
                    "13",
                    "true",
                ]
            )


def copy_seconds(path: Path) -> float:
    """COPY of the same rows into a plain table: the floor of any import."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_lines (external_id text, customer text, sku text, "
            "quantity int, unit_price numeric(12,2), discount_percent text, tax_rate numeric, "
            "prices_include_tax boolean)"
        )
        data = path.read_bytes()
        started = time.perf_counter()
        with cursor.copy("COPY bench_lines FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            copy.write(data)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_lines")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    create_database(DB)
    use_database(DB)
    from django.conf import settings

    settings.DEBUG = False
    prepare()
    from oms import imports

    run = str(int(time.time()))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "orders.csv"
        write_file(path, args.lines, run)
        started = time.perf_counter()
        cpu_started = time.process_time()
        report = imports.run_import(
            importer=imports.importer_for("orders"),
            path=path,
            file_name=path.name,
            actor=None,
            dry_run=False,
        )
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        copy = copy_seconds(path)
    errors = report.counts["error"]
    out = io.StringIO()
    print(f"lines: {report.rows} lines", file=out)
    print(f"orders: {args.lines // LINES_PER_ORDER} orders", file=out)
    print(f"errors: {errors} lines", file=out)
    print(f"import: {elapsed:.1f} s", file=out)
    print(f"lines_per_second: {report.rows / elapsed:.0f} lines/s", file=out)
    print(f"importer_cpu: {cpu:.1f} s (the rest of the time: the database)", file=out)
    print(f"copy: {copy:.2f} s", file=out)
    print(f"ratio_to_copy: {elapsed / copy:.0f} x", file=out)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak_rss: {peak:.0f} MB", file=out)
    print(f"load_average: {os.getloadavg()[0]:.2f}", file=out)
    sys.stdout.write(out.getvalue())


if __name__ == "__main__":
    main()
