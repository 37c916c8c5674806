"""The kernel's local HTTP server for simulators and test receivers: it serves from a thread
on the port it took, runs loops beside, stops them and frees the port; a command waits for
SIGTERM with it."""

import os
import signal
import socket
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler

import pytest

from oms.localserver import LocalServer, host_and_port, wait_for_stop_signal


class Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"hello from {self.server.owner}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_serves_runs_loops_and_stops():
    ticked = threading.Event()
    server = LocalServer(Hello, owner="the owner", backlog=64)

    def loop():
        while not server.stopping.wait(0.01):
            ticked.set()

    with server.start(("ticker", loop)):
        assert server.url == f"http://127.0.0.1:{server.port}"
        with urllib.request.urlopen(server.url + "/", timeout=5) as answer:
            assert answer.read() == b"hello from the owner"
        assert server.server.request_queue_size == 64
        assert ticked.wait(5)
    assert all(not thread.is_alive() for thread in server.threads)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port), timeout=1)


def test_a_server_never_started_closes_cleanly():
    server = LocalServer(Hello)
    server.stop()
    assert server.threads == []


def test_host_and_port():
    assert host_and_port("127.0.0.1:8765") == ("127.0.0.1", 8765)
    assert host_and_port("http://localhost:9000/jd/orders") == ("localhost", 9000)
    for bad in ("localhost", "http://host:port/", ""):
        with pytest.raises(ValueError, match="host and port"):
            host_and_port(bad)


def test_waits_for_sigterm_ticking_meanwhile():
    ticks = []
    before = signal.getsignal(signal.SIGTERM)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    wait_for_stop_signal(every=0.05, tick=lambda: ticks.append(1))
    timer.join()
    assert ticks
    assert signal.getsignal(signal.SIGTERM) is before
