"""Server time of the order list page over 1,000,000 orders.

    .venv/bin/python bench/order_list.py [--orders 1000000] [--customers 50000]

Loads customers and orders with INSERT ... SELECT generate_series (seconds, not hours),
then times the view in-process (Django's test client: URL routing, middleware, queries,
template) — the server's share of a request. Prints `name: value unit` lines.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import DB, build  # noqa: E402
from _setup import create_database, use_database  # noqa: E402


def median_ms(client, url: str, repeat: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return statistics.median(times), len(ctx)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args()
    create_database(DB)
    use_database(DB)
    build(args.orders, args.customers)

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.test import Client

    from oms.roles import sync_role_groups

    sync_role_groups(Group, Permission)
    user, _ = get_user_model().objects.get_or_create(username="bench-manager")
    user.groups.add(Group.objects.get(name="manager"))
    client = Client()
    client.force_login(user)
    from orders.models import Order

    print(f"orders_in_table: {Order.objects.count()} orders")
    cases = {
        "order_list_first_page": "/orders/",
        "order_list_status_filter": "/orders/?status=backordered",
        "order_list_customer_search": "/orders/?q=宏达灯饰",
        "order_list_phone_search": "/orders/?q=13000012345",
        "order_list_number_prefix": "/orders/?q=SO-2025-0500",
        "order_list_page_100": "/orders/?page=100",
    }
    for name, url in cases.items():
        ms, queries = median_ms(client, url, args.repeat)
        print(f"{name}_median: {ms:.1f} ms")
        print(f"{name}_queries: {queries} queries")
    for size in (25, 50, 200):
        _ms, queries = median_ms(client, f"/orders/?status=picking&per_page={size}", 1)
        print(f"order_list_queries_per_page_{size}: {queries} queries")


if __name__ == "__main__":
    main()
