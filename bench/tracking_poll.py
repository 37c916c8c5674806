"""Tracking at scale, against the local carrier simulator and gunicorn as `make run` runs them.

    .venv/bin/python bench/tracking_poll.py [--shipments 10000] [--workers 2] [--clients 16]
        [--skip-poll]   (push ingestion and processing only)

1. Poll: SHIPMENTS parcels in transit with one Kuaidi100 carrier are asked about through the
   simulator (`manage.py carrier_simulator`, its own process), in chunks of 100 by WORKERS
   processes, as the beat job's poll_carrier tasks do on a worker (make run: concurrency 2).
   The carrier's rate limit is set to 1,000 requests/s (the default of 10/s alone would make a
   cycle of 10,000 take 1,000 s). The first cycle finds every event new (the simulator answers
   whole journeys: ~8 events stored and the shipment delivered each); the second asks again
   about the same parcels with nothing new (the steady state of a reconciliation poll).
   Prints `shipments polled/s` and `poll cycle seconds` for each.
2. Push ingestion: the simulator's pushes for every parcel (signed with the carrier's salt, a
   lastResult of 2 to 9 events) are POSTed by CLIENTS threads with keep-alive connections to
   gunicorn started with gunicorn.conf.py, as `make run` starts it. Each push is checked
   (signature), stored once in the received-callbacks table and answered; prints
   `callbacks/s` and the answer's p50/p95 in ms.
3. Processing, apart: the stored pushes applied by WORKERS processes (callback_process, what
   the tracking worker does): `callbacks processed/s` and `events applied/s`.

Everything runs in its own database (oms_bench_tracking, or BENCH_TRACKING_DB) and broker
prefix named after it, so neither the demo's data, a running `make run` worker nor another
run of the bench on the same machine sees the bench's rows or tasks.
"""

import argparse
import contextlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from http.client import HTTPConnection
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, create_database, use_database

DB = os.environ.get("BENCH_TRACKING_DB", "oms_bench_tracking")
CARRIER = "BENCH-ZTO"
COMPANY = "zhongtong"
CUSTOMER, KEY, SALT = (
    "BE0C4BE0C4BE0C4BE0C4BE0C4BE0C4B0",
    "benchKey",
    "bench-salt-0123456789abcdefghijk",
)
CHUNK = 100  # shipping.tracking.tasks.POLL_CHUNK

# Every process of the bench (workers, gunicorn) uses its own broker prefix and simulator
# account; set before Django starts.
os.environ["OMS_BROKER_PREFIX"] = DB.replace("_", "-")
os.environ["OMS_CARRIER_SIMULATOR_ACCOUNTS"] = f"{CUSTOMER}={KEY}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def prepare(count: int, simulator_url: str) -> None:
    """The bench carrier and COUNT orders with a shipment in transit each, loaded in bulk;
    later runs reuse them and put them back in transit without tracking events."""
    from datetime import timedelta
    from decimal import Decimal

    from django.core.management import call_command
    from django.utils import timezone

    from customers.models import Customer
    from inventory.models import Warehouse
    from orders.models import Order
    from shipping.choices import TrackingKind
    from shipping.models import Carrier, ReceivedCallback, Shipment, TrackingEvent

    call_command("migrate", verbosity=0)
    carrier, _ = Carrier.objects.update_or_create(
        code=CARRIER,
        defaults=dict(
            name="中通快递 ZTO (bench)",
            tracking_kind=TrackingKind.KUAIDI100,
            tracking_endpoint=simulator_url,
            tracking_company=COMPANY,
            tracking_customer=CUSTOMER,
            tracking_key=KEY,
            tracking_secret=SALT,
            tracking_rate_limit=1000,
        ),
    )
    warehouse, _ = Warehouse.objects.get_or_create(
        code="BSH",
        defaults=dict(
            name="Bench Shanghai",
            region="SH",
            city="上海",
            address="-",
            latitude=Decimal("31.2"),
            longitude=Decimal("121.4"),
        ),
    )
    customer, _ = Customer.objects.get_or_create(
        code="BENCH-TRACK", defaults=dict(name="追踪客户", phone="13800000000", region="ZJ")
    )
    have = Shipment.objects.filter(carrier=carrier.name).count()
    now = timezone.now()
    if have < count:
        orders = Order.objects.bulk_create(
            [
                Order(
                    number=f"BT-{n:07d}",
                    customer=customer,
                    status="in_transit",
                    fulfilment_status="fulfilled",
                    ship_recipient="收件人",
                    ship_phone="13800000000",
                    ship_region="ZJ",
                    ship_city="杭州",
                    ship_street="文三路 1 号",
                    confirmed_at=now,
                )
                for n in range(have, count)
            ]
        )
        Shipment.objects.bulk_create(
            [
                Shipment(
                    number=f"SH-BT-{n:07d}",
                    order=order,
                    warehouse=warehouse,
                    status="in_transit",
                    carrier=carrier.name,
                    tracking_number=f"ZT{n:012d}",
                    dispatched_at=now - timedelta(days=1),
                )
                for n, order in zip(range(have, count), orders, strict=True)
            ]
        )
    reset(carrier)
    ReceivedCallback.objects.filter(carrier=carrier).delete()
    TrackingEvent.objects.filter(carrier=carrier).delete()


def reset(carrier) -> None:
    """Every bench parcel back in transit and due for a poll (events kept)."""
    from orders.models import Order
    from shipping.models import Shipment

    Shipment.objects.filter(carrier=carrier.name).update(
        status="in_transit", tracking_checked_at=None, delivered_at=None
    )
    Order.objects.filter(number__startswith="BT-").update(status="in_transit")


def poll_worker(chunks: list[list[int]]) -> tuple[int, int, int, int, int]:
    use_database(DB)
    from django.conf import settings

    settings.DEBUG = False
    from shipping.models import Carrier

    try:
        from shipping.tracking.polling import tracking_poll
    except ImportError:  # a checkout from before shipping/tracking/polling.py
        from shipping.tracking.services import tracking_poll

    carrier = Carrier.objects.get(code=CARRIER)
    totals = [0, 0, 0, 0]
    cpu = time.process_time()
    for ids in chunks:
        result = tracking_poll(carrier=carrier, shipment_ids=ids)
        for index, value in enumerate((result.checked, result.events, result.moved, result.failed)):
            totals[index] += value
    # CPU seconds of the worker (its threads included), in ms so the sum stays an int.
    return (*totals, round((time.process_time() - cpu) * 1000))  # type: ignore[return-value]


def poll_cycle(pool, workers: int, count: int) -> tuple[float, tuple[int, ...]]:
    from shipping.models import Carrier

    try:
        from shipping.tracking.polling import shipments_due_for_poll
    except ImportError:  # a checkout from before shipping/tracking/polling.py
        from shipping.tracking.services import shipments_due_for_poll
    from shipping.tracking.services import breaker_for

    carrier = Carrier.objects.get(code=CARRIER)
    breaker_for(carrier).reset()
    ids = shipments_due_for_poll(carrier, limit=count)
    chunks = [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]
    shares = [chunks[index::workers] for index in range(workers)]
    start = time.perf_counter()
    results = pool.map(poll_worker, shares)
    elapsed = time.perf_counter() - start
    totals = tuple(sum(values) for values in zip(*results, strict=True))
    return elapsed, totals


def push_bodies(count: int) -> list[bytes]:
    """The simulator's push of each bench parcel at a random point of its journey."""
    from shipping.simulator_protocol import SimulatorConfig, compact_json, journey, tracking_result
    from shipping.simulator_protocol import push_sign as sign

    config = SimulatorConfig(accounts={})
    rng = random.Random(7)
    now = time.time() - 86400
    bodies = []
    for n in range(count):
        num = f"ZT{n:012d}"
        steps = journey(config, COMPANY, num)
        reached = rng.randint(2, len(steps))
        param = compact_json(
            {
                "status": "polling",
                "billstatus": "",
                "message": "",
                "lastResult": tracking_result(COMPANY, num, steps, now, reached, resultv2="4"),
            }
        )
        bodies.append(urllib.parse.urlencode({"param": param, "sign": sign(param, SALT)}).encode())
    return bodies


def post_pushes(port: int, bodies: list[bytes], clients: int) -> tuple[float, list[float], int]:
    """POST every body once over `clients` keep-alive connections; (seconds, latencies in ms,
    answers that were not 200)."""
    path = f"/shipping/callbacks/{CARRIER}/"
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    todo = iter(bodies)
    headers = {"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"}

    def client() -> None:
        connection = HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad = [], 0
        while True:
            with lock:
                body = next(todo, None)
            if body is None:
                break
            started = time.perf_counter()
            connection.request("POST", path, body=body, headers=headers)
            answer = connection.getresponse()
            reply = answer.read()
            mine.append((time.perf_counter() - started) * 1000)
            if answer.status != 200 or not json.loads(reply).get("result"):
                bad += 1
        connection.close()
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, latencies, failures[0]


def process_worker(ids: list[int]) -> int:
    use_database(DB)
    from django.conf import settings

    settings.DEBUG = False
    from shipping.tracking.services import callback_process

    for callback_id in ids:
        callback_process(callback_id=callback_id)
    return len(ids)


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its children still running (gunicorn's
    master and workers), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[1] is the parent (ppid), fields[11] utime, fields[12] stime.
        if entry.name == str(pid) or fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100)[int(share * 100) - 1]


def purge_bench_tasks() -> None:
    """The process_callback tasks the pushes queued (nobody consumes the bench's prefix)."""
    from oms.celery import app

    with app.connection_for_write() as connection:
        for queue in ("tracking", "default"):
            with contextlib.suppress(Exception):  # a queue that was never declared
                connection.default_channel.queue_purge(queue)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shipments", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--skip-poll", action="store_true", help="push and processing only")
    args = parser.parse_args()
    create_database(DB)
    use_database(DB)

    with tempfile.TemporaryDirectory() as scratch:
        run(args, str(Path(scratch) / "simulator.sqlite3"))


def run(args: argparse.Namespace, state: str) -> None:
    simulator_port = free_port()
    simulator = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "carrier_simulator",
            "--bind",
            f"127.0.0.1:{simulator_port}",
            "--minutes-per-step",
            "0",
            "--state",
            state,
        ],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    web_holder: list = [None]  # gunicorn, once started
    try:
        simulator_url = f"http://127.0.0.1:{simulator_port}"
        prepare(args.shipments, simulator_url)
        wait_for(simulator_url + "/")
        from django.db import connection

        from shipping.models import Carrier

        connection.close()
        load = os.getloadavg()[0]
        print(f"load average (1 min) at the start: {load:.1f}")
        carrier = Carrier.objects.get(code=CARRIER)
        if not args.skip_poll:
            poll(args, carrier)
        push_and_process(args, carrier, web_holder)
    finally:
        for process in (web_holder[0], simulator):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)


def poll(args: argparse.Namespace, carrier) -> None:
    from django.db import connection

    with get_context("spawn").Pool(args.workers) as pool:
        pool.map(poll_worker, [[] for _ in range(args.workers)])  # imports, Django set-up
        first_seconds, first = poll_cycle(pool, args.workers, args.shipments)
        reset(carrier)
        connection.close()
        second_seconds, second = poll_cycle(pool, args.workers, args.shipments)
        print(f"tracking poll shipments: {first[0]} shipments ({first[3]} failed)")
        print(f"poll cycle 1 (all events new): {first_seconds:.1f} seconds")
        print(f"shipments polled/s (all events new): {first[0] / first_seconds:.0f} shipments/s")
        print(f"events stored in cycle 1: {first[1]} events, {first[2]} shipments moved")
        print(f"poll CPU per shipment, cycle 1: {first[4] / max(1, first[0]):.2f} ms (workers)")
        print(f"poll cycle 2 (nothing new): {second_seconds:.1f} seconds")
        print(f"shipments polled/s (nothing new): {second[0] / second_seconds:.0f} shipments/s")
        print(f"poll CPU per shipment, cycle 2: {second[4] / max(1, second[0]):.2f} ms (workers)")
    print(f"load average (1 min) after the poll: {os.getloadavg()[0]:.1f}")


def push_and_process(args: argparse.Namespace, carrier, web_holder: list) -> None:
    from django.db import connection

    from shipping.models import ReceivedCallback, TrackingEvent

    # Push ingestion over HTTP: a clean slate of events, the parcels back in transit.
    TrackingEvent.objects.filter(carrier=carrier).delete()
    reset(carrier)
    bodies = push_bodies(args.shipments)
    web_port = free_port()
    web = web_holder[0] = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "oms.wsgi",
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{web_port}",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_for(f"http://127.0.0.1:{web_port}/login/")
    post_pushes(web_port, bodies[:200], args.clients)  # warm up every gunicorn worker
    ReceivedCallback.objects.filter(carrier=carrier).delete()
    web_cpu = process_tree_cpu(web.pid)
    seconds, latencies, failures = post_pushes(web_port, bodies, args.clients)
    web_cpu = process_tree_cpu(web.pid) - web_cpu
    stored = ReceivedCallback.objects.filter(carrier=carrier).count()
    print(f"push callbacks posted: {len(bodies)} callbacks ({failures} not answered 200)")
    print(f"callbacks stored (received-callbacks table): {stored} rows")
    print(f"callbacks/s over HTTP ({args.clients} clients): {len(bodies) / seconds:.0f} /s")
    print(f"callback answer p50: {percentile(latencies, 0.50):.1f} ms")
    print(f"callback answer p95: {percentile(latencies, 0.95):.1f} ms")
    # CPU of gunicorn's processes per push: what a busy machine disturbs least.
    print(f"web CPU per callback: {web_cpu * 1000 / len(bodies):.2f} ms (gunicorn)")
    purge_bench_tasks()

    ids = list(
        ReceivedCallback.objects.filter(carrier=carrier).order_by("pk").values_list("pk", flat=True)
    )
    connection.close()
    with get_context("spawn").Pool(args.workers) as pool:
        pool.map(process_worker, [[] for _ in range(args.workers)])  # imports
        start = time.perf_counter()
        pool.map(process_worker, [ids[index :: args.workers] for index in range(args.workers)])
        elapsed = time.perf_counter() - start
    events = TrackingEvent.objects.filter(carrier=carrier).count()
    print(f"callbacks processed/s ({args.workers} workers): {len(ids) / elapsed:.0f} /s")
    print(f"events applied/s: {events / elapsed:.0f} events/s ({events} events)")
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
