"""What the carrier choice costs when shipments are made from an order's allocations: the
time and queries of `shipments_create_for_order` with the rules' choice recorded, and the
same without it, over orders of a few lines with 6 carrier services to price.

Runs against its own database (oms_bench_shipping on the embedded server, or
BENCH_DATABASE_URL's server). Prints `name: value unit` lines.

    .venv/bin/python bench/shipment_create.py [--orders 200]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import create_database, use_database

DB = "oms_bench_shipping"
create_database(DB)
use_database(DB)

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from orders.services import order_submit  # noqa: E402
from shipping import services  # noqa: E402
from shipping.models import Carrier, CarrierService, Rate  # noqa: E402
from tests.orders.conftest import Catalog  # noqa: E402


def carriers() -> None:
    for code in ("SF", "ZTO", "JD"):
        carrier = Carrier.objects.create(code=f"B{code}", name=f"Bench {code}", supports_cod=True)
        for level, days, fee in (("express", 1, 18), ("standard", 3, 9)):
            service = CarrierService.objects.create(
                carrier=carrier, level=level, max_weight_kg=30, max_side_cm=150
            )
            Rate.objects.create(
                service=service,
                origin="SH",
                destination="zone:east",
                transit_days=days,
                first_weight_kg=1,
                first_fee=fee,
                step_kg=1,
                step_fee=2,
            )


def measure(orders: list, *, choose: bool) -> tuple[list[float], list[int]]:
    original = services.choose_by_rules
    if not choose:
        services.choose_by_rules = lambda shipment, actor: None  # type: ignore[assignment]
    times, queries = [], []
    try:
        for order in orders:
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                services.shipments_create_for_order(actor=None, order=order)
                times.append((time.perf_counter() - start) * 1000)
            queries.append(len(captured.captured_queries))
    finally:
        services.choose_by_rules = original
    return times, queries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=200)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)  # its own database: a fresh start
    catalog = Catalog()
    carriers()
    products = [catalog.product() for _ in range(3)]
    for product in products:
        catalog.stock(product, catalog.shanghai, 10 * args.orders)
    customer = catalog.customer()
    orders = [
        order_submit(actor=None, order=catalog.order(customer, *[(p, 2) for p in products]))
        for _ in range(2 * args.orders)
    ]
    plain_ms, plain_q = measure(orders[: args.orders], choose=False)
    chosen_ms, chosen_q = measure(orders[args.orders :], choose=True)
    print(f"shipment create without choice: {statistics.median(plain_ms):.2f} ms (median)")
    print(f"shipment create with the rules' choice: {statistics.median(chosen_ms):.2f} ms (median)")
    print(
        "carrier choice cost per shipment: "
        f"{statistics.median(chosen_ms) - statistics.median(plain_ms):.2f} ms"
    )
    print(f"queries per shipment without choice: {statistics.median(plain_q):.0f}")
    print(f"queries per shipment with the rules' choice: {statistics.median(chosen_q):.0f}")


if __name__ == "__main__":
    main()
