"""CSV exports of list pages: the plain value of each column, streamed from the database.

A list's Table says which columns there are and how each is labelled; the export takes the
plain value of each (a `value_<name>` method of the table, a column's `value()` when it sets
`exports_plain_value`, a choice's label, or the field itself), never the HTML that the page
renders. Every cell a spreadsheet could take for a formula is defused (OWASP's CSV injection
rule).

How a column's value is found is worked out once per export (`export_plan`). When every
column is a plain field, an annotation of the list's queryset, an expression the table names
in `export_values`, or a value method that needs only the value, rows are fetched with
`values_list()` and PostgreSQL makes the cells (local time as text, choice labels, defused
text), so the tuples go from the cursor to the CSV writer as they are. A column that needs
the record (a `value_<name>(value, record)` method, a property, a related object's text)
makes the export read model instances and make every cell in Python with `plain()`; the
tests check that both ways write the same file. Either way rows come from a server-side
cursor in chunks and are written a chunk at a time, so memory stays flat whatever the size.
"""

from __future__ import annotations

import csv
import datetime
import inspect
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from typing import IO, Any

import django_tables2 as tables
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, FieldError
from django.db import connections
from django.db.models import Case, F, Field, Func, Model, QuerySet, TextField, Value, When
from django.db.models.functions import Cast, Concat, Left
from django.db.models.lookups import Exact, In
from django.utils import timezone
from django.utils.encoding import force_str

CHUNK_SIZE = 5000  # rows per fetch from the server-side cursor, and per write
# One line ending for every way of writing: COPY writes "\n" and cannot write "\r\n".
LINE_END = "\n"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
TEXT_TYPES = {"CharField", "TextField", "SlugField", "EmailField", "URLField"}
# Whole numbers: the CSV writer writes them (and None) as plain() would.
INTEGER_TYPES = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
}


def defuse(value: str) -> str:
    """Text that a spreadsheet would run as a formula is prefixed with a quote."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def plain(value: Any) -> str | int | Decimal:
    """A cell as a spreadsheet should see it: numbers stay numbers, text is defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime(DATETIME_FORMAT)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return defuse(", ".join(force_str(v) for v in value))
    return defuse(force_str(value))


def _choice_labels(model_field: Field) -> Callable[[Any], Any]:
    labels = {key: plain(label) for key, label in model_field.flatchoices}
    return lambda value: labels[value] if value in labels else plain(value)


def _cell_in_database(source: Any, model_field: Field | None) -> Any:
    """An expression that makes the column's cell in PostgreSQL exactly as plain() makes it
    in Python: local time and dates as text, decimals as text, yes/no, choice labels and
    defused text; whole numbers as they are. None for what is left to Python."""
    if model_field is None:
        return None
    kind = model_field.get_internal_type()
    if model_field.choices:
        if kind not in TEXT_TYPES:
            return None
        return Case(
            *(
                When(Exact(source, key), then=Value(plain(label)))
                for key, label in model_field.flatchoices
            ),
            default=_defused(source),
            output_field=TextField(),
        )
    if kind in TEXT_TYPES:
        return _defused(source)
    if kind in INTEGER_TYPES:
        return source
    if kind == "DateTimeField":
        local = Func(Value(timezone.get_current_timezone_name()), source, function="timezone")
        return Func(
            local, Value("YYYY-MM-DD HH24:MI:SS"), function="to_char", output_field=TextField()
        )
    if kind == "DateField":
        return Func(source, Value("YYYY-MM-DD"), function="to_char", output_field=TextField())
    if kind == "DecimalField":
        return Cast(source, TextField())
    if kind == "BooleanField":
        return Case(
            When(Exact(source, True), then=Value("yes")),
            When(Exact(source, False), then=Value("no")),
            output_field=TextField(),
        )
    return None


def _defused(text: Any) -> Case:
    """defuse() in SQL: a quote before text that starts like a formula. Empty text becomes
    NULL, which COPY writes as an empty cell, as the csv module does (not as "")."""
    return Case(
        When(Exact(text, ""), then=Value(None)),
        When(In(Left(text, 1), list(FORMULA_STARTS)), then=Concat(Value("'"), text)),
        default=text,
        output_field=TextField(),
    )


@dataclass(frozen=True)
class ExportColumn:
    header: str
    # What values_list() selects for this column (a name the plan annotates), or None when
    # the cell needs the model instance.
    select: str | None
    # The selected value → its cell; None when the database already made the cell.
    to_plain: Callable[[Any], Any] | None
    from_record: Callable[[Any], Any]  # a model instance → its cell


@dataclass(frozen=True)
class ExportPlan:
    columns: list[ExportColumn]
    # What the queryset is annotated with: the cells (values path), or the raw values of the
    # table's export_values expressions (instance path).
    value_annotations: dict[str, Any] = field(default_factory=dict)
    record_annotations: dict[str, Any] = field(default_factory=dict)

    @property
    def headers(self) -> list[Any]:
        return [plain(column.header) for column in self.columns]

    @property
    def needs_records(self) -> bool:
        return any(column.select is None for column in self.columns)

    @property
    def in_database(self) -> bool:
        """Does PostgreSQL make every cell? Then COPY can write the rows (copy_csv)."""
        return all(column.select is not None and column.to_plain is None for column in self.columns)


def export_plan(table: tables.Table, queryset: Any = None) -> ExportPlan:
    """How each exported column of `table` gets its plain value, worked out once per export
    in the language and time zone active now (choice labels, local times)."""
    if queryset is None:
        queryset = table.data.data
    model = table._meta.model
    if model is None and isinstance(queryset, QuerySet):
        model = queryset.model
    query_annotations = queryset.query.annotations if isinstance(queryset, QuerySet) else {}
    export_values: dict[str, Any] = getattr(table, "export_values", {})
    columns: list[ExportColumn] = []
    value_annotations: dict[str, Any] = {}
    record_annotations: dict[str, Any] = {}
    for bound in table.columns:
        column = bound.column
        if column.exclude_from_export or not bound.visible:
            continue
        header, name = str(bound.header), bound.name
        alias = f"export_cell_{len(columns)}"
        path: str | None
        if name in export_values and not isinstance(export_values[name], str):
            # An expression the table names: the database puts the value together.
            path = f"export_raw_{name}"
            record_annotations[path] = export_values[name]
            source: Any = export_values[name]
            model_field = _resolved_field(source, queryset)
        else:
            accessor = export_values.get(name, str(bound.accessor))
            path, model_field = _plain_path(model, accessor, query_annotations)
            source = F(path) if path is not None else None
        method = getattr(table, f"value_{name}", None)
        if method is None and getattr(column, "exports_plain_value", False):
            method = column.value  # a column that knows its plain value
        if method is not None:
            wanted = _takes(method, ("value", "record"))
            if path is not None and "record" not in wanted:
                convert = _value_method(method, wanted)
                value_annotations[alias] = source
                columns.append(ExportColumn(header, alias, convert, _via(path, convert)))
            else:
                get = _method_getter(method, wanted, bound.accessor)
                columns.append(ExportColumn(header, None, None, _plain_of(get)))
        elif path is not None:
            converter = _converter(model_field)
            cell = _cell_in_database(source, model_field)
            value_annotations[alias] = source if cell is None else cell
            to_plain = converter if cell is None else None
            columns.append(ExportColumn(header, alias, to_plain, _via(path, converter)))
        else:
            columns.append(
                ExportColumn(
                    header, None, None, _plain_of(_field_getter(bound.accessor, model_field))
                )
            )
    return ExportPlan(columns, value_annotations, record_annotations)


def _converter(model_field: Field | None) -> Callable[[Any], Any]:
    """How a value of this field becomes its cell in Python; choices become their labels."""
    if model_field is not None and model_field.choices:
        return _choice_labels(model_field)
    return plain


def _via(path: str, converter: Callable[[Any], Any]) -> Callable[[Any], Any]:
    accessor = tables.A(path)
    return lambda record: converter(accessor.resolve(record, quiet=True))


def _plain_of(get: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda record: plain(get(record))


def _plain_path(
    model: type[Model] | None, accessor: str, annotations: dict[str, Any]
) -> tuple[str | None, Field | None]:
    """The ORM path that values_list() can select for this accessor, and its field; (None,
    None) when the cell needs the instance (a property, a related object, a to-many path)."""
    if accessor in annotations:
        return accessor, _output_field(annotations[accessor])
    if model is None or "." in accessor:
        return None, None
    model_field = _field_at(model, accessor)
    if model_field is None or model_field.is_relation:
        return None, None  # a related object exports as its text: needs the instance
    return accessor, model_field


def _field_at(model: type[Model] | None, path: str) -> Field | None:
    """The model field at the end of `path`, following only relations that give one row."""
    if model is None:
        return None
    opts = model._meta
    *hops, last = path.split("__")
    try:
        for hop in hops:
            relation = opts.get_field(hop)
            if not (relation.many_to_one or relation.one_to_one) or relation.related_model is None:
                return None
            opts = relation.related_model._meta
        found = opts.get_field(last)
    except FieldDoesNotExist:
        return None
    if found.many_to_many or found.one_to_many:
        return None
    return found if isinstance(found, Field) else None


def _resolved_field(expression: Any, queryset: Any) -> Field | None:
    """The output field of a table's expression, resolved against the list's query (an F()
    knows its field only then)."""
    if isinstance(queryset, QuerySet):
        try:
            expression = expression.resolve_expression(queryset.query.clone(), allow_joins=True)
        except FieldError:
            return None
    return _output_field(expression)


def _output_field(expression: Any) -> Field | None:
    try:
        return expression.output_field
    except (AttributeError, FieldError):
        return None


def _takes(function: Callable, names: Iterable[str]) -> list[str]:
    parameters = inspect.signature(function).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return list(names)
    return [name for name in names if name in parameters]


def _value_method(method: Callable, wanted: list[str]) -> Callable[[Any], Any]:
    if wanted == ["value"]:
        return lambda value: plain(method(value=value))
    return lambda value: plain(method())


def _method_getter(method: Callable, wanted: list[str], accessor) -> Callable[[Any], Any]:
    def get(record):
        arguments = {"value": accessor.resolve(record, quiet=True), "record": record}
        return method(**{name: arguments[name] for name in wanted})

    return get


def _field_getter(accessor, model_field: Field | None) -> Callable[[Any], Any]:
    labels = (
        _choice_labels(model_field) if model_field is not None and model_field.choices else None
    )

    def get(record):
        value = accessor.resolve(record, quiet=True)
        if labels is not None:
            return labels(value)
        if isinstance(value, Model):
            return str(value)
        return value

    return get


def plain_rows(plan: ExportPlan, data: Any) -> Iterator[list[Any]]:
    """The export's rows, a chunk at a time: tuples from values_list() when no column needs
    the record, else model instances through a server-side cursor."""
    if isinstance(data, QuerySet):
        if not plan.needs_records:
            yield from _rows_from_values(plan, data.annotate(**plan.value_annotations))
            return
        if plan.record_annotations:
            data = data.annotate(**plan.record_annotations)
        data = data.iterator(chunk_size=CHUNK_SIZE)
    getters = [column.from_record for column in plan.columns]
    chunk: list[Any] = []
    for record in data:
        chunk.append([get(record) for get in getters])
        if len(chunk) == CHUNK_SIZE:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _rows_from_values(plan: ExportPlan, queryset: QuerySet) -> Iterator[list[Any]]:
    selects = [column.select for column in plan.columns if column.select is not None]
    rows = queryset.values_list(*selects).iterator(chunk_size=CHUNK_SIZE)
    steps = [(i, c.to_plain) for i, c in enumerate(plan.columns) if c.to_plain is not None]
    while chunk := list(islice(rows, CHUNK_SIZE)):
        if steps:  # cells Python makes (a value method): converted in place
            converted = []
            for values in chunk:
                row = list(values)
                for i, convert in steps:
                    row[i] = convert(row[i])
                converted.append(row)
            chunk = converted
        # Otherwise the database made every cell, and its tuples go to the writer as they are
        # (None, a NULL, is written as an empty cell).
        yield chunk


def write_csv(
    plan: ExportPlan,
    data: Any,
    out: IO[str],
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the export to `out` (opened with newline=""): a byte-order mark (Excel then reads
    UTF-8, Chinese included), the header row, then the rows. Returns the number of rows."""
    writer = csv.writer(out, lineterminator=LINE_END)
    out.write("\ufeff")
    writer.writerow(plan.headers)
    written = 0
    for chunk in plain_rows(plan, data):
        writer.writerows(chunk)
        written += len(chunk)
        if progress is not None:
            progress(written)
    return written


def csv_chunks(plan: ExportPlan, data: Any) -> Iterator[str]:
    """The same CSV text as write_csv, as pieces for a streaming response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=LINE_END)
    writer.writerow(plan.headers)
    yield "\ufeff" + buffer.getvalue()
    for chunk in plain_rows(plan, data):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(chunk)
        yield buffer.getvalue()


def copy_csv(
    plan: ExportPlan,
    queryset: QuerySet,
    out: IO[bytes],
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """The same file as write_csv, with PostgreSQL writing the rows itself: COPY of the
    values_list() query, for a plan whose cells are all made in the database. Returns the
    number of rows."""
    if not plan.in_database:
        raise ValueError("some cells of this export are made in Python; use write_csv")
    header = io.StringIO()
    csv.writer(header, lineterminator=LINE_END).writerow(plan.headers)
    out.write(("\ufeff" + header.getvalue()).encode())
    selects = [column.select for column in plan.columns if column.select is not None]
    values = queryset.annotate(**plan.value_annotations).values_list(*selects)
    sql, params = values.query.sql_with_params()
    # Only the cells: a DISTINCT query also selects what it orders by. A plain projection of
    # the subquery keeps its order.
    cells = ", ".join(f'"{name}"' for name in selects)
    statement = f"COPY (SELECT {cells} FROM ({sql}) AS export) TO STDOUT WITH (FORMAT csv)"
    connection = connections[queryset.db]
    with connection.cursor() as cursor, connection.wrap_database_errors:
        # psycopg's own cursor: Django's debug wrapper passes no parameters to copy().
        with cursor.cursor.copy(statement, params) as copy:
            # PostgreSQL sends a row per message: counting them is the progress.
            for sent, row in enumerate(copy, start=1):
                out.write(row)
                if progress is not None and sent % CHUNK_SIZE == 0:
                    progress(sent)
        return cursor.rowcount


def is_large(queryset: Any) -> bool:
    """More rows than a page should stream (OMS_EXPORT_INLINE_MAX_ROWS)? Asks for one row past
    the limit, never a COUNT(*) over millions."""
    if not isinstance(queryset, QuerySet):
        return False
    limit = settings.OMS_EXPORT_INLINE_MAX_ROWS
    return queryset[limit : limit + 1].exists()
