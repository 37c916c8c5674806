"""The local carrier simulator over real HTTP: Kuaidi100's query, subscription and signed
pushes to a small receiver in the test, with the journeys, duplicates, out-of-order pushes,
retries and restarts it promises."""

import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from oms.localserver import LocalServer
from oms.registry import processes_to_run
from shipping.simulator import CarrierSimulator, signed_query_form
from shipping.simulator_protocol import (
    PROBLEM,
    REFUSED,
    RETURN_SIGNED,
    SIGNED,
    SimulatorConfig,
    compact_json,
    journey,
    push_sign,
    query_sign,
)

CUSTOMER, KEY, SALT = (
    "C0FFEE00C0FFEE00C0FFEE00C0FFEE00",
    "testKey123",
    "salt-of-32-characters-0123456789",
)
ACCOUNTS = {CUSTOMER: KEY}
SUCCESS = compact_json({"result": True, "returnCode": "200", "message": "成功"}).encode()
CALM = {"exception_share": 0, "return_share": 0, "duplicate_share": 0, "out_of_order_share": 0}


def post(url: str, form: dict) -> dict:
    data = urllib.parse.urlencode(form).encode()
    with urllib.request.urlopen(url, data, timeout=10) as answer:
        assert answer.status == 200
        return json.loads(answer.read())


def query(simulator: CarrierSimulator, num: str, com: str = "shunfeng", **extra) -> dict:
    return post(
        simulator.url + "/poll/query.do", signed_query_form(CUSTOMER, KEY, com, num, **extra)
    )


def subscribe(simulator, num, callback, *, com="zhongtong", key=KEY, salt=SALT, resultv2="4"):
    param = {
        "company": com,
        "number": num,
        "key": key,
        "parameters": {"callbackurl": callback, "salt": salt, "resultv2": resultv2},
    }
    return post(simulator.url + "/poll", {"schema": "json", "param": json.dumps(param)})


def scans(simulator: CarrierSimulator, num: str, com: str = "zhongtong") -> int:
    """How many scans the parcel's whole journey has."""
    return len(journey(simulator.config, com, num))


class Receiver:
    """The OMS's end of the pushes: records each form; answers `failures` times with an
    error first, then Kuaidi100's success answer."""

    def __init__(self, failures: int = 0):
        self.pushes: list[dict] = []
        self.failures = failures
        self.refused = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                with receiver.lock:
                    if receiver.refused < receiver.failures:
                        receiver.refused += 1
                        status, body = 500, b"busy"
                    else:
                        receiver.pushes.append({k: v[0] for k, v in form.items()})
                        status, body = 200, SUCCESS
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.http = LocalServer(Handler).start()
        self.url = f"{self.http.url}/shipping/callbacks/zto/"

    def results(self, num: str) -> list[dict]:
        """The pushes of one parcel, signature checked, as (status, lastResult)."""
        found = []
        for push in list(self.pushes):
            assert push["sign"] == push_sign(push["param"], SALT)
            param = json.loads(push["param"])
            if param["lastResult"]["nu"] == num:
                found.append(param)
        return found

    def wait_for(self, count: int, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while len(self.pushes) < count and time.monotonic() < deadline:
            time.sleep(0.05)

    def close(self):
        self.http.stop()


@pytest.fixture
def receiver():
    made = []

    def make(failures: int = 0) -> Receiver:
        made.append(Receiver(failures))
        return made[-1]

    yield make
    for one in made:
        one.close()


@pytest.fixture
def simulator():
    started = []

    def start(**options) -> CarrierSimulator:
        config = SimulatorConfig(
            accounts=ACCOUNTS, **{"step_seconds": 0, "retry_seconds": 0.05, **options}
        )
        started.append(CarrierSimulator(config).start())
        return started[-1]

    yield start
    for one in started:
        if not one.stopping.is_set():
            one.stop()


def test_signed_query_answers_the_whole_journey(simulator):
    sim = simulator(**CALM)
    answer = query(sim, "SF1400000001", resultv2="1")
    assert answer["status"] == "200"
    assert answer["message"] == "ok"
    assert (answer["nu"], answer["com"]) == ("SF1400000001", "shunfeng")
    assert answer["state"] == SIGNED
    assert answer["ischeck"] == "1"
    data = answer["data"]
    assert len(data) >= 7
    assert [e["ftime"] for e in data] == sorted((e["ftime"] for e in data), reverse=True)
    assert len({e["ftime"] for e in data}) == len(data)  # one scan per second at most
    assert data[-1]["status"] == "揽收"
    assert data[0]["status"] == "签收"
    assert all(e["areaName"] and e["areaCode"].startswith("CN") for e in data)
    assert "顺丰速运" in data[0]["context"]

    # The same number answers the same again, oldest first on request.
    assert query(sim, "SF1400000001", resultv2="1") == answer
    ascending = query(sim, "SF1400000001", resultv2="1", order="asc")
    assert ascending["data"] == list(reversed(data))

    # resultv2=4: the detailed state of each scan and of the parcel (301 signed in person).
    detailed = query(sim, "SF1400000001", resultv2="4")
    assert detailed["state"] in {"301", "303", "304"}
    assert detailed["data"][-1]["statusCode"] == "103"
    assert {"from", "cur", "to"} <= detailed["routeInfo"].keys()
    # Without resultv2 the scans carry only time, text and the basic status.
    plain = query(sim, "SF1400000001")
    assert "areaName" not in plain["data"][0]
    assert "statusCode" not in plain["data"][0]


def test_a_parcel_goes_between_the_cities_it_names(simulator):
    sim = simulator(**CALM)
    answer = query(sim, "SF77", resultv2="4", **{"from": "成都", "to": "佛山市"})
    assert answer["routeInfo"]["from"]["name"] == "四川,成都市"
    assert answer["routeInfo"]["to"]["name"] == "佛山市"  # not one the simulator knows
    assert "【成都" in answer["data"][-1]["context"]
    assert "佛山" in answer["data"][0]["context"] or "佛山" in answer["data"][1]["context"]


def test_a_number_takes_the_same_journey_in_every_simulator(simulator):
    first, second = simulator(), simulator()
    for num in ("ZT0001", "ZT0002", "ZT0003"):
        one, two = query(first, num, com="zhongtong"), query(second, num, com="zhongtong")
        assert [e["context"] for e in one["data"]] == [e["context"] for e in two["data"]]
        assert one["state"] == two["state"]
    other = simulator(seed="another")
    contexts = {
        num: [e["context"] for e in query(first, num, com="zhongtong")["data"]]
        for num in ("ZT0001", "ZT0002", "ZT0003")
    }
    assert contexts != {
        num: [e["context"] for e in query(other, num, com="zhongtong")["data"]] for num in contexts
    }


def test_parcels_move_one_scan_per_step(simulator):
    sim = simulator(step_seconds=0.4, **CALM)
    assert len(query(sim, "SF2")["data"]) == 1  # picked up at once
    time.sleep(1.5)
    moved = query(sim, "SF2")
    assert 2 <= len(moved["data"]) < 8
    assert moved["state"] == "0"


def test_bad_requests_get_kuaidi100s_error_answers(simulator):
    sim = simulator()
    url = sim.url + "/poll/query.do"
    form = signed_query_form(CUSTOMER, KEY, "shunfeng", "SF1")
    assert post(url, form | {"sign": "0" * 32}) == {
        "result": False,
        "returnCode": "503",
        "message": "验证签名失败",
    }
    # Signed with another key, or by a customer the carrier does not know.
    wrong_key = signed_query_form(CUSTOMER, "not-the-key", "shunfeng", "SF1")
    assert post(url, wrong_key)["returnCode"] == "503"
    assert post(url, form | {"customer": "NOBODY"})["returnCode"] == "400"
    for bad_param in ("{not json", '["a list"]', compact_json({"com": "shunfeng"})):
        signed = {"customer": CUSTOMER, "param": bad_param}
        signed["sign"] = query_sign(bad_param, KEY, CUSTOMER)
        assert post(url, signed)["returnCode"] == "400"
    unknown_company = signed_query_form(CUSTOMER, KEY, "nosuchcarrier", "X1")
    assert post(url, unknown_company)["result"] is False
    assert post(url, {})["returnCode"] == "400"


def test_subscription_brings_signed_pushes_until_delivery(simulator, receiver):
    sim = simulator(step_seconds=0.05, **CALM)
    inbox = receiver()
    answer = subscribe(sim, "ZT100", inbox.url)
    assert answer == {"result": True, "returnCode": "200", "message": "提交成功"}
    steps = scans(sim, "ZT100")
    inbox.wait_for(steps)
    time.sleep(0.3)  # nothing more comes
    pushes = inbox.results("ZT100")
    assert [len(p["lastResult"]["data"]) for p in pushes] == list(range(1, steps + 1))
    states = [p["lastResult"]["state"] for p in pushes]
    assert states[0] == "103"
    assert states[-1] in {"301", "303", "304"}
    assert [p["status"] for p in pushes] == ["polling"] * (steps - 1) + ["shutdown"]
    assert pushes[-1]["lastResult"]["ischeck"] == "1"
    # A push's lastResult is what a query answers at that moment.
    assert pushes[-1]["lastResult"] == query(sim, "ZT100", com="zhongtong", resultv2="4")


def test_subscription_errors(simulator, receiver):
    sim = simulator()
    inbox = receiver()
    assert subscribe(sim, "ZT7", inbox.url)["returnCode"] == "200"
    assert subscribe(sim, "ZT7", inbox.url) == {
        "result": False,
        "returnCode": "501",
        "message": "POLL:重复订阅",
    }
    assert subscribe(sim, "ZT8", inbox.url, key="wrong")["returnCode"] == "600"
    assert subscribe(sim, "ZT8", inbox.url, com="nosuch")["returnCode"] == "700"
    assert subscribe(sim, "ZT8", "")["returnCode"] == "400"
    assert post(sim.url + "/poll", {"schema": "json", "param": "{oops"})["returnCode"] == "400"


def test_duplicates_and_out_of_order_pushes_when_configured(simulator, receiver):
    sim = simulator(step_seconds=0.02, duplicate_share=0.4, out_of_order_share=0.4)
    inbox = receiver()
    numbers = [f"ZT5{i:03d}" for i in range(12)]
    for num in numbers:
        assert subscribe(sim, num, inbox.url)["result"] is True
    expected = sum(scans(sim, num) for num in numbers)
    inbox.wait_for(expected + 10)
    time.sleep(0.5)
    duplicates = out_of_order = 0
    for num in numbers:
        lengths = [len(p["lastResult"]["data"]) for p in inbox.results(num)]
        steps = scans(sim, num)
        assert set(lengths) == set(range(1, steps + 1))  # every scan reached the receiver
        duplicates += len(lengths) - len(set(lengths))
        out_of_order += sum(1 for a, b in itertools.pairwise(lengths) if b < a)
    assert duplicates > 0
    assert out_of_order > 0
    assert sim.summary()["finished"] == len(numbers)


def test_a_refused_push_is_sent_again(simulator, receiver):
    sim = simulator(step_seconds=0, **CALM)
    inbox = receiver(failures=3)
    subscribe(sim, "ZT900", inbox.url)
    steps = scans(sim, "ZT900")
    inbox.wait_for(steps)
    assert inbox.refused == 3
    assert [len(p["lastResult"]["data"]) for p in inbox.results("ZT900")] == list(
        range(1, steps + 1)
    )


def test_pushes_to_a_receiver_that_stays_down_are_given_up(simulator):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/callback/"
    sim = simulator(step_seconds=0, retry_seconds=0.05, max_attempts=3, **CALM)
    subscribe(sim, "ZT901", closed)
    deadline = time.monotonic() + 10
    while sim.summary()["finished"] < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    # Each push is tried max_attempts times, then given up; the poll still finds the scans.
    assert sim.summary()["finished"] == 1
    assert query(sim, "ZT901", com="zhongtong")["ischeck"] == "1"


def test_a_restarted_simulator_keeps_its_parcels_and_subscriptions(simulator, receiver, tmp_path):
    state = str(tmp_path / "simulator.sqlite3")
    inbox = receiver()
    first = simulator(step_seconds=0.25, state_path=state, **CALM)
    subscribe(first, "ZT42", inbox.url)
    picked_up = query(first, "ZT42", com="zhongtong")["data"][-1]
    inbox.wait_for(2)
    first.stop()
    received = len(inbox.pushes)
    assert 1 <= received < 7

    second = simulator(step_seconds=0.25, state_path=state, **CALM)
    assert subscribe(second, "ZT42", inbox.url)["returnCode"] == "501"  # still subscribed
    assert query(second, "ZT42", com="zhongtong")["data"][-1] == picked_up  # the same clock
    inbox.wait_for(scans(second, "ZT42"), timeout=10)
    lengths = [len(p["lastResult"]["data"]) for p in inbox.results("ZT42")]
    assert lengths == list(range(1, len(lengths) + 1))  # went on where it stopped
    assert inbox.results("ZT42")[-1]["status"] == "shutdown"


@pytest.mark.parametrize(
    ("options", "expect"),
    [
        ({"exception_share": 1, "return_share": 0}, "trouble"),
        ({"exception_share": 0, "return_share": 1}, "returned"),
        ({"exception_share": 0, "return_share": 0}, "smooth"),
    ],
)
def test_shares_of_exceptions_and_returns(options, expect):
    config = SimulatorConfig(accounts={}, **options)
    for index in range(40):
        steps = journey(config, "shunfeng", f"SF9{index:04d}")
        states = [step.state for step in steps]
        offsets = [step.offset for step in steps]
        assert offsets == sorted(offsets)
        assert offsets[0] == 0
        if expect == "trouble":
            assert PROBLEM in states
            assert states[-1] == SIGNED
        elif expect == "returned":
            assert states[-1] == RETURN_SIGNED
            assert REFUSED in states or "203" in [step.detail for step in steps]
        else:
            assert PROBLEM not in states
            assert states[-1] == SIGNED


def test_run_registers_the_simulator_as_an_extra_process():
    with override_settings(OMS_CARRIER_SIMULATOR_RUN=True):
        assert [p.command for p in processes_to_run() if p.name == "carrier-simulator"] == [
            ("carrier_simulator",)
        ]
    with override_settings(OMS_CARRIER_SIMULATOR_RUN=False):
        assert "carrier-simulator" not in [p.name for p in processes_to_run()]


def test_the_management_command_serves_until_terminated(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    manage = Path(settings.BASE_DIR) / "manage.py"
    process = subprocess.Popen(
        [
            sys.executable,
            str(manage),
            "carrier_simulator",
            "--bind",
            f"127.0.0.1:{port}",
            "--minutes-per-step",
            "0",
            "--state",
            str(tmp_path / "state.sqlite3"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "OMS_CARRIER_SIMULATOR_ACCOUNTS": f"{CUSTOMER}={KEY}"},
    )
    try:
        banner = process.stdout.readline()
        assert f"http://127.0.0.1:{port}" in banner
        url = f"http://127.0.0.1:{port}/poll/query.do"
        answer = post(url, signed_query_form(CUSTOMER, KEY, "debangkuaidi", "DPK100"))
        assert answer["ischeck"] == "1"
        assert answer["nu"] == "DPK100"
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=15)
    assert process.returncode == 0
    assert "stopped" in output
