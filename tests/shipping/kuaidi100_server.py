"""A small Kuaidi100-style server for tests: real HTTP on 127.0.0.1, checking our signatures
and answering in the aggregator's shapes."""

import hashlib
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler

from oms.localserver import LocalServer


def md5_upper(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest().upper()


def last_result(number: str, events: list[tuple[str, str, str, str]], com: str = "kd") -> dict:
    """A lastResult: events are (time "YYYY-MM-DD HH:MM:SS", statusCode, place, context),
    newest first as Kuaidi100 sends them."""
    ordered = sorted(events, reverse=True)
    state = ordered[0][1] if ordered else "0"
    return {
        "message": "ok",
        "state": state,
        "status": "200",
        "condition": "F00",
        "ischeck": "1" if state.startswith("3") else "0",
        "com": com,
        "nu": number,
        "data": [
            {
                "time": moment,
                "ftime": moment,
                "context": context,
                "statusCode": code,
                "areaName": place,
            }
            for moment, code, place, context in ordered
        ],
    }


def push_param(number: str, events, *, status: str = "polling") -> str:
    return json.dumps(
        {
            "status": status,
            "billstatus": "got",
            "message": "",
            "lastResult": last_result(number, events),
        },
        ensure_ascii=False,
    )


class FakeKuaidi100:
    """parcels: {tracking number: [(time, code, place, context)]}. `fail_after` answers that
    many queries, then 503 until set back to None; `queries` and `subscriptions` record what
    arrived."""

    def __init__(self, *, customer: str, key: str) -> None:
        self.customer, self.key = customer, key
        self.parcels: dict[str, list] = {}
        self.queries: list[dict] = []
        self.subscriptions: list[dict] = []
        self.fail_after: int | None = None
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                status, body = fake.answer(self.path, form)
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.http = LocalServer(Handler)

    @property
    def url(self) -> str:
        return self.http.url

    def answer(self, path: str, form: dict) -> tuple[int, dict]:
        with self.lock:
            if path == "/poll/query.do":
                if self.fail_after is not None and len(self.queries) >= self.fail_after:
                    return 503, {"message": "service unavailable"}
                param = form.get("param", "")
                if form.get("sign") != md5_upper(param + self.key + self.customer):
                    return 200, {"result": False, "returnCode": "503", "message": "验证签名失败"}
                query = json.loads(param)
                self.queries.append(query)
                events = self.parcels.get(query["num"])
                if not events:
                    return 200, {"result": False, "returnCode": "500", "message": "查询无结果"}
                return 200, last_result(query["num"], events, query["com"])
            if path == "/poll" and form.get("schema") == "json":
                param = json.loads(form["param"])
                if param.get("key") != self.key:
                    return 200, {"result": False, "returnCode": "600", "message": "key 无效"}
                self.subscriptions.append(param)
                return 200, {"result": True, "returnCode": "200", "message": "提交成功"}
            return 404, {"message": "not found"}

    def __enter__(self):
        self.http.start()
        return self

    def __exit__(self, *exc):
        self.http.stop()
