"""Payments per second: receipts recorded and allocated to the customer's open invoices
(oldest due first) with 4 concurrent workers, next to pgbench's TPC-B on the same server in
the same run.

    .venv/bin/python bench/payments.py [--workers 4] [--payments 4000]

Workers are processes. Each payment goes through billing.payments.payment_record in its own
transaction: the customer's lock, the idempotency check, its open invoices locked by id, the
payment, its allocations, the invoices' amount_paid and installments, the audit row (and the
order's payment_status once orders has its service). 2,000 customers with 3 open invoices of
1,000.00 each; every payment is 300.00, so most settle one invoice and some two, and a
customer's last ones become credit. Prints `name: value unit` lines.
"""

import argparse
import os
import sys
import time
import uuid
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import create_database, use_database
from order_throughput import pgbench_tps

DB = "oms_bench_payments"
CUSTOMERS = 2000
INVOICES_PER_CUSTOMER = 3


def prepare() -> None:
    from datetime import date, timedelta
    from decimal import Decimal

    from django.core.management import call_command
    from django.utils import timezone

    from billing.models import Installment, Invoice
    from customers.models import Customer
    from orders.models import Order

    call_command("migrate", verbosity=0)
    if Customer.objects.filter(code__startswith="PB").count() >= CUSTOMERS:
        return
    people = Customer.objects.bulk_create(
        [
            Customer(code=f"PB{n:05d}", name=f"付款客户 {n}", phone="13800000000", region="ZJ")
            for n in range(CUSTOMERS)
        ]
    )
    now = timezone.now()
    orders = Order.objects.bulk_create(
        [
            Order(
                number=f"PB-{c.pk}-{k}",
                customer=c,
                status="confirmed",
                payment_terms="net_30",
                ship_recipient="x",
                ship_phone="13800000000",
                ship_region="ZJ",
                ship_city="杭州",
                ship_street="x",
                subtotal=Decimal("884.96"),
                tax_total=Decimal("115.04"),
                total=Decimal("1000.00"),
                confirmed_at=now,
            )
            for c in people
            for k in range(INVOICES_PER_CUSTOMER)
        ],
        batch_size=2000,
    )
    start = date(2026, 1, 1)
    invoices = Invoice.objects.bulk_create(
        [
            Invoice(
                number=f"INV-PB-{n:07d}",
                order=order,
                customer_id=order.customer_id,
                status="issued",
                payment_terms="net_30",
                issue_date=start + timedelta(days=n % 300),
                due_date=start + timedelta(days=n % 300 + 30),
                subtotal=Decimal("884.96"),
                tax_total=Decimal("115.04"),
                total=Decimal("1000.00"),
            )
            for n, order in enumerate(orders)
        ],
        batch_size=2000,
    )
    Installment.objects.bulk_create(
        [
            Installment(
                invoice=i,
                customer_id=i.customer_id,
                position=1,
                due_date=i.due_date,
                amount=i.total,
            )
            for i in invoices
        ],
        batch_size=2000,
    )


def worker(args) -> tuple[int, float]:
    """Record `count` payments; returns (count, CPU seconds this process spent on them)."""
    seed, count = args
    use_database(DB)
    import random
    from datetime import date

    from django.conf import settings

    settings.DEBUG = False  # as in production: no statement log kept in memory

    from billing.payments import payment_record
    from customers.models import Customer

    rng = random.Random(seed)
    customers = list(Customer.objects.filter(code__startswith="PB"))
    methods = ["bank_transfer", "alipay", "wechat_pay", "card"]
    cpu = time.process_time()
    for _ in range(count):
        payment_record(
            actor=None,
            customer=rng.choice(customers),
            amount="300.00",
            method=rng.choice(methods),
            received_on=date(2026, 11, 30),
            idempotency_key=f"bench-{uuid.uuid4()}",
            reference=f"B{rng.randint(1, 10**9)}",
        )
    return count, time.process_time() - cpu


def sql_per_payment() -> int:
    """Statements one payment sends, BEGIN/COMMIT aside."""
    from datetime import date

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from billing.payments import payment_record
    from customers.models import Customer

    customer = Customer.objects.filter(code__startswith="PB").order_by("?").first()
    with CaptureQueriesContext(connection) as captured:
        payment_record(
            actor=None,
            customer=customer,
            amount="300.00",
            method="alipay",
            received_on=date(2026, 11, 30),
            idempotency_key=f"bench-{uuid.uuid4()}",
        )
    return sum(q["sql"] not in ("BEGIN", "COMMIT") for q in captured.captured_queries)


def invariants_hold() -> bool:
    """Σ allocations = invoice.amount_paid for every invoice, and every receipt adds up."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM billing_invoice i
               LEFT JOIN (SELECT invoice_id, sum(amount) s FROM billing_paymentallocation
                          GROUP BY invoice_id) a ON a.invoice_id = i.id
               WHERE i.amount_paid <> coalesce(a.s, 0)"""
        )
        bad_invoices = cursor.fetchone()[0]
        cursor.execute(
            """SELECT count(*) FROM billing_payment p
               LEFT JOIN (SELECT payment_id, sum(amount) s FROM billing_paymentallocation
                          GROUP BY payment_id) a ON a.payment_id = p.id
               WHERE p.kind = 'receipt' AND p.amount <> p.unapplied + coalesce(a.s, 0)"""
        )
        bad_payments = cursor.fetchone()[0]
    return bad_invoices == 0 and bad_payments == 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--payments", type=int, default=4000)
    parser.add_argument("--pgbench-seconds", type=int, default=15)
    args = parser.parse_args()
    create_database(DB)
    use_database(DB)
    prepare()
    from django.db import connection

    connection.close()
    per_worker = args.payments // args.workers
    with get_context("spawn").Pool(args.workers) as pool:
        pool.map(worker, [(1000 + i, 5) for i in range(args.workers)])  # warm up
        start = time.perf_counter()
        results = pool.map(worker, [(i, per_worker) for i in range(args.workers)])
        elapsed = time.perf_counter() - start
    done = sum(count for count, _cpu in results)
    cpu_ms = 1000 * sum(cpu for _count, cpu in results) / done
    per_second = done / elapsed
    tps = pgbench_tps(args.pgbench_seconds, args.workers)
    statements = sql_per_payment()
    print(f"payments_recorded_allocated: {done} payments")
    print(f"sql_per_payment: {statements} statements")
    # The workers' own CPU (Python and the driver); the server's share is in the wall figure.
    print(f"app_cpu_per_payment: {cpu_ms:.2f} ms")
    print(f"load_average_1m: {os.getloadavg()[0]:.2f}")
    print(f"payments_{args.workers}_workers: {per_second:.1f} payments/s")
    print(f"pgbench_tpcb_{args.workers}_clients: {tps:.0f} tps")
    print(f"payments_per_pgbench_transaction: {per_second / tps:.3f} ratio")
    print(f"invariants_after_run: {'hold' if invariants_hold() else 'BROKEN'}")


if __name__ == "__main__":
    main()
