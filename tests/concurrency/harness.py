"""Running one piece of work in several threads at once, each with its own database
connection and real transactions (tests marked django_db(transaction=True))."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection

THREADS = 8


def race(*jobs: Callable[[], Any]) -> list:
    """Run the jobs in threads of their own, released together by a barrier; returns each
    job's result or the exception it raised, in the jobs' order. Each thread closes its
    connection when done."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(index: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = job()
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    running = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    return results


def at_once(work: Callable[[], Any], threads: int = THREADS) -> list:
    """Run work() in `threads` threads at once (race); each thread's result or exception."""
    return race(*[work] * threads)
