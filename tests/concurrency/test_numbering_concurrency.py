"""Gapless numbers under contention: each thread has its own connection and real transactions."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import OperationalError, connection, transaction
from psycopg import errors as pg_errors

from oms.models import AuditLog, DocumentCounter
from oms.numbering import format_document_number, next_gapless_number

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 32
ROUNDS = 4


class GiveBack(Exception):
    def __init__(self, number: int):
        self.number = number


def issue_invoice(*, roll_back: bool) -> int:
    """Stands in for billing: the number and the document commit (or roll back) together."""
    with transaction.atomic():
        number = next_gapless_number("INV", year=2026)
        AuditLog.objects.create(
            action="invoice.issue",
            object_type="test.invoice",
            object_id=str(number),
            object_repr=format_document_number("INV", 2026, number),
        )
        time.sleep(0.001)  # hold the row lock a moment, so that the others queue behind it
        if roll_back:
            raise GiveBack(number)
    return number


def waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def wait_until(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def lock_timeout(ms: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = {int(ms)}")


def test_32_threads_some_rolling_back_commit_exactly_one_to_n():
    """The counter row does not exist yet, so the threads also race to create it."""
    barrier = threading.Barrier(THREADS)
    given_back: list[int] = []

    def worker(index: int) -> None:
        barrier.wait()
        try:
            for round_ in range(ROUNDS):
                try:
                    issue_invoice(roll_back=(index + round_) % 3 == 0)
                except GiveBack as back:
                    given_back.append(back.number)
        finally:
            connection.close()

    with ThreadPoolExecutor(THREADS) as pool:
        for future in [pool.submit(worker, i) for i in range(THREADS)]:
            future.result()

    committed = sorted(int(pk) for pk in AuditLog.objects.values_list("object_id", flat=True))
    n = THREADS * ROUNDS - len(given_back)
    assert len(given_back) == 43
    assert n == 85
    assert committed == list(range(1, n + 1))  # no gap, no duplicate
    assert DocumentCounter.objects.get(series="INV", year=2026).last_number == n
    assert max(given_back) <= n + 1  # a number given back went to the next caller


def test_a_first_number_given_back_goes_to_the_caller_that_waited_for_it():
    """Both callers create the row; the second waits on the first's insert, then takes 1."""
    first_has_it, first_may_end = threading.Event(), threading.Event()

    def first() -> None:
        try:
            # The number is taken inside the transaction that gives it back.
            with pytest.raises(GiveBack), transaction.atomic():  # noqa: PT012
                assert next_gapless_number("CN", year=2026) == 1
                first_has_it.set()
                first_may_end.wait(10)
                raise GiveBack(1)
        finally:
            connection.close()

    def second() -> int:
        try:
            with transaction.atomic():
                return next_gapless_number("CN", year=2026)
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        first_done = pool.submit(first)
        assert first_has_it.wait(10)
        second_done = pool.submit(second)
        assert wait_until(lambda: waiting_on_a_lock() == 1), "the second caller never waited"
        first_may_end.set()
        first_done.result()
        assert second_done.result(timeout=10) == 1
    assert DocumentCounter.objects.get().last_number == 1


def test_the_lock_lasts_until_the_caller_ends_and_blocks_only_its_own_series_and_year():
    holding, release = threading.Event(), threading.Event()

    def hold_an_invoice_number() -> None:
        try:
            with transaction.atomic():
                next_gapless_number("INV", year=2026)
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        holder = pool.submit(hold_an_invoice_number)
        assert holding.wait(10)
        try:
            with transaction.atomic():
                lock_timeout(500)
                assert next_gapless_number("CN", year=2026) == 1
                assert next_gapless_number("INV", year=2027) == 1
            with pytest.raises(OperationalError) as refused, transaction.atomic():  # noqa: PT012
                lock_timeout(100)
                next_gapless_number("INV", year=2026)
            assert isinstance(refused.value.__cause__, pg_errors.LockNotAvailable)
        finally:
            release.set()
        holder.result()

    with transaction.atomic():
        assert next_gapless_number("INV", year=2026) == 2
