"""Reference data cached in each process, never served stale (the apps say what: price lists,
tax rates, promotions, shipping and approval rules, warehouses in orders/reference.py).

Each watched table carries a statement-level trigger `oms_reference_changed` (made in the
owning app's migrations, e.g. orders 0015; the function comes from oms 0010) that gives the
table a new random stamp in `oms_referenceversion`, in the transaction of whatever statement
wrote it: a service, Django admin, a bulk load, raw SQL, TRUNCATE. An entry cached here
remembers the stamps of the tables it was read from; an entry whose stamps differ from the
database's is read again. The stamps are read with one
statement, once per `reference_snapshot()` block (an order service's transaction), or once
per `cached()` call outside a block.

Why this is never stale: the stamps and the data change in the same transaction, and a block
reads the stamps before it reads any data (READ COMMITTED: a later statement sees at least
what an earlier one saw), so an entry is labelled with stamps no newer than its data. A
stamp is random, not a counter, so a rolled-back change (a test's transaction, a failed
import) cannot come back under a stamp some process has cached. A table no statement wrote
since its trigger was made has no row, which is a stamp of its own (None).

Writers of reference data take the row lock of their table's stamp until they commit: two
transactions that write the same reference table run one after the other. A restore that
disables triggers (pg_restore --disable-triggers) must be followed by a restart of the
processes.
"""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db import connection

T = TypeVar("T")

# Entries per process; more (e.g. years of daily entries) start the cache afresh.
MAX_ENTRIES = 4096

# key -> (the stamps of its tables when it was read, value)
_entries: dict[Hashable, tuple[tuple[Any, ...], Any]] = {}
# Inside a reference_snapshot() block: the stamps, once read ([None] until then).
_snapshot: ContextVar[list[dict[str, Any] | None] | None] = ContextVar(
    "reference_snapshot", default=None
)


def read_stamps() -> dict[str, Any]:
    """Every watched table's stamp, in one statement."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, version FROM oms_referenceversion")
        return dict(cursor.fetchall())


@contextmanager
def reference_snapshot() -> Iterator[None]:
    """Within the block, the stamps are read once (at the first cached() call) and every
    entry is checked against them. For blocks that read reference data and do not write it;
    an inner block shares the outer one's stamps."""
    if _snapshot.get() is not None:
        yield
        return
    token = _snapshot.set([None])
    try:
        yield
    finally:
        _snapshot.reset(token)


def _current_stamps() -> dict[str, Any]:
    holder = _snapshot.get()
    if holder is None:
        return read_stamps()
    if holder[0] is None:
        holder[0] = read_stamps()
    return holder[0]


def cached(key: Hashable, tables: tuple[str, ...], load: Callable[[], T]) -> T:
    """The value cached under `key`, read by `load()` when the database's stamps of `tables`
    (the tables that `load` reads) differ from those it was cached with. A mutable value (a
    dict filled as keys are asked for) may be filled later in the block that got it."""
    stamps = _current_stamps()
    stamp = tuple(stamps.get(table) for table in tables)
    entry = _entries.get(key)
    if entry is not None and entry[0] == stamp:
        return entry[1]
    value = load()
    if len(_entries) >= MAX_ENTRIES:
        _entries.clear()
    _entries[key] = (stamp, value)
    return value


def clear() -> None:
    """Forget every entry (tests that want to see the reads)."""
    _entries.clear()
