"""The customer's order page (/track/<token>/) for an order in 5 parcels with 50 carrier
tracking events: server time per request (p50/p95, ms), CPU time per request, and the number
of queries (tests/shipping/test_public_page_queries.py pins that it does not grow).

    .venv/bin/python bench/track_page.py [--requests 200] [--shipments 5] [--events 50]

The order is built in its own database (oms_bench_track) inside a transaction that is rolled
back at the end, so every run starts from the same state. Requests go through Django's whole
stack in-process (middleware, view, template), without a network socket; CPU time is this
process's (the database server's work is in the wall time, not in the CPU figure), which a
loaded machine disturbs less than the wall time.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import create_database, use_database

DB = "oms_bench_track"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--shipments", type=int, default=5)
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--queries", action="store_true", help="list each query with its time")
    args = parser.parse_args()
    create_database(DB)
    use_database(DB)

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from oms.ratelimit import forget_counts
    from tests.shipping.public_page import PublicOrders, busy_order, page_url

    call_command("migrate", verbosity=0)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # The bench is one client asking many times: the per-address limit would stop it.
    settings.OMS_TRACK_REQUESTS_PER_MINUTE = 10**9
    forget_counts()
    with transaction.atomic():
        order = busy_order(PublicOrders(), shipments=args.shipments, events=args.events)
        url = page_url(order)
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        for _ in range(5):  # warm: templates compiled, translations loaded
            assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        # Read now: the next request's request_started signal empties the query log.
        query_count = len(captured)
        query_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
        html = response.content.decode()
        if args.queries:
            for query in captured.captured_queries:
                print(f"{float(query['time']) * 1000:7.1f} ms  {query['sql'][:160]}")
        walls, cpus = [], []
        for _ in range(args.requests):
            wall, cpu = time.perf_counter(), time.process_time()
            client.get(url)
            cpus.append((time.process_time() - cpu) * 1000)
            walls.append((time.perf_counter() - wall) * 1000)
        transaction.set_rollback(True)
    p95 = statistics.quantiles(walls, n=20)[-1]
    print(f"parcels                     {html.count('data-shipment=')}")
    print(f"tracking events shown       {html.count('快件已到达转运中心')}")
    print(f"queries per request         {query_count}")
    print(f"database time, one request (ms) {query_ms:.1f}")
    print(f"requests                    {args.requests}")
    print(f"server time p50 (ms)        {statistics.median(walls):.1f}")
    print(f"server time p95 (ms)        {p95:.1f}")
    print(f"CPU time per request p50 (ms) {statistics.median(cpus):.1f}")
    print(f"CPU time per request mean (ms) {statistics.fmean(cpus):.1f}")
    print(f"page size (kB)              {len(response.content) / 1024:.1f}")


if __name__ == "__main__":
    main()
