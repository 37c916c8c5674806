"""The receivables aging page over 1,000,000 invoices (200,000 of them open) of 100,000
customers: server time of the page and its query count.

    .venv/bin/python bench/receivables.py [--customers 100000] [--invoices 1000000]
        [--open-every 5] [--repeat 15]

An own database (oms_bench_receivables) on the embedded server: 100,000 customers, one order
each, and ten invoices per order, each with one installment; every fifth installment is still
open, its due date spread from 60 days ahead to 200 days overdue (every bucket), the others
paid. Everything is loaded with INSERT ... SELECT generate_series and reused by later runs;
the customers' receivables rows (which the services keep) are then computed once, and moved
on to today as the nightly job does when the data are from an earlier day.

Times GET /receivables/ in-process (Django's test client: routing, middleware, the aggregate
query, the page's customers, the totals row, the template) as a finance user; prints the p50
and the query count per case, and the query count at 25, 50 and 200 rows per page (constant).
Prints `name: value unit` lines.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import CITIES
from _setup import create_database, use_database

DB = "oms_bench_receivables"


def _step(cursor, name: str, count_sql: str, wanted: int, fill) -> None:
    cursor.execute(count_sql)
    if cursor.fetchone()[0] >= wanted:
        return
    start = time.perf_counter()
    fill()
    print(f"bulk_load_{name}: {time.perf_counter() - start:.1f} s")


def build(customers: int, invoices: int, open_every: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    per_order = invoices // customers
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        _step(
            cursor,
            "customers",
            "SELECT count(*) FROM customers_customer WHERE code LIKE 'B%'",
            customers,
            lambda: _customers(cursor, customers),
        )
        _step(
            cursor,
            "orders",
            "SELECT count(*) FROM orders_order",
            customers,
            lambda: _orders(cursor),
        )
        _step(
            cursor,
            "invoices",
            "SELECT count(*) FROM billing_invoice",
            invoices,
            lambda: _invoices(cursor, per_order=per_order, open_every=open_every),
        )
        _step(
            cursor,
            "installments",
            "SELECT count(*) FROM billing_installment",
            invoices,
            lambda: _installments(cursor, open_every=open_every),
        )
        _step(
            cursor,
            "receivables_rows",
            "SELECT count(*) FROM billing_customerreceivable",
            1,
            _receivable_rows,
        )
        for table in (
            "customers_customer",
            "orders_order",
            "billing_invoice",
            "billing_installment",
            "billing_customerreceivable",
        ):
            cursor.execute(f"ANALYZE {table}")
    # The nightly job's work when the data were loaded on an earlier day.
    from billing.receivable_rows import receivables_roll

    start = time.perf_counter()
    rolled = receivables_roll()
    print(f"receivables_rows_rolled: {rolled} rows in {time.perf_counter() - start:.1f} s")


def _receivable_rows() -> None:
    # The rows the services keep, for data loaded around them (the migration fills them for
    # data that existed before it).
    from billing.receivable_rows import receivables_rebuild

    receivables_rebuild()


def _customers(cursor, customers: int) -> None:
    cursor.execute(
        """
        INSERT INTO customers_customer (code, name, kind, contact_person, phone, email, "group",
            tier, credit_limit, payment_terms, region, tags, notes, credit_hold, is_active,
            language, opt_out_non_essential, preferred_channel, preferred_carrier,
            fapiao_account, fapiao_address, fapiao_bank, fapiao_phone, fapiao_title,
            fapiao_type, taxpayer_id, created_at, updated_at)
        SELECT 'B' || lpad(g::text, 7, '0'),
               (%(cities)s::text[])[1 + g %% 12] || '灯饰有限公司 ' || g, 'business', '',
               '13' || lpad(g::text, 9, '0'), '',
               (array['wholesale','retail','project'])[1 + g %% 3], 'standard',
               50000 + (g %% 10) * 10000, 'net_30',
               (array['ZJ','GD','JS','SH','BJ','SC'])[1 + g %% 6], '{}', '', false, true,
               'zh-hans', false, 'sms', '', '', '', '', '', '', 'general', '', now(), now()
        FROM generate_series(1, %(customers)s) g
        ON CONFLICT (code) DO NOTHING
        """,
        {"cities": CITIES, "customers": customers},
    )


def _orders(cursor) -> None:
    # One delivered order per customer: what the invoices belong to.
    cursor.execute(
        """
        INSERT INTO orders_order (number, customer_id, channel, external_reference, status,
            on_hold, hold_reason, needs_review, payment_terms, ship_recipient, ship_phone,
            ship_region, ship_city, ship_district, ship_street, ship_postal_code,
            billing_address, notes, prices_include_tax, subtotal, discount_total, tax_total,
            shipping_fee, total, total_weight_kg, priority_score, priority_reasons,
            priority_boost, review_round, cancel_reason, fulfilment_status,
            remainder_cancelled, payment_status, delivery_note, shipping_tax,
            shipping_tax_rate, priced_as_sent, created_at, updated_at)
        SELECT 'SO-B-' || lpad(c.id::text, 8, '0'), c.id, 'back_office', '', 'delivered',
               false, '', false, 'net_30', '收货人', '13800000000', c.region, '杭州', '',
               '文三路', '', '', '', true, 1000, 0, 0, 0, 1000, 1, 0, '[]', 0, 0, '',
               'unfulfilled', false, 'unpaid', '', 0, 0, false, now(), now()
        FROM customers_customer c WHERE c.code LIKE 'B%%'
        """
    )


def _invoices(cursor, *, per_order: int, open_every: int) -> None:
    # Invoice k of order o: number o*per_order+k; every open_every-th one still open.
    cursor.execute(
        """
        INSERT INTO billing_invoice (number, order_id, customer_id, status, hold_reason,
            payment_terms, issue_date, due_date, amount_credited, amount_paid, subtotal,
            tax_total, shipping_fee, total, fapiao_type, buyer_name, taxpayer_id,
            buyer_address, buyer_phone, buyer_bank, buyer_account, shipping_tax,
            shipping_tax_rate, created_at, issued_at)
        SELECT 'INV-B-' || lpad(n::text, 8, '0'), o.id, o.customer_id, 'issued', '', 'net_30',
               current_date - (n * 7 %% 260)::int - 30, current_date - (n * 7 %% 260)::int + 60, 0,
               CASE WHEN n %% %(every)s = 0 THEN 0 ELSE 100 + n %% 900 END,
               100 + n %% 900, 0, 0, 100 + n %% 900, 'general', '', '', '', '', '', '', 0, 0,
               now(), now()
        FROM orders_order o
        CROSS JOIN LATERAL generate_series(1, %(per)s) k
        CROSS JOIN LATERAL (SELECT (o.id::bigint * %(per)s + k) AS n) x
        """,
        {"per": per_order, "every": open_every},
    )


def _installments(cursor, *, open_every: int) -> None:
    cursor.execute(
        """
        INSERT INTO billing_installment (invoice_id, customer_id, position, due_date, amount, amount_paid,
            amount_credited)
        SELECT id, customer_id, 1, due_date, total, amount_paid, 0 FROM billing_invoice
        WHERE number LIKE 'INV-B-%%'
        """
    )


def median(client, url: str, repeat: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert client.get(url).status_code == 200  # warm
    wall = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        wall.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    wall.sort()
    return statistics.median(wall), wall[int(len(wall) * 0.9)], len(ctx)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--open-every", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    create_database(DB)
    use_database(DB)
    build(args.customers, args.invoices, args.open_every)

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.db.models import F
    from django.test import Client

    from billing.models import Installment, Invoice
    from oms.roles import sync_role_groups

    sync_role_groups(Group, Permission)
    user, _ = get_user_model().objects.get_or_create(username="bench-finance")
    user.groups.add(Group.objects.get(name="finance"))
    client = Client()
    client.force_login(user)
    open_count = Installment.objects.filter(
        amount__gt=F("amount_paid") + F("amount_credited")
    ).count()
    print(f"invoices_in_table: {Invoice.objects.count()} invoices")
    print(f"open_installments: {open_count} installments")
    print(f"load_average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    cases = {
        "aging_first_page": "/receivables/",
        "aging_sorted_by_over_90": "/receivables/?sort=-days_over_90",
        "aging_overdue_only": "/receivables/?overdue=true",
        "aging_bucket_61_90": "/receivables/?bucket=days_61_90",
        "aging_region_filter": "/receivables/?region=ZJ&group=wholesale",
        "aging_page_100": "/receivables/?page=100",
    }
    for name, url in cases.items():
        p50, p90, queries = median(client, url, args.repeat)
        print(f"{name}_p50: {p50:.1f} ms (p90 {p90:.1f} ms, goal < 300 ms)")
        print(f"{name}_queries: {queries} queries")
    counts = [median(client, f"/receivables/?per_page={size}", 1)[2] for size in (25, 50, 200)]
    for size, count in zip((25, 50, 200), counts, strict=True):
        print(f"aging_queries_per_page_{size}: {count} queries")
    print(f"aging_query_count_constant: {'yes' if len(set(counts)) == 1 else 'NO'}")


if __name__ == "__main__":
    main()
