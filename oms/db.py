"""Database helpers shared by every app: bounded retries, the read-replica alias, document
numbers and inserting many rows at once."""

import functools
import logging
import random
import time
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec, TypeVar

from django.db import OperationalError, connection, models, transaction
from psycopg import errors as pg_errors

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

RETRYABLE = (pg_errors.DeadlockDetected, pg_errors.SerializationFailure)


def _is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, RETRYABLE) or isinstance(exc.__cause__, RETRYABLE)


def atomic_with_retry(attempts: int = 5) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Run the function in its own transaction, retrying deadlocks and serialization failures.

    Only the outermost call retries: inside an open transaction a failed statement has
    already poisoned it, so the error goes up to whoever opened it.
    """

    def decorator(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if transaction.get_connection().in_atomic_block:
                with transaction.atomic():
                    return func(*args, **kwargs)
            for attempt in range(1, attempts + 1):
                try:
                    with transaction.atomic():
                        return func(*args, **kwargs)
                except OperationalError as exc:
                    if attempt == attempts or not _is_retryable(exc):
                        raise
                    logger.info("retrying %s after %s (attempt %d)", func.__name__, exc, attempt)
                    time.sleep(random.uniform(0.005, 0.05) * attempt)
            raise AssertionError("unreachable")

        return wrapper

    return decorator


def analytics_db() -> str:
    """The database alias for heavy read-only reports: the replica when one is configured."""
    from django.conf import settings

    return "replica" if "replica" in settings.DATABASES else "default"


def next_document_number(prefix: str, sequence: str) -> str:
    """SO-2026-000123 style numbers from a PostgreSQL sequence.

    A sequence never blocks concurrent transactions (unlike a counter row), at the price of
    a gap when a transaction rolls back: fine for orders, not for invoices.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [sequence])
        value = cursor.fetchone()[0]
    return document_number(prefix, value)


def document_number(prefix: str, value: int) -> str:
    """The number of a document from its sequence's value: SO-2026-000123."""
    from django.utils import timezone

    return f"{prefix}-{timezone.localdate().year}-{value:06d}"


def typed_id(text: str, max_digits: int = 18) -> int | None:
    """A row id someone typed or sent (a path part, a query value), or None. ASCII digits
    only: str.isdigit() also takes "²" and "٣", which int() then refuses or reads as 3."""
    if text.isascii() and text.isdigit() and len(text) <= max_digits:
        return int(text)
    return None


# Fields whose Python value psycopg writes as the column wants, with no conversion by Django.
_AS_IS = frozenset(
    {
        models.AutoField,
        models.BigAutoField,
        models.BigIntegerField,
        models.BooleanField,
        models.CharField,
        models.DateField,
        models.DateTimeField,
        models.DecimalField,
        models.IntegerField,
        models.PositiveIntegerField,
        models.PositiveSmallIntegerField,
        models.SmallIntegerField,
        models.TextField,
    }
)
COPY_FROM = 20  # rows: from here on COPY beats an INSERT with all its parameters


def _copy_value(field: Any) -> Callable[[Any], Any]:
    """How COPY takes a field's value from an object: the attribute as it is when psycopg
    writes it as the column wants, otherwise as Django prepares it for saving."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda obj: field.pre_save(obj, True)
    if type(field) in _AS_IS or field.is_relation:
        attname = field.attname
        return lambda obj: getattr(obj, attname)
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)


def insert_rows(model: type[models.Model], objs: list[Any]) -> None:
    """Insert new rows in one statement: bulk_create for a few, COPY ... FROM STDIN for many
    (a batch's orders and lines: about three times faster, psycopg adapting the values).
    As bulk_create, no signals; the primary keys are the objects' own when they have them,
    otherwise the column's default, and then (COPY) not read back into the objects."""
    if len(objs) < COPY_FROM:
        model._default_manager.bulk_create(objs)
        return
    with_keys = objs[0].pk is not None
    fields = [f for f in model._meta.concrete_fields if with_keys or not f.primary_key]
    quote = connection.ops.quote_name
    sql = (
        f"COPY {quote(model._meta.db_table)} ({', '.join(quote(f.column or f.name) for f in fields)}) "
        "FROM STDIN"
    )
    getters = [_copy_value(field) for field in fields]
    started = time.monotonic()
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in objs:
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
            copy.write_row([get(obj) for get in getters])
            obj._state.adding, obj._state.db = False, connection.alias
    if connection.queries_logged:  # counted as the statement it is (tests pin statements)
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})


def update_rows(model: type[models.Model], objs: Sequence[Any], fields: Sequence[str]) -> None:
    """Write these fields of existing rows, each row its own values, in one statement
    (UPDATE ... FROM unnest(one array per column)): a batch's orders. Values are prepared as
    save(update_fields=...) prepares them (auto_now fields take the time now); no signals.
    One row, or a field whose values psycopg does not write as they are, goes through save()."""
    meta = model._meta
    targets: list[Any] = [meta.get_field(name) for name in fields]
    if len(objs) < 2 or not all(type(field) in _AS_IS or field.is_relation for field in targets):
        for obj in objs:
            obj.save(update_fields=list(fields))
        return
    quote = connection.ops.quote_name
    pk: Any = meta.pk
    columns = [pk, *targets]
    values = [[obj.pk for obj in objs]] + [
        [field.get_db_prep_save(field.pre_save(obj, False), connection) for obj in objs]
        for field in targets
    ]
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in columns)
    sql = (
        f"UPDATE {quote(meta.db_table)} AS t SET "
        + ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in targets)
        + f" FROM unnest({arrays}) AS v ({', '.join(quote(f.column) for f in columns)})"
        + f" WHERE t.{quote(pk.column)} = v.{quote(pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


def insert_unless_conflict(obj: Any) -> bool:
    """INSERT a new row ... ON CONFLICT DO NOTHING in one statement, no savepoint: True when
    it was written (obj.pk set), False when a unique constraint already held its values (the
    caller reads the row that won). Fields are prepared as Model.save() prepares them
    (auto_now_add and defaults included); no signals are sent."""
    from django.db import connections, router

    meta = obj._meta
    using = router.db_for_write(type(obj), instance=obj)
    connection = connections[using]
    fields = [f for f in meta.concrete_fields if f is not meta.auto_field]
    values = [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT DO NOTHING RETURNING {}".format(
        quote(meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
        quote(meta.pk.column),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = using
    return True
