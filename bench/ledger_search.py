"""The stock ledger's search over 1,000,000 movements: plans and times.

    .venv/bin/python bench/ledger_search.py [--rows 1000000]

Uses the bench database of bench/_data.py and adds a ledger to it once. For each kind of
search people type, prints the page's median time in-process and the plan of the query that
fetches the page's rows (EXPLAIN ANALYZE), then the same for the old "contains" search over
reference, note, SKU and name. Prints `name: value unit` lines.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import DB, build_ledger
from _setup import create_database, use_database

LEDGER = "inventory_stockmovement"
CASES = {
    "order_number": "SO-2025-0500123",
    "reference_prefix": "PO-4711",
    "sku": "BP-000042",
    "product_name": "壁灯 1999",
    "note_word": "crushed",
    "nothing": "no-such-thing",
}


def page(client, query: str, repeat: int) -> tuple[float, str]:
    """Median ms of the ledger page searching `query`, and the SQL that fetched its rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get("/stock/ledger/", {"q": query})
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        client.get("/stock/ledger/", {"q": query})
    sql = next(q["sql"] for q in captured if f'FROM "{LEDGER}"' in q["sql"] and "LIMIT" in q["sql"])
    return statistics.median(times), sql


def explain(sql: str, params=None) -> tuple[str, float]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
        lines = [row[0] for row in cursor.fetchall()]
    ms = float(next(line for line in lines if line.startswith("Execution Time")).split()[2])
    nodes = [line.strip().lstrip("-> ").split("  (")[0] for line in lines if "Scan" in line]
    return "; ".join(nodes), ms


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    create_database(DB)
    use_database(DB)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    build_ledger(args.rows)

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q
    from django.test import Client

    from inventory.models import StockMovement
    from oms.roles import sync_role_groups

    sync_role_groups(Group, Permission)
    user, _ = get_user_model().objects.get_or_create(username="bench-warehouse")
    user.groups.add(Group.objects.get(name="warehouse"))
    client = Client()
    client.force_login(user)
    print(f"ledger_rows: {StockMovement.objects.count()} movements")
    for name, query in CASES.items():
        ms, sql = page(client, query, args.repeat)
        nodes, query_ms = explain(sql)
        print(f"ledger_search_{name}_page_median: {ms:.1f} ms ({query!r})")
        print(f"ledger_search_{name}_query: {query_ms:.1f} ms [{nodes}]")
    for name, query in CASES.items():
        old = (
            StockMovement.objects.select_related("product", "warehouse", "actor")
            .filter(
                Q(product__sku__icontains=query)
                | Q(product__name__icontains=query)
                | Q(reference__icontains=query)
                | Q(note__icontains=query)
            )
            .order_by("-id")[:51]
        )
        nodes, query_ms = explain(
            str(old.query.sql_with_params()[0])
            % tuple(f"'{p}'" for p in old.query.sql_with_params()[1])
        )
        print(f"ledger_contains_{name}_query: {query_ms:.1f} ms [{nodes}]")


if __name__ == "__main__":
    main()
