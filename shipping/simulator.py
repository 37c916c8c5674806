"""A local carrier simulator that speaks the Kuaidi100 API, for development, demos and tests.

It answers what the real aggregator answers, with the same request and answer shapes:

- query (`POST /poll/query.do`): form fields `customer`, `param` (JSON: com, num, resultv2,
  order...) and `sign = UPPER(MD5(param + key + customer))`; the answer is the tracking result
  (message, nu, ischeck, condition, com, status "200", state, data newest first), or
  `{"result": false, "returnCode": "503", "message": "验证签名失败"}` and the like;
- subscribe (`POST /poll`): form fields `schema=json` and `param` (JSON: company, number, key,
  parameters {callbackurl, salt, resultv2}); answers `{"result": true, "returnCode": "200",
  "message": "提交成功"}`, 501 for a number already subscribed, 600 for an unknown key;
- pushes: a form POST of `param` (JSON: status "polling"/"shutdown", message, lastResult = the
  query answer) and, when the subscription gave a salt, `sign = UPPER(MD5(param + salt))` to
  the subscription's callback URL, repeated with a growing pause until the receiver answers
  HTTP 200 with `{"result": true, "returnCode": "200"}`.

Every parcel follows a journey drawn from a random generator seeded by its carrier code and
tracking number, so the same number always takes the same path and a query answers
consistently; the clock starts when the simulator first hears of the number (a query or a
subscription) and moves one step per `step_seconds` (jittered; 0 = the whole journey at once).
A share of the journeys meets a problem (held up, damaged, a failed delivery attempt) or ends
back with the sender (refused, returned), and a share of the pushes arrives twice or out of
order, as real pushes do. Parcels and subscriptions are kept in a small SQLite file, so a
restarted simulator carries on where it stopped.

Only the standard library: the simulator runs as `manage.py carrier_simulator` and inside
tests, with no Django database.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from oms.localserver import LocalServer, OwnedHTTPServer
from shipping.simulator_protocol import (
    COMPANIES,
    INCOMPLETE,
    QUERY_PATH,
    SUBSCRIBE_PATH,
    SimulatorConfig,
    Step,
    compact_json,
    failure,
    journey,
    push_plan,
    push_sign,
    query_sign,
    tracking_result,
)

logger = logging.getLogger("shipping.simulator")


@dataclass
class Parcel:
    com: str
    num: str
    start: float
    origin: str = ""
    destination: str = ""
    _steps: list[Step] | None = field(default=None, repr=False)

    def steps(self, config: SimulatorConfig) -> list[Step]:
        if self._steps is None:
            self._steps = journey(
                config, self.com, self.num, origin=self.origin, destination=self.destination
            )
        return self._steps

    def reached(self, config: SimulatorConfig, now: float) -> int:
        """How many scans happened by `now` (the pick-up scan at once)."""
        steps = self.steps(config)
        return max(1, sum(1 for step in steps if self.start + step.offset <= now))


@dataclass
class Subscription:
    com: str
    num: str
    key: str
    callback_url: str
    salt: str
    resultv2: str
    sent: int = 0  # pushes of the plan delivered (or given up)
    attempts: int = 0  # failed attempts of the next push
    retry_at: float = 0.0
    busy: bool = False  # a push worker is on it
    plan: list[int] | None = None  # push_plan(), worked out once


class ParcelBook:
    """The parcels the simulator has heard of and the subscriptions, in memory and in SQLite
    (so a restarted simulator keeps its clocks and goes on pushing)."""

    def __init__(self, path: str):
        self.lock = threading.RLock()
        self.db = sqlite3.connect(path or ":memory:", check_same_thread=False)
        self.db.executescript(
            """
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=NORMAL;
            CREATE TABLE IF NOT EXISTS parcel (
                com TEXT, num TEXT, start REAL, origin TEXT, destination TEXT,
                PRIMARY KEY (com, num));
            CREATE TABLE IF NOT EXISTS subscription (
                com TEXT, num TEXT, key TEXT, callback_url TEXT, salt TEXT, resultv2 TEXT,
                sent INTEGER, attempts INTEGER, retry_at REAL, PRIMARY KEY (com, num));
            """
        )
        self.parcels = {
            (row[0], row[1]): Parcel(*row)
            for row in self.db.execute("SELECT com, num, start, origin, destination FROM parcel")
        }
        self.subscriptions = {
            (row[0], row[1]): Subscription(*row)
            for row in self.db.execute(
                "SELECT com, num, key, callback_url, salt, resultv2, sent, attempts, retry_at"
                " FROM subscription"
            )
        }

    def parcel(self, com: str, num: str, *, origin: str = "", destination: str = "") -> Parcel:
        """The parcel, its clock started now when the simulator has not heard of it yet."""
        with self.lock:
            found = self.parcels.get((com, num))
            if found is None:
                found = Parcel(com, num, time.time(), origin, destination)
                self.parcels[(com, num)] = found
                self.db.execute(
                    "INSERT INTO parcel VALUES (?, ?, ?, ?, ?)",
                    (com, num, found.start, origin, destination),
                )
                self.db.commit()
            return found

    def subscribe(self, subscription: Subscription) -> bool:
        """False when the number is subscribed already."""
        with self.lock:
            if (subscription.com, subscription.num) in self.subscriptions:
                return False
            self.subscriptions[(subscription.com, subscription.num)] = subscription
            self.db.execute(
                "INSERT INTO subscription VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0)",
                (
                    subscription.com,
                    subscription.num,
                    subscription.key,
                    subscription.callback_url,
                    subscription.salt,
                    subscription.resultv2,
                ),
            )
            self.db.commit()
            return True

    def save_progress(self, subscription: Subscription) -> None:
        with self.lock:
            self.db.execute(
                "UPDATE subscription SET sent = ?, attempts = ?, retry_at = ?"
                " WHERE com = ? AND num = ?",
                (
                    subscription.sent,
                    subscription.attempts,
                    subscription.retry_at,
                    subscription.com,
                    subscription.num,
                ),
            )
            self.db.commit()

    def close(self) -> None:
        with self.lock:
            self.db.close()


class CarrierSimulator:
    """The HTTP server and the push worker. `start()` returns once it listens; `stop()` ends
    both. `url` is where it answers (port 0 takes a free port)."""

    def __init__(self, config: SimulatorConfig, host: str = "127.0.0.1", port: int = 0):
        self.config = config
        self.keys = set(config.accounts.values())
        self.book = ParcelBook(config.state_path)
        # socketserver's default backlog of 5 resets connections when several poll tasks ask
        # at once (OMS_TRACKING_POLL_CONNECTIONS each); a carrier's API takes them.
        self.http = LocalServer(
            _Handler, host, port, owner=self, backlog=128, name="simulator-http"
        )
        self.server = self.http.server
        self.stopping = self.http.stopping
        self.pushers = ThreadPoolExecutor(config.push_workers, thread_name_prefix="push")

    @property
    def url(self) -> str:
        return self.http.url

    @property
    def threads(self) -> list[threading.Thread]:
        """The serve loop's thread first, then the simulator's own loops."""
        return self.http.threads

    def start(self) -> CarrierSimulator:
        self.http.start(("simulator-pushes", self._push_loop))
        return self

    def stop(self) -> None:
        self.http.stop()
        self.pushers.shutdown(wait=True, cancel_futures=True)
        self.book.close()

    def __enter__(self) -> CarrierSimulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- the API -----------------------------------------------------------------------

    def query(self, form: Mapping[str, str]) -> dict:
        customer, param, sign = form.get("customer", ""), form.get("param", ""), form.get("sign")
        if not (customer and param and sign) or customer not in self.config.accounts:
            return failure("400", INCOMPLETE)
        if sign.upper() != query_sign(param, self.config.accounts[customer], customer):
            return failure("503", "验证签名失败")
        try:
            request = json.loads(param)
            com, num = str(request.get("com", "")).lower(), str(request.get("num", "")).strip()
        except (ValueError, AttributeError):
            return failure("400", INCOMPLETE)
        if not num or com not in COMPANIES:
            return failure("400", INCOMPLETE)
        parcel = self.book.parcel(
            com, num, origin=str(request.get("from", "")), destination=str(request.get("to", ""))
        )
        steps = parcel.steps(self.config)
        return tracking_result(
            com,
            num,
            steps,
            parcel.start,
            parcel.reached(self.config, time.time()),
            resultv2=str(request.get("resultv2", "")),
            ascending=str(request.get("order", "desc")).lower() == "asc",
        )

    def subscribe(self, form: Mapping[str, str]) -> dict:
        try:
            request = json.loads(form.get("param", ""))
            parameters = request.get("parameters") or {}
            com = str(request.get("company", "")).lower()
            num = str(request.get("number", "")).strip()
            key = str(request.get("key", ""))
            callback_url = str(parameters.get("callbackurl", ""))
        except (ValueError, AttributeError):
            return failure("400", "数据不完整")
        if form.get("schema", "json") != "json" or not num or not callback_url:
            return failure("400", "数据不完整")
        if key not in self.keys:
            return failure("600", "您不是合法的订阅者（即授权Key出错）")
        if com not in COMPANIES:
            return failure("700", f"POLL:不支持的快递公司:{com}")
        self.book.parcel(
            com, num, origin=str(request.get("from", "")), destination=str(request.get("to", ""))
        )
        subscription = Subscription(
            com,
            num,
            key,
            callback_url,
            str(parameters.get("salt", "")),
            str(parameters.get("resultv2", "")),
        )
        if not self.book.subscribe(subscription):
            return failure("501", "POLL:重复订阅")
        return {"result": True, "returnCode": "200", "message": "提交成功"}

    def summary(self) -> dict:
        with self.book.lock:
            subscriptions = list(self.book.subscriptions.values())
            parcels = len(self.book.parcels)
        finished = sum(1 for s in subscriptions if s.sent >= len(self._plan(s)))
        return {
            "parcels": parcels,
            "subscriptions": len(subscriptions),
            "finished": finished,
            "retrying": sum(1 for s in subscriptions if s.attempts),
        }

    # --- pushes --------------------------------------------------------------------------

    def _plan(self, subscription: Subscription) -> list[int]:
        if subscription.plan is None:
            parcel = self.book.parcels[(subscription.com, subscription.num)]
            subscription.plan = push_plan(
                self.config, subscription.com, subscription.num, len(parcel.steps(self.config))
            )
        return subscription.plan

    def push_body(self, subscription: Subscription, reached: int) -> dict[str, str]:
        """The form a push sends when the parcel had `reached` scans."""
        parcel = self.book.parcels[(subscription.com, subscription.num)]
        steps = parcel.steps(self.config)
        done = reached == len(steps)
        param = compact_json(
            {
                "status": "shutdown" if done else "polling",
                "billstatus": "",
                "message": "",
                "autoCheck": "0",
                "comOld": "",
                "comNew": "",
                "lastResult": tracking_result(
                    subscription.com,
                    subscription.num,
                    steps,
                    parcel.start,
                    reached,
                    resultv2=subscription.resultv2,
                ),
            }
        )
        body = {"param": param}
        if subscription.salt:
            body["sign"] = push_sign(param, subscription.salt)
        return body

    def _push_loop(self) -> None:
        tick = 0.05 if self.config.step_seconds < 5 else 0.5
        while not self.stopping.wait(tick):
            now = time.time()
            with self.book.lock:
                due = [
                    s
                    for s in self.book.subscriptions.values()
                    if not s.busy and s.retry_at <= now and self._next_due(s, now)
                ]
                for subscription in due:
                    subscription.busy = True
            for subscription in due:
                try:
                    self.pushers.submit(self._deliver, subscription)
                except RuntimeError:  # stopping
                    return

    def _next_due(self, subscription: Subscription, now: float) -> bool:
        parcel = self.book.parcels[(subscription.com, subscription.num)]
        plan = self._plan(subscription)
        if subscription.sent >= len(plan):
            return False
        # A push goes out once every scan it (or a push before it) carries has happened.
        return max(plan[: subscription.sent + 1]) < parcel.reached(self.config, now)

    def _deliver(self, subscription: Subscription) -> None:
        """Send the due pushes of one parcel in their order; stop at the first failure."""
        try:
            plan = self._plan(subscription)
            while not self.stopping.is_set() and self._next_due(subscription, time.time()):
                body = self.push_body(subscription, plan[subscription.sent] + 1)
                if self._post(subscription.callback_url, body):
                    subscription.sent += 1
                    subscription.attempts = 0
                    subscription.retry_at = 0.0
                else:
                    subscription.attempts += 1
                    if subscription.attempts >= self.config.max_attempts:
                        logger.warning(
                            "push %s %s given up after %s attempts",
                            subscription.com,
                            subscription.num,
                            subscription.attempts,
                        )
                        subscription.sent += 1
                        subscription.attempts = 0
                    else:
                        pause = self.config.retry_seconds * 2 ** (subscription.attempts - 1)
                        subscription.retry_at = time.time() + pause
                self.book.save_progress(subscription)
                if subscription.retry_at:
                    break
        except Exception:  # a worker must never die silently
            logger.exception("push of %s %s failed", subscription.com, subscription.num)
        finally:
            subscription.busy = False

    def _post(self, url: str, body: Mapping[str, str]) -> bool:
        """True when the receiver took the push: HTTP 200 and Kuaidi100's success answer."""
        data = urllib.parse.urlencode(body).encode()
        request = urllib.request.Request(
            url,
            data=data,
            headers={"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.config.push_timeout) as answer:
                status, text = answer.status, answer.read()
        except (OSError, urllib.error.URLError) as error:
            logger.info("push to %s failed: %s", url, error)
            return False
        try:
            reply = json.loads(text)
            accepted = status == 200 and str(reply.get("result")).lower() == "true"
        except (ValueError, AttributeError):
            accepted = False
        if not accepted:
            logger.info("push to %s refused: HTTP %s %r", url, status, text[:200])
        return accepted


class _Handler(BaseHTTPRequestHandler):
    server: OwnedHTTPServer

    protocol_version = "HTTP/1.1"  # keep-alive: a poll of thousands reuses its connection
    # The headers and the body go out as two writes: without TCP_NODELAY the body waits for
    # the client's delayed ACK of the headers (40 ms) on a kept connection.
    disable_nagle_algorithm = True
    server_version = "CarrierSimulator/1"

    def do_POST(self) -> None:
        simulator: CarrierSimulator = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        form = {k: v[0] for k, v in urllib.parse.parse_qs(raw, keep_blank_values=True).items()}
        path = urllib.parse.urlsplit(self.path).path.rstrip("/")
        if path == QUERY_PATH:
            self._answer(200, simulator.query(form))
        elif path == SUBSCRIBE_PATH:
            self._answer(200, simulator.subscribe(form))
        else:
            self._answer(404, failure("404", "not found"))

    def do_GET(self) -> None:
        simulator: CarrierSimulator = self.server.owner
        if urllib.parse.urlsplit(self.path).path in {"", "/"}:
            self._answer(200, {"simulator": "kuaidi100"} | simulator.summary())
        else:
            self._answer(404, failure("404", "not found"))

    def _answer(self, status: int, body: dict) -> None:
        data = compact_json(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.address_string(), format % args)


def signed_query_form(customer: str, key: str, com: str, num: str, **extra: str) -> dict:
    """The form of a Kuaidi100 query (for tests, benchmarks and the command's self-check)."""
    param = compact_json({"com": com, "num": num, **extra})
    return {"customer": customer, "param": param, "sign": query_sign(param, key, customer)}
