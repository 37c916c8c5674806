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
from _setup import create_database, use_database

DB = "oms_bench_orders"
CITIES = [
    "上海",
    "北京",
    "广州",
    "深圳",
    "杭州",
    "南京",
    "苏州",
    "成都",
    "武汉",
    "西安",
    "重庆",
    "宁波",
]
STATUSES = [
    "draft",
    "pending_review",
    "confirmed",
    "backordered",
    "in_production",
    "allocated",
    "picking",
    "shipped",
    "delivered",
    "completed",
    "completed",
    "completed",
    "cancelled",
]


def load(orders: int, customers: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from customers.seeders import COMPANY_KINDS, COMPANY_WORDS

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM orders_order")
        if cursor.fetchone()[0] >= orders:
            return
        start = time.perf_counter()
        cursor.execute(
            """
            INSERT INTO customers_customer (code, name, kind, contact_person, phone, email, "group", tier,
                credit_limit, payment_terms, region, tags, notes, credit_hold, is_active, created_at, updated_at)
            SELECT 'B' || lpad(g::text, 7, '0'),
                   (%(cities)s::text[])[1 + g %% 12] || (%(words)s::text[])[1 + (g / 12) %% 15]
                       || (%(kinds)s::text[])[1 + (g / 180) %% 8] || '有限公司 ' || g,
                   'business', '', '13' || lpad(g::text, 9, '0'), '', 'wholesale', 'standard', 0, 'net_30',
                   'ZJ', '{}', '', false, true, now(), now()
            FROM generate_series(1, %(customers)s) g
            ON CONFLICT (code) DO NOTHING
            """,
            {
                "cities": CITIES,
                "words": COMPANY_WORDS,
                "kinds": COMPANY_KINDS,
                "customers": customers,
            },
        )
        cursor.execute("SELECT min(id) FROM customers_customer WHERE code LIKE 'B%%'")
        first_customer = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO orders_order (number, customer_id, channel, external_reference, status, on_hold,
                hold_reason, needs_review, payment_terms, ship_recipient, ship_phone, ship_region, ship_city,
                ship_district, ship_street, ship_postal_code, billing_address, notes, prices_include_tax,
                subtotal, discount_total, tax_total, shipping_fee, total, total_weight_kg, priority_score,
                priority_reasons, priority_boost, review_round, cancel_reason, created_at, updated_at)
            SELECT 'SO-' || (2024 + g / 400000) || '-' || lpad(g::text, 7, '0'),
                   %(first)s + (g::bigint * 7919) %% %(customers)s,
                   (array['back_office','web_shop','marketplace','import'])[1 + g %% 4], '',
                   (%(statuses)s::text[])[1 + (g * 31) %% 13], false, '', false, 'net_30',
                   '收货人', '13800000000', (array['ZJ','GD','JS','SH','BJ','SC'])[1 + g %% 6], '杭州', '', '文三路',
                   '', '', '', true, round((g %% 5000) * 1.7, 2), 0, round((g %% 5000) * 0.22, 2), 15,
                   round((g %% 5000) * 1.92 + 15, 2), 1, g %% 97, '[]', 0, 0, '',
                   timestamp '2024-01-01' + (g || ' minutes')::interval, now()
            FROM generate_series(1, %(orders)s) g
            """,
            {
                "first": first_customer,
                "customers": customers,
                "orders": orders,
                "statuses": STATUSES,
            },
        )
        cursor.execute("ANALYZE customers_customer")
        cursor.execute("ANALYZE orders_order")
        print(f"bulk_load: {time.perf_counter() - start:.1f} s")


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
    load(args.orders, args.customers)

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
