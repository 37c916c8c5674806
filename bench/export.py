"""Exporting the order list of 1,000,000 orders to CSV, as the export worker does it.

    .venv/bin/python bench/export.py [--orders 1000000] [--customers 50000]

Uses the bench database of bench/_data.py (orders with lines, events and allocations),
runs one export job in this process through oms.filejobs.file_job_run (what the worker
task calls: the list view's filters and sorting, the count, the cells made by PostgreSQL and
written by COPY of the values_list() query, the temporary file and its rename), then
PostgreSQL's own COPY of the same raw columns in the same order as the baseline, then the
values_list() + csv module way (exports with cells made in Python) for comparison.
Prints `name: value unit` lines; CPU seconds count this process and its PostgreSQL backend.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import DB, build
from _setup import create_database, use_database

# What the order list exports (orders.tables.OrderTable), in SQL, newest first like the list.
COPY_SQL = """
COPY (
    SELECT o.number,
           to_char(o.created_at AT TIME ZONE %(zone)s, 'YYYY-MM-DD HH24:MI:SS'),
           c.name || ' (' || c.code || ')',
           o.channel, o.status, o.total, o.priority_score, o.requested_delivery_date,
           o.ship_region
    FROM orders_order o JOIN customers_customer c ON c.id = o.customer_id
    ORDER BY o.id DESC
) TO STDOUT WITH CSV
"""


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def cpu_seconds() -> float:
    """CPU time of this process and of its PostgreSQL backend (the embedded server runs on
    this machine): on a busy machine, wall time says more about the neighbours."""
    from django.db import connection

    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
        server = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:  # a server on another machine
        server = 0.0
    return time.process_time() + server


def run_export(folder: Path) -> tuple[int, float, int]:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission

    from oms.filejobs import file_job_run
    from oms.models import FileJob
    from oms.roles import sync_role_groups

    settings.OMS_FILE_JOB_DIR = folder
    sync_role_groups(Group, Permission)
    user, _ = get_user_model().objects.get_or_create(username="bench-manager")
    user.groups.add(Group.objects.get(name="manager"))
    job = FileJob.objects.create(
        user=user, path="/orders/", list_name="orders:list", query_string="", language="en"
    )
    cpu, start = cpu_seconds(), time.perf_counter()
    outcome = file_job_run(job_id=job.pk)
    elapsed, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    job.refresh_from_db()
    assert outcome == "done", (outcome, job.error)
    size = (folder / job.file_name).stat().st_size
    job.delete()
    return job.items_done, elapsed, cpu, size


def run_values_list(folder: Path) -> tuple[int, float, float]:
    """The export through values_list() and the csv module, the way exports whose cells
    need Python go (and small exports from the page), for comparison."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.test import RequestFactory

    from oms.exports import export_plan, write_csv
    from orders.views import OrderListView

    request = RequestFactory().get("/orders/")
    request.user = get_user_model().objects.get(username="bench-manager")
    view = OrderListView()
    view.setup(request)
    table = view.export_table(request)
    plan = export_plan(table)
    cpu, start = cpu_seconds(), time.perf_counter()
    with transaction.atomic(), open(folder / "values.csv", "w", newline="") as out:
        rows = write_csv(plan, table.data.data, out)
    return rows, time.perf_counter() - start, cpu_seconds() - cpu


def run_copy() -> tuple[int, float, float]:
    from django.conf import settings
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    sql = COPY_SQL % {"zone": "'" + settings.TIME_ZONE + "'"}
    size = 0
    cpu, start = cpu_seconds(), time.perf_counter()
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        for data in copy:
            size += len(data)
    return size, time.perf_counter() - start, cpu_seconds() - cpu


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--skip-values-list", action="store_true")
    args = parser.parse_args()
    create_database(DB)
    use_database(DB)
    build(args.orders, args.customers)
    from orders.models import Order

    print(f"orders_in_table: {Order.objects.count()} orders")
    print(f"rss_before_export: {peak_rss_mb():.0f} MB")
    print(f"load_average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as folder:
        rows, seconds, cpu, size = run_export(Path(folder))
        print(f"export_rows: {rows} rows")
        print(f"export_time: {seconds:.2f} s wall, {cpu:.2f} s CPU (Python + PostgreSQL)")
        print(f"export_rate: {rows / seconds:,.0f} rows/s")
        print(f"export_rate_per_cpu_second: {rows / cpu:,.0f} rows/s")
        print(f"export_file: {size / 1e6:.1f} MB")
        print(f"export_peak_rss: {peak_rss_mb():.0f} MB")
        copy_size, copy_seconds, copy_cpu = run_copy()
        print(f"copy_time: {copy_seconds:.2f} s wall, {copy_cpu:.2f} s CPU")
        print(f"copy_rate: {rows / copy_seconds:,.0f} rows/s")
        print(f"copy_output: {copy_size / 1e6:.1f} MB")
        print(
            f"export_vs_copy_time: {seconds / copy_seconds:.2f} x wall, {cpu / copy_cpu:.2f} x CPU"
        )
        if not args.skip_values_list:
            v_rows, v_seconds, v_cpu = run_values_list(Path(folder))
            print(f"values_list_time: {v_seconds:.2f} s wall, {v_cpu:.2f} s CPU")
            print(f"values_list_rate: {v_rows / v_seconds:,.0f} rows/s")
            print(f"values_list_rate_per_cpu_second: {v_rows / v_cpu:,.0f} rows/s")
            print(f"values_list_vs_copy_time: {v_seconds / copy_seconds:.2f} x wall")
            print(f"peak_rss_after_values_list: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
