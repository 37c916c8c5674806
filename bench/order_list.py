"""The order list page over 1,000,000 orders: server time, concurrent clients, a profile.

    .venv/bin/python bench/order_list.py [--orders 1000000] [--customers 50000]
        [--concurrent] [--seconds 10] [--profile]

Uses the bench database of bench/_data.py (orders with lines, events and allocations).
By default times the view in-process (Django's test client: URL routing, middleware, queries,
template) — the server's share of a request — as wall and CPU time.

--concurrent starts gunicorn as `make run` does (gunicorn.conf.py: workers and threads per
core) on a free port against the bench database, signs in with a session cookie, and lets 8
and then 32 clients (threads, keep-alive connections) ask for the order list for --seconds
each: requests per second, p50 and p95. The server is stopped at the end.

--profile runs cProfile over the 50-row page and prints where the time goes.
Prints `name: value unit` lines.
"""

import argparse
import cProfile
import http.client
import os
import pstats
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import DB, build
from _setup import ROOT, create_database, use_database


def median_ms(client, url: str, repeat: int) -> tuple[float, float, int]:
    """Median wall and CPU milliseconds of GET url, and its query count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm: templates compiled, caches filled
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return statistics.median(wall), statistics.median(cpu), len(ctx)


def in_process(client, repeat: int) -> None:
    cases = {
        "order_list_first_page": "/orders/",
        "order_list_status_filter": "/orders/?status=backordered",
        "order_list_customer_search": "/orders/?q=宏达灯饰",
        "order_list_phone_search": "/orders/?q=13000012345",
        "order_list_number_prefix": "/orders/?q=SO-2025-0500",
        "order_list_page_100": "/orders/?page=100",
        "order_list_sorted_by_customer": "/orders/?sort=customer",
    }
    for name, url in cases.items():
        wall, cpu, queries = median_ms(client, url, repeat)
        print(f"{name}_median: {wall:.1f} ms wall, {cpu:.1f} ms CPU")
        print(f"{name}_queries: {queries} queries")
    for size in (25, 50, 200):
        _wall, _cpu, queries = median_ms(client, f"/orders/?status=picking&per_page={size}", 1)
        print(f"order_list_queries_per_page_{size}: {queries} queries")


def profile(client, requests: int = 20) -> None:
    for _ in range(3):
        client.get("/orders/")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.get("/orders/")
    profiler.disable()
    print(f"profile: {requests} requests of /orders/ (50 rows), heaviest functions first")
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(20)
    stats.sort_stats("cumulative").print_stats(r"oms/|orders/|django_tables2/|forms/", 25)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int) -> subprocess.Popen:
    """gunicorn as `manage.py runall` starts it, on the bench database (this process's
    environment names it; the embedded server is already running)."""
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "oms.wsgi",
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/login/")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.5)
    stop(process)
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def load(port: int, cookie: str, clients: int, seconds: float) -> tuple[list[float], int]:
    """`clients` threads, each on its own keep-alive connection, GET /orders/ until time is
    up; returns every latency (ms) and the number of failed requests."""
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        nonlocal failures
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, failed = [], 0
        while time.monotonic() < deadline:
            start = time.perf_counter()
            try:
                conn.request("GET", "/orders/", headers={"Cookie": cookie})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    failed += 1
                    continue
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            mine.append((time.perf_counter() - start) * 1000)
        conn.close()
        with lock:
            latencies.extend(mine)
            failures += failed

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, failures


def concurrent(client, seconds: float) -> None:
    from django.conf import settings

    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    port = free_port()
    server = start_gunicorn(port)
    try:
        load(port, cookie, 4, 3)  # warm every worker: templates, connections
        for clients in (8, 32):
            latencies, failures = load(port, cookie, clients, seconds)
            latencies.sort()
            p50 = latencies[len(latencies) // 2]
            p95 = latencies[int(len(latencies) * 0.95)]
            print(f"concurrent_{clients}_clients: {len(latencies) / seconds:.1f} req/s")
            print(f"concurrent_{clients}_clients_p50: {p50:.0f} ms")
            print(f"concurrent_{clients}_clients_p95: {p95:.0f} ms")
            print(f"concurrent_{clients}_clients_failed: {failures} requests")
    finally:
        stop(server)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=25)
    parser.add_argument("--concurrent", action="store_true")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    create_database(DB)
    use_database(DB)
    build(args.orders, args.customers)

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.test import Client

    from oms.roles import sync_role_groups
    from orders.models import Order

    sync_role_groups(Group, Permission)
    user, _ = get_user_model().objects.get_or_create(username="bench-manager")
    user.groups.add(Group.objects.get(name="manager"))
    client = Client()
    client.force_login(user)
    print(f"orders_in_table: {Order.objects.count()} orders")
    print(f"load_average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.profile:
        profile(client)
    elif args.concurrent:
        concurrent(client, args.seconds)
    else:
        in_process(client, args.repeat)


if __name__ == "__main__":
    main()
