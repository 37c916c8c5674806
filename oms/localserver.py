"""A small local HTTP server in threads, for the simulators of outside systems (the carrier
simulator, the marketplace simulator) and the test receivers: one serve loop, start and stop,
the port it took, and the command's wait for Ctrl-C or SIGTERM.

    server = LocalServer(Handler, "127.0.0.1", 0, owner=simulator, backlog=128)
    server.start(("simulator-pushes", simulator.push_loop))   # loops run in threads too
    server.url                                                # http://127.0.0.1:<port>
    server.stop()                                  # ends the serve loop and its connections

A handler reaches what serves it as `self.server.owner`. Loops watch `server.stopping` (a
threading.Event) to end. Only the standard library.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Loop = tuple[str, Callable[[], None]]


class OwnedHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    owner: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.open_connections: set[socket.socket] = set()
        self.open_connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.open_connections_lock:
            self.open_connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.open_connections_lock:
            self.open_connections.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        """End the kept-alive connections, as a server that goes down does: each finishes
        the answer it is writing, then reads no further request."""
        with self.open_connections_lock:
            for connection in self.open_connections:
                with contextlib.suppress(OSError):  # closed meanwhile
                    connection.shutdown(socket.SHUT_RD)


class LocalServer:
    """An HTTP server on (host, port) serving `handler` from a thread of its own (port 0 takes
    a free port); `backlog` is the listen queue (socketserver's default 5 resets connections
    when many clients ask at once)."""

    def __init__(
        self,
        handler: type[BaseHTTPRequestHandler],
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        owner: Any = None,
        backlog: int | None = None,
        name: str = "local-http",
    ) -> None:
        server_class = OwnedHTTPServer
        if backlog is not None:
            server_class = type(
                "BackloggedHTTPServer", (OwnedHTTPServer,), {"request_queue_size": backlog}
            )
        self.server = server_class((host, port), handler)  # OSError: cannot listen
        self.server.owner = owner
        self.name = name
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self, *loops: Loop) -> LocalServer:
        """Serve, and run each (thread name, function) loop beside; returns once listening.
        Once: a started server is stopped, not started again."""
        if self.threads:
            raise RuntimeError("this server is started already")
        self.threads = [
            threading.Thread(target=self.server.serve_forever, name=self.name, daemon=True),
            *(threading.Thread(target=run, name=name, daemon=True) for name, run in loops),
        ]
        for thread in self.threads:
            thread.start()
        return self

    def stop(self, *, join_seconds: float = 5) -> None:
        """End the serve loop and the loops (they watch `stopping`), close the socket."""
        self.stopping.set()
        self.server.drop_connections()  # at once: the serve loop may take half a second
        if self.threads:
            self.server.shutdown()
        self.server.drop_connections()  # any taken meanwhile
        self.server.server_close()
        for thread in self.threads:
            thread.join(timeout=join_seconds)

    def __enter__(self) -> LocalServer:
        return self if self.threads else self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def host_and_port(value: str) -> tuple[str, int]:
    """("127.0.0.1", 8765) from "127.0.0.1:8765" or "http://127.0.0.1:8765/..."; ValueError
    when it names no host and port."""
    parsed = urllib.parse.urlsplit(value if "//" in value else f"//{value}")
    try:
        port = parsed.port
    except ValueError:
        port = None
    if not parsed.hostname or port is None:
        raise ValueError(f"{value!r} does not name a host and port.")
    return parsed.hostname, port


def wait_for_stop_signal(
    *, every: float | None = None, tick: Callable[[], None] | None = None
) -> None:
    """Block until SIGINT or SIGTERM (a command's main thread); with `every`, call `tick`
    every that many seconds meanwhile. The previous signal handlers are put back."""
    stopped = threading.Event()
    previous = {
        signum: signal.signal(signum, lambda *_: stopped.set())
        for signum in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        while not stopped.wait(every):
            if tick is not None:
                tick()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
