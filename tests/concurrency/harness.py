"""Running one piece of work in several threads at once, each with its own database
connection and real transactions (tests marked django_db(transaction=True))."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection

THREADS = 8


def at_once(work: Callable[[], Any], threads: int = THREADS) -> list:
    """Run work() in `threads` threads released together by a barrier; returns each
    thread's result or the exception it raised (in the order they finished). Each thread
    closes its connection when done."""
    barrier = threading.Barrier(threads)
    results: list = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait()
            outcome = work()
        except Exception as exc:
            outcome = exc
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    running = [threading.Thread(target=run) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    return results
