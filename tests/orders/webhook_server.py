"""A channel's webhook receiver for tests: real HTTP on 127.0.0.1 that records every request
(path, headers, raw body) and answers with the statuses queued in `answers` (200 when none
is left), after `delay` seconds."""

import hashlib
import hmac
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from oms.localserver import LocalServer


@dataclass
class Received:
    path: str
    headers: Any  # case-insensitive (email.message.Message)
    body: bytes

    def signed_with(self, secret: str) -> bool:
        expected = "sha256=" + hmac.new(secret.encode(), self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(self.headers.get("X-OMS-Signature", ""), expected)


class WebhookReceiver:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answers: list[int] = []
        self.delay = 0.0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver.lock:
                    receiver.received.append(Received(self.path, self.headers, body))
                    status = receiver.answers.pop(0) if receiver.answers else 200
                if receiver.delay:
                    time.sleep(receiver.delay)
                try:
                    self.send_response(status)
                    if 300 <= status < 400:
                        self.send_header("Location", "/elsewhere")
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the client gave up (a timeout test)

        self.http = LocalServer(Handler)

    @property
    def url(self) -> str:
        return self.http.url

    def __enter__(self) -> "WebhookReceiver":
        self.http.start()
        return self

    def __exit__(self, *exc) -> None:
        self.http.stop()
