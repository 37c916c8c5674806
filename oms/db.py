"""Database helpers shared by every app: bounded retries, the read-replica alias, document
numbers and inserting many rows at once."""

import functools
import json
import logging
import operator
import random
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ParamSpec, TypeVar

from django.db import OperationalError, connection, models, transaction
from psycopg import errors as pg_errors

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")
M = TypeVar("M", bound=models.Model)

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


def register_lazy_text() -> None:
    """Let psycopg write a lazy translation (gettext_lazy) as its text, as Django's fields do
    when they prepare a value: the rows written below take attributes as they are. Called by
    oms.apps.ready(), before the first connection copies psycopg's adapters."""
    import psycopg
    from django.utils.functional import Promise
    from psycopg.types.string import StrDumperUnknown

    class LazyTextDumper(StrDumperUnknown):  # as a str: the server takes the column's type
        def dump(self, obj: Any) -> Any:
            return super().dump(str(obj))

    psycopg.adapters.register_dumper(Promise, LazyTextDumper)


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


def _copy_value(field: Any) -> Callable[[Any], Any] | None:
    """How COPY takes a field's value from an object: None when it is the attribute as it is
    (psycopg writes it as the column wants), otherwise how Django prepares it for saving."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda obj: field.pre_save(obj, True)
    if type(field) in _AS_IS or field.is_relation:
        return None
    if isinstance(field, models.JSONField):
        # COPY's text form of jsonb is the JSON text itself: no adapter object per value.
        attname, encoder = field.attname, field.encoder

        def as_json(obj: Any) -> str | None:
            value = getattr(obj, attname)
            return None if value is None else json.dumps(value, cls=encoder, ensure_ascii=False)

        return as_json
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)


@functools.cache
def _key_filler(model: type[models.Model]) -> Callable[[Any], None]:
    """Model._prepare_related_fields_for_save for a new row, for the keys only: a key set
    by object before that object had its id takes the id now; an unsaved object refuses."""
    if model._meta.private_fields:
        return lambda obj: obj._prepare_related_fields_for_save(operation_name="bulk_create")
    fields: list[Any] = list(model._meta.concrete_fields)
    keys = [
        (f.name, f.attname, f.target_field.attname)
        for f in fields
        if f.is_relation and (f.many_to_one or f.one_to_one)
    ]

    def fill(obj: Any) -> None:
        cache, values = obj._state.fields_cache, obj.__dict__
        for name, attname, target in keys:
            related = cache.get(name)
            if related is None:
                continue
            key = getattr(related, target)
            if key is None:
                raise ValueError(
                    f"bulk_create() prohibited to prevent data loss due to unsaved related "
                    f"object '{name}'."
                )
            if values.get(attname) is None:
                values[attname] = key

    return fill


def insert_rows(model: type[models.Model], objs: list[Any], *, read_keys: bool = False) -> None:
    """Insert new rows in one statement: an INSERT ... VALUES for a few, COPY ... FROM STDIN
    for many (a batch's orders and lines: about three times faster). As bulk_create, no
    signals; the primary keys are the objects' own when they have them, otherwise the
    column's default, read back into the objects by the INSERT (also with COPY's row count
    when `read_keys`: the caller goes on to use them), not by COPY."""
    if not objs:
        return
    with_keys = objs[0].pk is not None
    if any((obj.pk is not None) != with_keys for obj in objs):
        model._default_manager.bulk_create(objs)  # it sorts the two kinds out itself
        return
    fill_keys = _key_filler(model)
    for obj in objs:  # before the statement: a refusal in the middle would abort COPY
        fill_keys(obj)
    if len(objs) < COPY_FROM or (read_keys and not with_keys):
        _insert_values(model, objs, with_keys)
        return
    fields, row_of = _row_getters(model, with_keys)
    quote = connection.ops.quote_name
    sql = (
        f"COPY {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        "FROM STDIN"
    )
    started = time.monotonic()
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in objs:
            copy.write_row(row_of(obj))
            obj._state.adding, obj._state.db = False, connection.alias
    if connection.queries_logged:  # counted as the statement it is (tests pin statements)
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})


@functools.cache
def _row_getters(model: type[models.Model], with_keys: bool) -> tuple[list[Any], Callable]:
    """The columns a new row writes (its key only when the objects carry it) and the function
    that takes a row's values from an object, made once per model: one attrgetter call reads
    the attributes written as they are (most of them), the others are then prepared."""
    fields = [f for f in model._meta.concrete_fields if with_keys or not f.primary_key]
    prepared = [(index, get) for index, f in enumerate(fields) if (get := _copy_value(f))]
    read = operator.attrgetter(*(f.attname for f in fields), "pk")  # a tuple even for one

    def row_of(obj: Any) -> list[Any]:
        values = list(read(obj))
        values.pop()
        for index, get in prepared:
            values[index] = get(obj)
        return values

    return fields, row_of


def _placeholder(field: Any) -> str:
    # A JSON field's value comes as its JSON text (_copy_value), which the cast makes jsonb.
    return "%s::jsonb" if isinstance(field, models.JSONField) else "%s"


@functools.lru_cache(maxsize=512)
def _values_sql(model: type[models.Model], with_keys: bool, count: int) -> str:
    """INSERT ... VALUES for `count` rows, made once per model and row count (bulk_create
    compiles it again on every call: a third of a small insert's time)."""
    fields, _getters = _row_getters(model, with_keys)
    quote = connection.ops.quote_name
    row = "({})".format(", ".join(_placeholder(f) for f in fields))
    sql = "INSERT INTO {} ({}) VALUES {}".format(
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join([row] * count),
    )
    key: Any = model._meta.pk
    return sql if with_keys else f"{sql} RETURNING {quote(key.column)}"


def _insert_values(model: type[models.Model], objs: list[Any], with_keys: bool) -> None:
    _fields, row_of = _row_getters(model, with_keys)
    values = [value for obj in objs for value in row_of(obj)]
    with connection.cursor() as cursor:
        cursor.execute(_values_sql(model, with_keys, len(objs)), values)
        # PostgreSQL returns the new keys in the order of the VALUES rows (as bulk_create
        # relies on too).
        keys = None if with_keys else cursor.fetchall()
    for index, obj in enumerate(objs):
        if keys is not None:
            obj.pk = keys[index][0]
        obj._state.adding, obj._state.db = False, connection.alias


def update_rows(model: type[models.Model], objs: Sequence[Any], fields: Sequence[str]) -> None:
    """Write these fields of existing rows, each row its own values, in one statement
    (UPDATE ... FROM unnest(one array per column)): a batch's orders, or one order. Values
    are prepared as save(update_fields=...) prepares them (auto_now fields take the time now);
    no signals. The statement is made once per model and fields; a field whose values
    psycopg does not write as they are goes through save()."""
    if not objs:
        return
    plan = _update_plan(model, tuple(fields))
    if plan is None:
        for obj in objs:
            obj.save(update_fields=list(fields))
        return
    targets, sql = plan
    values = [[obj.pk for obj in objs]] + [
        [field.get_db_prep_save(field.pre_save(obj, False), connection) for obj in objs]
        for field in targets
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


@functools.cache
def _update_plan(model: Any, fields: tuple[str, ...]) -> tuple[list[Any], str] | None:
    """The fields update_rows writes and its statement; None when a field's values need
    Django's conversion (save() then)."""
    meta = model._meta
    targets: list[Any] = [meta.get_field(name) for name in fields]
    if not all(type(field) in _AS_IS or field.is_relation for field in targets):
        return None
    quote = connection.ops.quote_name
    pk: Any = meta.pk
    columns = [pk, *targets]
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in columns)
    sql = (
        f"UPDATE {quote(meta.db_table)} AS t SET "
        + ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in targets)
        + f" FROM unnest({arrays}) AS v ({', '.join(quote(f.column) for f in columns)})"
        + f" WHERE t.{quote(pk.column)} = v.{quote(pk.column)}"
    )
    return targets, sql


def insert_unless_conflict(obj: Any) -> bool:
    """INSERT a new row ... ON CONFLICT DO NOTHING in one statement, no savepoint: True when
    it was written (obj.pk set), False when a unique constraint already held its values (the
    caller reads the row that won). Fields are prepared as Model.save() prepares them
    (auto_now_add and defaults included); no signals are sent."""
    return _insert(obj, unless_conflict=True)


def insert_row(obj: Any) -> None:
    """INSERT a new row as obj.save(force_insert=True) does (obj.pk set), without the ORM
    compiling the statement each time and without signals: for the rows a hot service adds
    (audit rows, order events)."""
    _insert(obj, unless_conflict=False)


@functools.cache
def _insert_sql(model: Any, using: str, unless_conflict: bool) -> tuple[Callable, str]:
    """How an INSERT of the model takes a row's values from an object, and its statement,
    made once per process."""
    from django.db import connections

    meta = model._meta
    if meta.parents:
        raise TypeError(f"{meta.label}: a row in several tables is saved by the ORM")
    if meta.pk is meta.auto_field:
        fields, row_of = _row_getters(model, False)
    else:  # a key with a default (a UUID): written like every other field
        fields = list(meta.concrete_fields)

        def row_of(obj: Any) -> list[Any]:
            return [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]

    quote = connections[using].ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({}){} RETURNING {}".format(
        quote(meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(_placeholder(f) for f in fields),
        " ON CONFLICT DO NOTHING" if unless_conflict else "",
        quote(meta.pk.column),
    )
    return row_of, sql


def _insert(obj: Any, *, unless_conflict: bool) -> bool:
    from django.db import connections, router

    using = router.db_for_write(type(obj), instance=obj)
    connection = connections[using]
    row_of, sql = _insert_sql(obj.__class__, using, unless_conflict)
    _key_filler(obj.__class__)(obj)
    with connection.cursor() as cursor:
        cursor.execute(sql, row_of(obj))
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = using
    return True


@functools.cache
def _row_plan(model: type[models.Model]) -> tuple[dict[str, Any], tuple, dict[str, Any]] | None:
    """What a new instance of `model` starts with: the fixed defaults by attname, the fields
    whose default is made per instance, and the fields by the names callers pass. None for a
    model with init receivers (file and image fields connect theirs as the class is made)."""
    signals = models.signals
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return None
    fixed: dict[str, Any] = {}
    made: list[Any] = []
    for field in model._meta.concrete_fields:
        if (field.has_default() and callable(field.default)) or field.has_db_default():
            made.append(field)
        else:
            fixed[field.attname] = field.get_default()
    by_name = {}
    for field in model._meta.concrete_fields:
        by_name[field.name] = by_name[field.attname] = field
    return fixed, tuple(made), by_name


def new_row(model: type[M], **values: Any) -> M:
    """`model(**values)` for an unsaved row, without Model.__init__'s per-field work (a
    seventh of an order import's time): defaults come from a plan made once per model, and a
    foreign key given as an object sets its id and cache as the descriptor would. Only for
    concrete fields and keys; a model with init receivers (file and image fields) goes
    through __init__."""
    plan = _row_plan(model)
    if plan is None:
        return model(**values)
    fixed, made, by_name = plan
    obj = model.__new__(model)
    obj._state = models.base.ModelState()
    state = obj.__dict__
    state.update(fixed)
    for field in made:
        state[field.attname] = field.get_default()
    for name, value in values.items():
        field = by_name.get(name)
        if field is None:
            raise TypeError(f"{model.__name__}() got an unexpected keyword argument {name!r}")
        if field.is_relation and name == field.name:
            if value is None:
                state[field.attname] = None
                obj._state.fields_cache[name] = None
            elif field.many_to_one and isinstance(value, field.related_model):
                state[field.attname] = getattr(value, field.target_field.attname)
                obj._state.fields_cache[name] = value
            else:
                setattr(obj, name, value)
        else:
            state[field.attname] = value
    return obj


class Columns:
    """Some concrete fields of a model (a relation by its name: its id; None: all) as a
    hand-written SELECT names them, in the order Model.from_db takes their values: `sql` is
    the select list (`alias`.column, ...), `load(row)` the instance (what .only() gives, with
    the fields' converters applied), without compiling a query."""

    def __init__(self, model: Any, names: Iterable[str] | None, alias: str):
        meta = model._meta
        wanted = None if names is None else {meta.get_field(n).attname for n in names}
        fields = [f for f in meta.concrete_fields if wanted is None or f.attname in wanted]
        quote = connection.ops.quote_name
        prefix = f"{alias}." if alias else ""
        self.model = model
        self.attnames = [f.attname for f in fields]
        self.sql = ", ".join(prefix + quote(f.column) for f in fields)
        self.width = len(fields)
        self.converters = [
            (index, field.get_col(alias or meta.db_table), converters)
            for index, field in enumerate(fields)
            if (converters := field.get_db_converters(connection))
        ]

    def load(self, row: Sequence[Any], start: int = 0) -> Any:
        """The instance from row[start:start + width]."""
        values = list(row[start : start + self.width])
        for index, expression, converters in self.converters:
            for convert in converters:
                values[index] = convert(values[index], expression, connection)
        return self.model.from_db(connection.alias, self.attnames, values)


@functools.cache
def model_columns(model: Any, names: tuple[str, ...] | None = None, alias: str = "") -> Columns:
    """The Columns of these fields of the model, made once per process."""
    return Columns(model, names, alias)


@functools.lru_cache(maxsize=256)
def _select_sql(model: Any, where: str, order_by: str) -> str:
    quote = connection.ops.quote_name
    sql = f"SELECT {model_columns(model).sql} FROM {quote(model._meta.db_table)} WHERE {where}"
    return f"{sql} ORDER BY {order_by}" if order_by else sql


def select_rows(
    model: type[M], where: str, params: Sequence[Any], *, order_by: str = ""
) -> list[M]:
    """The rows a hand-written WHERE (and ORDER BY) picks from the model's table, as instances
    with every field, what Model.objects.filter(...) gives, without the ORM compiling the
    query on every call: for the reads a hot service makes each time (an order's customer
    addresses). `where` and `order_by` are SQL fixed in the code, never text from a user."""
    columns = model_columns(model)
    with connection.cursor() as cursor:
        cursor.execute(_select_sql(model, where, order_by), params)
        return [columns.load(row) for row in cursor.fetchall()]


def lock_row(model: type[M], pk: Any) -> M:
    """The row by primary key, locked (SELECT ... FOR UPDATE), as the model's instance with
    every field: Model.objects.select_for_update().get(pk=pk) (DoesNotExist alike) without
    the ORM's compiling, for the locks a hot service takes first."""
    columns = model_columns(model)
    meta: Any = model._meta
    quote = connection.ops.quote_name
    sql = f"SELECT {columns.sql} FROM {quote(meta.db_table)} WHERE {quote(meta.pk.column)} = %s"
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} FOR UPDATE", [pk])
        row = cursor.fetchone()
    if row is None:
        missing: Any = model
        raise missing.DoesNotExist(f"{meta.object_name} matching query does not exist.")
    return columns.load(row)
