"""The home dashboard (KPI tiles and sales charts) over 1,000,000 orders: server time (p50)
and queries, for a manager and for the other roles (their tiles differ), with the sales
summaries of every day written.

    .venv/bin/python bench/dashboard.py [--orders 1000000] [--customers 50000] [--repeat 15]
        [--profile]

An own database (oms_bench_dashboard) filled like bench/_data.py's (INSERT ... SELECT
generate_series: customers, orders with 2.6 lines each over 2,000 products; no events or
allocations, which the dashboard does not read), the orders' times then moved so the last one
is placed now (the charts show the last 30/90 days), orders older than two weeks finished (a
real backlog), an invoice with one installment per sale (paid with a receipt unless placed in
the last 45 days or one in 40 older ones: overdue), a shipment per order that left (on its way
if placed in the last 4 days), vacuumed as autovacuum would, and the summaries of every day
written with orders.analytics (timed: the nightly job's cost per day) with the dashboard's
sales windows. Reused by later runs.

Times GET / and GET /?days=90 in-process (Django's test client: routing, middleware, tiles,
panels, template) as wall and CPU time; also the sales analytics page grouped by product for
a year, and GET / for finance, warehouse, logistics, sales and customer service. --profile
prints each tile's and panel's time and queries and the slowest statements per page. Prints
`name: value unit` lines, with the load average (the machine is shared).
"""

import argparse
import dataclasses
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _data
from _setup import create_database, use_database

DB = "oms_bench_dashboard"
ROLES = ("manager", "finance", "warehouse", "logistics", "sales", "customer_service")


def build(orders: int, customers: int) -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        _data._step(
            cursor,
            "customers",
            "customers_customer WHERE code LIKE 'B%'",
            customers,
            _customers,
            customers=customers,
        )
        _data._step(
            cursor, "orders", "orders_order", orders, _orders, orders=orders, customers=customers
        )
        _data._step(cursor, "products", "inventory_product WHERE sku LIKE 'BP-%'", 2000, _products)
        _data._step(cursor, "order_lines", "orders_orderline", int(orders * 2.6), _data._lines)
        # The bench orders start on 2024-01-01, one a minute: move them up to now, and spread
        # customers over the groups and the provinces.
        cursor.execute("SELECT now() - max(created_at) FROM orders_order")
        gap = cursor.fetchone()[0]
        if gap is not None and gap.days >= 1:
            start = time.perf_counter()
            cursor.execute("UPDATE orders_order SET created_at = created_at + %s", [gap])
            cursor.execute("ANALYZE orders_order")
            print(f"bulk_shift_to_today: {time.perf_counter() - start:.1f} s")
        # _data's statuses are spread evenly over the whole history; in a real order book
        # an order older than two weeks is finished (completed, or cancelled), so the open
        # backlog the dashboard counts is a few weeks' orders, not half of a million.
        cursor.execute(
            """UPDATE orders_order SET status = 'completed'
                WHERE created_at < now() - interval '14 days'
                  AND status NOT IN ('completed', 'cancelled')
            RETURNING (created_at AT TIME ZONE %s)::date""",
            [settings.TIME_ZONE],
        )
        days = {day for (day,) in cursor.fetchall()}
        if days:
            print(f"orders_finished_after_two_weeks: {len(days)} days")
            # Those days' summaries are stale (a draft became a sale): summarise them again.
            cursor.execute("DELETE FROM orders_salessummaryday WHERE day = ANY(%s)", [sorted(days)])
            cursor.execute("ANALYZE orders_order")
        # What finance and the warehouse see: an invoice (one installment) per sale, paid
        # (with its receipt) unless placed in the last 45 days or one in 40 older ones
        # (overdue); a shipment per order that left, on its way if placed in the last 4 days.
        _data._step(cursor, "invoices", "billing_invoice WHERE number LIKE 'INV-B-%'", 1, _invoices)
        _data._step(cursor, "installments", "billing_installment", 1, _installments_and_receipts)
        _data._step(
            cursor, "shipments", "shipping_shipment WHERE number LIKE 'SH-B-%'", 1, _shipments
        )
        # What autovacuum does on a live database within minutes of bulk writes: the
        # visibility map that index-only scans need, and fresh statistics.
        start = time.perf_counter()
        cursor.execute(
            "VACUUM (ANALYZE) orders_order, billing_invoice, billing_installment, "
            "billing_payment, shipping_shipment, orders_dailysales, orders_dailyordersales, "
            "orders_saleswindowproduct"
        )
        print(f"vacuum_analyze: {time.perf_counter() - start:.1f} s")


def _customers(cursor, *, customers: int) -> None:
    # Every NOT NULL column named (the model's defaults are Python's, not the database's),
    # spread over the customer groups and six provinces.
    cursor.execute(
        """
        INSERT INTO customers_customer (code, name, kind, contact_person, phone, email, "group",
            tier, credit_limit, payment_terms, region, tags, notes, credit_hold, is_active,
            language, opt_out_non_essential, preferred_channel, preferred_carrier,
            fapiao_account, fapiao_address, fapiao_bank, fapiao_phone, fapiao_title,
            fapiao_type, taxpayer_id, rfm_segment, rfm_score, spend_12m, created_at,
            updated_at)
        SELECT 'B' || lpad(g::text, 7, '0'), '灯饰有限公司 ' || g, 'business', '',
               '13' || lpad(g::text, 9, '0'), '',
               (array['retail','wholesale','distributor'])[1 + g %% 3], 'standard', 0,
               'net_30', (array['ZJ','GD','JS','SH','BJ','SC'])[1 + g %% 6], '{}', '', false,
               true, 'zh-hans', false, 'sms', '', '', '', '', '', '', 'general', '', '', '', 0,
               now(), now()
        FROM generate_series(1, %(customers)s) g
        ON CONFLICT (code) DO NOTHING
        """,
        {"customers": customers},
    )


def _orders(cursor, *, orders: int, customers: int) -> None:
    # bench/_data.py's orders, with every NOT NULL column named: one a minute from 2024-01-01
    # over four channels and six provinces, net amounts from 0 to 8,500.
    cursor.execute("SELECT min(id) FROM customers_customer WHERE code LIKE 'B%'")
    first_customer = cursor.fetchone()[0]
    cursor.execute(
        """
        INSERT INTO orders_order (number, customer_id, channel, external_reference, status,
            on_hold, hold_reason, needs_review, payment_terms, ship_recipient, ship_phone,
            ship_region, ship_city, ship_district, ship_street, ship_postal_code,
            billing_address, notes, prices_include_tax, subtotal, discount_total, tax_total,
            shipping_fee, shipping_tax, shipping_tax_rate, total, total_weight_kg,
            priority_score, priority_reasons, priority_boost, review_round, cancel_reason,
            fulfilment_status,
            remainder_cancelled, payment_status, delivery_note, priced_as_sent, created_at,
            updated_at)
        SELECT 'SO-' || (2024 + g / 400000) || '-' || lpad(g::text, 7, '0'),
               %(first)s + (g::bigint * 7919) %% %(customers)s,
               (array['back_office','web_shop','marketplace','import'])[1 + g %% 4], '',
               (%(statuses)s::text[])[1 + (g * 31) %% 13], false, '', false, 'net_30',
               '收货人', '13800000000', (array['ZJ','GD','JS','SH','BJ','SC'])[1 + g %% 6],
               '杭州', '', '文三路', '', '', '', true, round((g %% 5000) * 1.7, 2), 0,
               round((g %% 5000) * 0.22, 2), 15, 0, 0, round((g %% 5000) * 1.92 + 15, 2), 1,
               g %% 97, '[]', 0, 0, '', 'unfulfilled', false, 'unpaid', '', false,
               timestamp '2024-01-01' + (g || ' minutes')::interval, now()
        FROM generate_series(1, %(orders)s) g
        """,
        {
            "first": first_customer,
            "customers": customers,
            "orders": orders,
            "statuses": _data.STATUSES,
        },
    )


_OPEN_INVOICE = "(o.created_at > now() - interval '45 days' OR o.id % 40 = 0)"


def _invoices(cursor) -> None:
    cursor.execute(
        f"""
        INSERT INTO billing_invoice (number, order_id, customer_id, status, hold_reason,
            payment_terms, issue_date, due_date, amount_credited, amount_paid, subtotal,
            tax_total, shipping_fee, shipping_tax, shipping_tax_rate, total, fapiao_type,
            buyer_name, taxpayer_id, buyer_address, buyer_phone, buyer_bank, buyer_account,
            created_at, issued_at)
        SELECT 'INV-B-' || lpad(o.id::text, 8, '0'), o.id, o.customer_id, 'issued', '',
               'net_30', (o.created_at AT TIME ZONE 'Asia/Shanghai')::date,
               (o.created_at AT TIME ZONE 'Asia/Shanghai')::date + 30, 0,
               CASE WHEN {_OPEN_INVOICE} THEN 0 ELSE o.total END, o.subtotal, o.tax_total,
               o.shipping_fee, 0, 0, o.total, 'general', '', '', '', '', '', '', o.created_at,
               o.created_at
        FROM orders_order o
        WHERE o.status NOT IN ('draft', 'pending_review', 'cancelled')
        """
    )


def _installments_and_receipts(cursor) -> None:
    cursor.execute(
        """
        INSERT INTO billing_installment (invoice_id, customer_id, position, due_date, amount,
            amount_paid, amount_credited)
        SELECT id, customer_id, 1, due_date, total, amount_paid, 0 FROM billing_invoice
        WHERE number LIKE 'INV-B-%'
        """
    )
    cursor.execute(
        """
        INSERT INTO billing_payment (number, kind, method, source, amount, unapplied, fee,
            received_on, reference, payer, note, idempotency_key, created_at, customer_id)
        SELECT 'PAY-B-' || lpad(id::text, 8, '0'), 'receipt', 'bank_transfer', 'manual',
               amount_paid, 0, 0, LEAST(issue_date + (id % 30)::int, current_date), '', '', '',
               'bench-' || id, now(), customer_id
        FROM billing_invoice WHERE number LIKE 'INV-B-%' AND amount_paid > 0
        """
    )


def _shipments(cursor) -> None:
    cursor.execute(
        """
        INSERT INTO inventory_warehouse (code, name, region, city, address, latitude,
            longitude, is_active, is_quarantine)
        VALUES ('BW1', '仓库 1', 'ZJ', '杭州', '仓储路 1 号', 30.25, 120.16, true, false)
        ON CONFLICT (code) DO NOTHING
        """
    )
    cursor.execute(
        """
        INSERT INTO shipping_shipment (number, status, carrier, service, tracking_number,
            parcels, declared_value, cod_amount, created_at, updated_at, order_id,
            warehouse_id, expected_delivery_date)
        SELECT 'SH-B-' || lpad(o.id::text, 8, '0'),
               CASE WHEN o.created_at > now() - interval '4 days' THEN 'in_transit'
                    ELSE 'delivered' END,
               'sf', '', 'SFB' || o.id, 1, 0, 0, o.created_at, now(), o.id,
               (SELECT id FROM inventory_warehouse WHERE code = 'BW1'),
               (o.created_at AT TIME ZONE 'Asia/Shanghai')::date + 2
        FROM orders_order o
        WHERE o.status IN ('shipped', 'partially_shipped', 'delivered', 'completed')
        """
    )


def _products(cursor) -> None:
    cursor.execute(
        """
        INSERT INTO inventory_product (sku, name, name_en, model, spec, colour, unit, weight_kg,
            volume_m3, standard_cost, tax_class, made_to_order, is_active, fragile,
            packing_note, barcode, lead_time_days, pack_size, created_at, updated_at)
        SELECT 'BP-' || lpad(p::text, 6, '0'),
               (array['吸顶灯','筒灯','射灯','台灯','落地灯','灯带','吊灯','壁灯'])[1 + p % 8]
                   || ' ' || p,
               'Lamp ' || p, 'M' || p, '', '', 'pc', 1.2, 0.01, round(20 + p % 300, 2),
               'standard', false, true, false, '', '', 14, 1, now(), now()
        FROM generate_series(1, 2000) p
        ON CONFLICT (sku) DO NOTHING
        """
    )


def summarise() -> None:
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from orders.analytics import sales_summaries_refresh, sales_windows_refresh, window_days
    from orders.models import SalesSummaryDay, SalesWindow

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(created_at) FROM orders_order")
        first = timezone.localdate(cursor.fetchone()[0])
    yesterday = timezone.localdate() - timedelta(days=1)
    have = set(
        SalesSummaryDay.objects.filter(day__gte=first, day__lte=yesterday).values_list(
            "day", flat=True
        )
    )
    missing = [
        first + timedelta(days=n)
        for n in range((yesterday - first).days + 1)
        if first + timedelta(days=n) not in have
    ]
    if missing:
        # Runs of consecutive days, each refreshed as the job does (the dashboard's windows
        # summed again after a run that reaches them).
        runs: list[list] = []
        for day in missing:
            if runs and runs[-1][-1] + timedelta(days=1) == day:
                runs[-1].append(day)
            else:
                runs.append([day])
        start, cpu = time.perf_counter(), time.process_time()
        days = [d for run in runs for d in sales_summaries_refresh(start=run[0], end=run[-1])]
        wall = time.perf_counter() - start
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE orders_dailysales")
            cursor.execute("ANALYZE orders_dailyordersales")
        print(f"summaries_days: {len(days)} days")
        print(f"summaries_wall: {wall:.1f} s ({wall * 1000 / len(days):.0f} ms per day)")
        print(f"summaries_client_cpu: {time.process_time() - cpu:.1f} s")
    first_day, last_day = window_days(30)
    if not SalesWindow.objects.filter(first_day=first_day, last_day=last_day).exists():
        start = time.perf_counter()
        sales_windows_refresh()
        print(f"sales_windows_refresh: {(time.perf_counter() - start) * 1000:.0f} ms")


def measure(client, url: str, repeat: int) -> tuple[float, float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert client.get(url).status_code == 200  # warm
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    wall.sort()
    return statistics.median(wall), wall[int(len(wall) * 0.9)], statistics.median(cpu), len(ctx)


def profile(client, url: str) -> None:
    """Where one GET of `url` spends its time: each tile and panel the apps registered (ms and
    queries), and the slowest statements."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from oms import registry

    spent: list[tuple[str, float, int]] = []

    def timed(name, fn):
        def run(*args):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                value = fn(*args)
                spent.append((name, (time.perf_counter() - start) * 1000, len(ctx)))
            return value

        return run

    kpis, panels = list(registry.registry.kpis), list(registry.registry.dashboard_panels)
    registry.registry.kpis[:] = [
        dataclasses.replace(k, compute=timed(f"tile {k.name}", k.compute)) for k in kpis
    ]
    registry.registry.dashboard_panels[:] = [
        dataclasses.replace(p, context=timed(f"panel {p.name}", p.context)) for p in panels
    ]
    try:
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
    finally:
        registry.registry.kpis[:], registry.registry.dashboard_panels[:] = kpis, panels
    for name, ms, queries in sorted(spent, key=lambda row: -row[1]):
        print(f"  {name}: {ms:.1f} ms, {queries} queries")
    for query in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:5]:
        print(f"  slowest: {float(query['time']) * 1000:.1f} ms  {query['sql'][:160]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--profile", action="store_true", help="each tile's and panel's time, slowest queries"
    )
    args = parser.parse_args()
    create_database(DB)
    use_database(DB)
    build(args.orders, args.customers)
    summarise()

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.db import connection
    from django.test import Client

    from oms.roles import sync_role_groups

    sync_role_groups(Group, Permission)
    clients = {}
    for role in ROLES:
        user, _ = get_user_model().objects.get_or_create(username=f"bench-{role}")
        user.groups.add(Group.objects.get(name=role))
        clients[role] = Client()
        clients[role].force_login(user)
    client = clients["manager"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM orders_order")
        print(f"orders_in_table: {cursor.fetchone()[0]} orders")
        cursor.execute("SELECT count(*) FROM orders_orderline")
        print(f"lines_in_table: {cursor.fetchone()[0]} lines")
        cursor.execute("SELECT count(*) FROM orders_dailysales")
        print(f"summary_rows_product_grain: {cursor.fetchone()[0]} rows")
        cursor.execute("SELECT count(*) FROM orders_dailyordersales")
        print(f"summary_rows_order_grain: {cursor.fetchone()[0]} rows")
    print(f"load_average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    cases = {
        "dashboard_30_days": "/",
        "dashboard_90_days": "/?days=90",
        "analytics_year_by_product": "/analytics/sales/?group=product&start={year}&end={today}",
        "analytics_year_by_month_compare": (
            "/analytics/sales/?group=month&start={year}&end={today}&compare=on"
        ),
    }
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    for name, url in cases.items():
        url = url.format(year=today - timedelta(days=364), today=today)
        p50, p90, cpu, queries = measure(client, url, args.repeat)
        goal = ", goal < 200 ms" if name.startswith("dashboard") else ""
        print(f"{name}_p50: {p50:.1f} ms (p90 {p90:.1f} ms, cpu {cpu:.1f} ms{goal})")
        print(f"{name}_queries: {queries} queries")
        if args.profile and name.startswith("dashboard"):
            profile(client, url)
    # The other roles see other tiles (finance: receivables; warehouse: stock, shipments).
    for role in ROLES[1:]:
        p50, p90, cpu, queries = measure(clients[role], "/", args.repeat)
        print(f"dashboard_{role}_p50: {p50:.1f} ms (p90 {p90:.1f} ms, cpu {cpu:.1f} ms)")
        print(f"dashboard_{role}_queries: {queries} queries")
        if args.profile:
            profile(clients[role], "/")
    print(f"load_average_after: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
