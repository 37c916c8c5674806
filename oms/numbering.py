"""Gapless document numbers (invoices, credit notes): one counter row per series and year.

Orders, work orders and shipments use `oms.db.next_document_number` instead: a PostgreSQL
sequence never blocks, but a rolled-back transaction leaves a gap, which tax documents may not.
"""

from django.db import transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from oms.models import SERIES_MAX_LENGTH, DocumentCounter

# One statement creates the row the first time and increments it every time after. Both
# branches leave the row locked (as SELECT ... FOR UPDATE would) until the caller's transaction
# ends; two first-time callers cannot both insert, because the loser of the unique-index race
# waits for the winner and then takes the UPDATE branch.
_NEXT_NUMBER_SQL = f"""
    INSERT INTO {DocumentCounter._meta.db_table} AS counter (series, year, last_number)
    VALUES (%s, %s, 1)
    ON CONFLICT (series, year) DO UPDATE SET last_number = counter.last_number + 1
    RETURNING counter.last_number
"""


def next_gapless_number(series: str, *, year: int | None = None) -> int:
    """Take the next number of `series` in `year` (default: this year, local time), from 1.

    Invariant: the numbers of committed documents in a series and year are exactly 1..N, no gap
    and no duplicate. This holds because the counter row is changed and locked inside the
    CALLER's transaction: the number and the document commit together, and if the caller rolls
    back, the counter rolls back with it and the next caller gets the same number again.

    The price is that documents of one series are issued one transaction at a time: take the
    number as late as possible in the transaction and commit soon after. Other series and
    other years are not blocked. Raises TransactionManagementError outside `atomic()`, where
    autocommit would commit the counter before the document exists.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise TransactionManagementError(
            "next_gapless_number() must run inside the transaction that saves the document"
        )
    if not series or len(series) > SERIES_MAX_LENGTH:
        raise ValueError(f"series must be 1 to {SERIES_MAX_LENGTH} characters: {series!r}")
    if year is None:
        year = timezone.localdate().year
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_NUMBER_SQL, [series, year])
        return cursor.fetchone()[0]


def format_document_number(prefix: str, year: int, number: int) -> str:
    """INV-2026-000001: the same shape as order numbers; wider numbers are not cut."""
    return f"{prefix}-{year}-{number:06d}"
