"""CSV exports of list pages: the plain value of each column, streamed from the database.

A list's Table says which columns there are and how each is labelled; the export takes the
plain value of each (a `value_<name>` method of the table, a kernel column's `value()`, a
choice's label, or the field itself), never the HTML that the page renders. Rows come from a
server-side cursor in chunks, so memory stays flat whatever the size. Every cell a spreadsheet
could take for a formula is defused (OWASP's CSV injection rule).
"""

from __future__ import annotations

import csv
import datetime
import inspect
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

import django_tables2 as tables
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.encoding import force_str

CHUNK_SIZE = 2000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return defuse(", ".join(force_str(v) for v in value))
    return defuse(force_str(value))


def _takes(function: Callable, names: Iterable[str]) -> list[str]:
    parameters = inspect.signature(function).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return list(names)
    return [name for name in names if name in parameters]


def cell_getters(table: tables.Table) -> list[tuple[str, Callable[[Any], Any]]]:
    """(header, record → plain value) for each exported column, worked out once per export."""
    model = table._meta.model
    getters = []
    for bound in table.columns:
        column = bound.column
        if column.exclude_from_export or not bound.visible:
            continue
        accessor = bound.accessor
        value_method = getattr(table, f"value_{bound.name}", None)
        if value_method is not None:
            getters.append((str(bound.header), _method_getter(value_method, accessor)))
            continue
        if getattr(column, "exports_plain_value", False):  # a kernel column that knows it
            getters.append((str(bound.header), _method_getter(column.value, accessor)))
            continue
        field = accessor.get_field(model) if model is not None else None
        labels = dict(field.flatchoices) if field is not None and field.choices else None
        getters.append((str(bound.header), _field_getter(accessor, labels)))
    return getters


def _method_getter(method: Callable, accessor) -> Callable[[Any], Any]:
    wanted = _takes(method, ("value", "record"))

    def get(record):
        arguments = {"value": accessor.resolve(record, quiet=True), "record": record}
        return method(**{name: arguments[name] for name in wanted})

    return get


def _field_getter(accessor, labels: dict | None) -> Callable[[Any], Any]:
    def get(record):
        value = accessor.resolve(record, quiet=True)
        if labels is not None:
            return labels.get(value, value)
        if isinstance(value, Model):
            return str(value)
        return value

    return get


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(table: tables.Table, records: Iterable[Any]) -> Iterator[str]:
    """The CSV text of a table's columns over `records`: a byte-order mark (Excel then reads
    UTF-8, Chinese included), the header row, then one line per record."""
    getters = cell_getters(table)
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow([plain(header) for header, _get in getters])
    for record in records:
        yield writer.writerow([plain(get(record)) for _header, get in getters])


def stream_records(data: Any) -> Iterable[Any]:
    """A queryset read through a server-side cursor in chunks; other data as it is."""
    if isinstance(data, QuerySet):
        return data.iterator(chunk_size=CHUNK_SIZE)
    return data
