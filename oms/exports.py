"""CSV exports of list pages: the plain value of each column, streamed from the database.

A list's Table says which columns there are and how each is labelled; the export takes the
plain value of each (a `value_<name>` method of the table, a kernel column's `value()`, a
choice's label, or the field itself), never the HTML that the page renders. Every cell a
spreadsheet could take for a formula is defused (OWASP's CSV injection rule).

How a column's value is found is worked out once per export (`export_plan`). When every
column is a plain field, an annotation, an expression the table names in `export_values`, or
a value method that needs only the value, rows are fetched with `values_list()` as tuples: no
model instances, no accessor walks, one small converter per cell. A column that needs the
record (a `value_<name>(value, record)` method, a property, a related object's text) makes
the export read model instances instead. Either way rows come from a server-side cursor in
chunks and are written a chunk at a time, so memory stays flat whatever the size.
"""

from __future__ import annotations

import csv
import datetime
import inspect
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

import django_tables2 as tables
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, FieldError
from django.db.models import Field, Model, QuerySet
from django.utils import timezone
from django.utils.encoding import force_str

CHUNK_SIZE = 5000  # rows per fetch from the server-side cursor, and per write
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
NUMBER_TYPES = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
    "DecimalField",
    "FloatField",
}
TEXT_TYPES = {"CharField", "TextField", "SlugField", "EmailField", "URLField"}


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


# Converters for one kind of field: the same result as plain(), without its type tests.
def _text(value: str | None) -> str:
    if not value:
        return ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _number(value: Any) -> Any:
    return "" if value is None else value


def _boolean(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _datetime(value: datetime.datetime | None) -> str:
    return "" if value is None else timezone.localtime(value).strftime(DATETIME_FORMAT)


def _date(value: datetime.date | None) -> str:
    return "" if value is None else value.isoformat()


def _converter(model_field: Field | None) -> Callable[[Any], Any]:
    """How a fetched value of this field becomes its cell; choices become their labels, in
    the language active now (so build the plan inside the user's language)."""
    if model_field is None:
        return plain
    if model_field.choices:
        labels = {key: plain(label) for key, label in model_field.flatchoices}
        return lambda value: labels[value] if value in labels else plain(value)
    kind = model_field.get_internal_type()
    if kind in TEXT_TYPES:
        return _text
    if kind in NUMBER_TYPES:
        return _number
    if kind == "BooleanField":
        return _boolean
    if kind == "DateTimeField":
        return _datetime
    if kind == "DateField":
        return _date
    return plain


@dataclass(frozen=True)
class ExportColumn:
    header: str
    # What values_list() selects for this column (an ORM path or an annotation's name), or
    # None when the cell needs the model instance.
    select: str | None
    to_plain: Callable[[Any], Any]  # the selected value → its cell
    from_record: Callable[[Any], Any]  # a model instance → its cell


@dataclass(frozen=True)
class ExportPlan:
    columns: list[ExportColumn]
    # Expressions the table exports (its `export_values`), added to the queryset by name.
    annotations: dict[str, Any] = field(default_factory=dict)

    @property
    def headers(self) -> list[Any]:
        return [plain(column.header) for column in self.columns]

    @property
    def needs_records(self) -> bool:
        return any(column.select is None for column in self.columns)


def export_plan(table: tables.Table, queryset: Any = None) -> ExportPlan:
    """How each exported column of `table` gets its plain value, worked out once per export."""
    if queryset is None:
        queryset = table.data.data
    model = table._meta.model
    if model is None and isinstance(queryset, QuerySet):
        model = queryset.model
    query_annotations = queryset.query.annotations if isinstance(queryset, QuerySet) else {}
    export_values: dict[str, Any] = getattr(table, "export_values", {})
    columns: list[ExportColumn] = []
    annotations: dict[str, Any] = {}
    for bound in table.columns:
        column = bound.column
        if column.exclude_from_export or not bound.visible:
            continue
        header = str(bound.header)
        name = bound.name
        if name in export_values:
            source = export_values[name]
            if isinstance(source, str):
                select, model_field = source, _field_at(model, source)
            else:  # an expression: the database computes the cell
                select = f"export_{name}"
                annotations[select] = source
                model_field = _output_field(source)
            columns.append(_selected(header, select, _converter(model_field)))
            continue
        path, model_field = _plain_path(model, str(bound.accessor), query_annotations)
        method = getattr(table, f"value_{name}", None)
        if method is None and getattr(column, "exports_plain_value", False):
            method = column.value  # a kernel column that knows its plain value
        if method is not None:
            wanted = _takes(method, ("value", "record"))
            if path is not None and "record" not in wanted:
                columns.append(_selected(header, path, _value_method(method, wanted)))
            else:
                columns.append(_from_record(header, _method_getter(method, wanted, bound.accessor)))
        elif path is not None:
            columns.append(_selected(header, path, _converter(model_field)))
        else:
            columns.append(_from_record(header, _field_getter(bound.accessor, model_field)))
    return ExportPlan(columns, annotations)


def _selected(header: str, select: str, to_plain: Callable[[Any], Any]) -> ExportColumn:
    accessor = tables.A(select)

    def from_record(record: Any) -> Any:
        return to_plain(accessor.resolve(record, quiet=True))

    return ExportColumn(header, select, to_plain, from_record)


def _from_record(header: str, get: Callable[[Any], Any]) -> ExportColumn:
    return ExportColumn(header, None, plain, lambda record: plain(get(record)))


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
            if not (relation.many_to_one or relation.one_to_one):
                return None
            opts = relation.related_model._meta  # type: ignore[union-attr]
        found = opts.get_field(last)
    except FieldDoesNotExist:
        return None
    if found.many_to_many or found.one_to_many:
        return None
    return found if isinstance(found, Field) else None


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
        dict(model_field.flatchoices) if model_field is not None and model_field.choices else None
    )

    def get(record):
        value = accessor.resolve(record, quiet=True)
        if labels is not None:
            return labels.get(value, value)
        if isinstance(value, Model):
            return str(value)
        return value

    return get


def plain_rows(plan: ExportPlan, data: Any) -> Iterator[list[list[Any]]]:
    """The export's rows, a chunk at a time: tuples from values_list() when every column is
    a plain value, else model instances through a server-side cursor."""
    if isinstance(data, QuerySet):
        if plan.annotations:
            data = data.annotate(**plan.annotations)
        if not plan.needs_records:
            yield from _rows_from_values(plan, data)
            return
        data = data.iterator(chunk_size=CHUNK_SIZE)
    getters = [column.from_record for column in plan.columns]
    chunk: list[list[Any]] = []
    for record in data:
        chunk.append([get(record) for get in getters])
        if len(chunk) == CHUNK_SIZE:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _rows_from_values(plan: ExportPlan, queryset: QuerySet) -> Iterator[list[list[Any]]]:
    selects = list(dict.fromkeys(column.select for column in plan.columns if column.select))
    position = {name: i for i, name in enumerate(selects)}
    picks = [position[column.select] for column in plan.columns if column.select]
    converters = [column.to_plain for column in plan.columns]
    # Most exports select each path once, in column order: then a row is converted in place.
    in_order = picks == list(range(len(picks)))
    steps = list(enumerate(converters))
    chunk: list[list[Any]] = []
    for values in queryset.values_list(*selects).iterator(chunk_size=CHUNK_SIZE):
        if in_order:
            row = list(values)
            for i, convert in steps:
                row[i] = convert(row[i])
        else:
            row = [convert(values[pick]) for convert, pick in zip(converters, picks, strict=True)]
        chunk.append(row)
        if len(chunk) == CHUNK_SIZE:
            yield chunk
            chunk = []
    if chunk:
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
    writer = csv.writer(out)
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
    writer = csv.writer(buffer)
    writer.writerow(plan.headers)
    yield "\ufeff" + buffer.getvalue()
    for chunk in plain_rows(plan, data):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(chunk)
        yield buffer.getvalue()


def is_large(queryset: Any) -> bool:
    """More rows than a page should stream (OMS_EXPORT_INLINE_MAX_ROWS)? Asks for one row past
    the limit, never a COUNT(*) over millions."""
    if not isinstance(queryset, QuerySet):
        return False
    limit = settings.OMS_EXPORT_INLINE_MAX_ROWS
    return queryset[limit : limit + 1].exists()
