import html
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

import django_tables2 as tables
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.middleware.csrf import get_token
from django.utils import numberformat, translation
from django.utils.encoding import force_str
from django.utils.formats import date_format, get_format, localize
from django.utils.functional import Promise, cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime
from django.utils.translation import gettext_lazy as _
from django_tables2.columns.base import LinkTransform
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.columns.manytomanycolumn import ManyToManyColumn
from django_tables2.utils import signature

from oms.registry import resolve_reference


def format_money(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{currency_symbol()}{grouped_number(value, decimal_pos=2)}"


_NUMBER_FORMATS: dict[str, tuple[str, Any, str]] = {}


def grouped_number(value: Any, decimal_pos: int | None = None) -> str:
    """number_format(value, decimal_pos, force_grouping=True), with the language's separators
    and grouping looked up once per language rather than once per cell."""
    language = translation.get_language()
    formats = _NUMBER_FORMATS.get(language or "")
    if formats is None:
        formats = _NUMBER_FORMATS[language or ""] = (
            get_format("DECIMAL_SEPARATOR", language),
            get_format("NUMBER_GROUPING", language),
            get_format("THOUSAND_SEPARATOR", language),
        )
    decimal_separator, grouping, thousand_separator = formats
    return numberformat.format(
        value,
        decimal_separator,
        decimal_pos,
        grouping,
        thousand_separator,
        force_grouping=True,
    )


def currency_symbol() -> str:
    return {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "HKD": "HK$"}.get(
        settings.OMS_CURRENCY, settings.OMS_CURRENCY + " "
    )


NUMERIC = {
    "th": {"class": "text-end"},
    "td": {"class": "text-end font-monospace-num"},
    "tf": {"class": "text-end"},
}


class MoneyColumn(tables.Column):
    """An amount with the currency symbol; exports the plain number (oms.exports)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", NUMERIC)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return format_money(value)


class QuantityColumn(tables.Column):
    """A quantity with digit grouping; exports the plain number."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", NUMERIC)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return grouped_number(value)


class ActiveColumn(tables.BooleanColumn):
    """A badge; exports yes/no like any boolean field."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("verbose_name", _("Active"))
        super().__init__(*args, **kwargs)

    def render(self, value, record, bound_column):
        label = _("Active") if value else _("Inactive")
        css = "text-bg-success" if value else "text-bg-secondary"
        return fast_format_html('<span class="badge {}">{}</span>', css, label)


# Django's date format characters that a cell's format may use, as Python formatting of
# the date's fields; a format with any other character is left to django.utils.formats.
DATE_PARTS = {
    "Y": "{0.year:04d}",
    "m": "{0.month:02d}",
    "n": "{0.month}",
    "d": "{0.day:02d}",
    "j": "{0.day}",
    "H": "{0.hour:02d}",
    "i": "{0.minute:02d}",
    "s": "{0.second:02d}",
}
_DATE_FORMATS: dict[tuple[str, str], Callable[[Any], str]] = {}


def date_formatter(format_name: str) -> Callable[[Any], str]:
    """A function that formats a date or datetime as date_format(value, format_name) does in
    the current language, made once per format and language (date_format parses the format
    again for every value)."""
    key = (format_name, translation.get_language() or "")
    formatter = _DATE_FORMATS.get(key)
    if formatter is None:
        pattern = get_format(format_name)
        if all(char in DATE_PARTS or (not char.isalpha() and char != "\\") for char in pattern):
            template = "".join(
                DATE_PARTS.get(char) or char.replace("{", "{{").replace("}", "}}")
                for char in pattern
            )
            formatter = template.format
        else:
            formatter = partial(date_format, format=format_name)
        _DATE_FORMATS[key] = formatter
    return formatter


class DateTimeColumn(tables.Column):
    """A date and time in the user's time zone and format. django-tables2's DateTimeColumn
    compiles a template for every cell; this formats with the format worked out once."""

    def __init__(self, *args, format: str = "SHORT_DATETIME_FORMAT", **kwargs):
        self.format = format
        super().__init__(*args, **kwargs)

    def render(self, value):
        return date_formatter(self.format)(template_localtime(value))


class DateColumn(DateTimeColumn):
    """A date in the user's format (SHORT_DATE_FORMAT unless told otherwise)."""

    def __init__(self, *args, format: str = "SHORT_DATE_FORMAT", **kwargs):
        super().__init__(*args, format=format, **kwargs)

    def render(self, value):
        return date_formatter(self.format)(value)


@dataclass(frozen=True)
class FooterCell:
    """One cell of a table's summary footer (BaseTable.summary_footer)."""

    content: Any
    colspan: int = 1
    css: str = "text-end"
    id: str = ""


class BaseTable(tables.Table):
    class Meta:
        empty_text = _("Nothing matches these filters.")
        template_name = "oms/table.html"

    summary_footer_css = "table-light"

    def summary_footer(self) -> list[FooterCell]:
        """A footer row of cells that may span columns (a document's totals under its lines),
        shown instead of the columns' own footers when there is one."""
        return []

    @cached_property
    def rendered_rows(self) -> list[SafeString]:
        """The body rows as HTML, the same that django-tables2's rows and the template would
        make, with each column's work done once per table: its td attributes, which arguments
        its render method takes (django-tables2 inspects the signature for every cell) and
        its choice labels in the current language (get_FOO_display translates every label
        for every row)."""
        cells = [_CellRenderer(self, column) for column in self.columns]
        plain_rows = not self.row_attrs
        rows = []
        for row in self.paginated_rows:
            attrs = row.get_even_odd_css_class() if plain_rows else None
            opening = f'<tr class="{attrs}">' if attrs else f"<tr {row.attrs.as_html()}>"
            rows.append(SafeString(opening + "".join(cell(row) for cell in cells) + "</tr>"))
        return rows


class ReferenceColumn(tables.Column):
    """A document reference ("SO-2026-000123") linked to its document when an app resolves it;
    exports the plain reference."""

    def render(self, value):
        url = resolve_reference(value)
        return format_html('<a href="{}">{}</a>', url, value) if url else value


def compact_table(
    table_class: type[tables.Table],
    data,
    *,
    columns: tuple[str, ...] = (),
    without: tuple[str, ...] = (),
    request=None,
) -> tables.Table:
    """A list page's table cut down to some `columns` (or all but `without`), unsorted and on
    one page: for a card on another page (a dashboard panel, a detail page), so each list's
    columns exist once."""
    if columns:
        hidden = [name for name in table_class.base_columns if name not in columns]
        table = table_class(
            data, exclude=hidden, sequence=columns, orderable=False, show_footer=False
        )
    else:
        table = table_class(data, exclude=without, orderable=False, show_footer=False)
    table.request = request  # for columns that show only what the user may do
    return table


def table_card(title, table: tables.Table, more_url: str = "") -> dict:
    """The context of oms/panels/table.html: a card with a title, a table and an "All" link."""
    return {"title": title, "table": table, "more_url": more_url}


@dataclass(frozen=True)
class RowAction:
    """A button in a table row: a link, or a POST form when `post` is set (an action view),
    sending the hidden fields `data(record)` gives."""

    label: Any
    permission: str
    url: Callable[[Any], str]
    icon: str = ""
    post: bool = False
    shown: Callable[[Any], bool] = lambda record: True
    data: Callable[[Any], dict[str, str]] = lambda record: {}


class ActionsColumn(tables.Column):
    """The row's buttons the signed-in user may use; never exported."""

    def __init__(self, actions: Sequence[RowAction], **kwargs):
        self.actions = tuple(actions)
        kwargs.update(empty_values=(), orderable=False, exclude_from_export=True)
        kwargs.setdefault("verbose_name", "")
        kwargs.setdefault("attrs", {"td": {"class": "text-end text-nowrap"}})
        super().__init__(**kwargs)

    def render(self, record, table):
        request = getattr(table, "request", None)
        if request is None:
            return ""
        return format_html_join(
            " ",
            "{}",
            (
                (self._button(action, record, request),)
                for action in self.actions
                if request.user.has_perm(action.permission) and action.shown(record)
            ),
        )

    @staticmethod
    def _button(action: RowAction, record, request) -> str:
        icon = format_html('<i class="bi bi-{}"></i>', action.icon) if action.icon else ""
        if action.post:
            fields = format_html_join(
                "",
                '<input type="hidden" name="{}" value="{}">',
                action.data(record).items(),
            )
            return format_html(
                '<form method="post" action="{}" class="d-inline">'
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">{}'
                '<button class="btn btn-sm btn-outline-primary" type="submit">{} {}</button></form>',
                action.url(record),
                get_token(request),
                fields,
                icon,
                action.label,
            )
        return format_html(
            '<a class="btn btn-sm btn-outline-secondary" href="{}" title="{}" aria-label="{}">{}</a>',
            action.url(record),
            action.label,
            action.label,
            icon or action.label,
        )


CELL_ARGUMENTS = ("value", "record", "column", "bound_column", "bound_row", "table")
_LABELS: dict[tuple[str, str, str], dict[Any, str]] = {}


def choice_labels(model_field) -> dict[Any, str]:
    """A choice field's labels in the current language, translated once per process."""
    key = (model_field.model._meta.label, model_field.name, translation.get_language() or "")
    labels = _LABELS.get(key)
    if labels is None:
        labels = _LABELS[key] = {
            value: force_str(label) for value, label in model_field.flatchoices
        }
    return labels


def cell_html(value: Any) -> str:
    """What `{{ cell }}` makes of a value in a template: local time, localized, escaped.
    html.escape directly: Django's escape() and mark_safe() cost several times more per call
    (their lazy-string checks), which adds up over hundreds of cells."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    if not isinstance(value, str):
        value = str(localize(template_localtime(value)))
    return html.escape(value)


def fast_format_html(template: str, *args: Any) -> SafeString:
    """format_html() for cells: the same escaping and result, at a fraction of the cost."""
    return SafeString(template.format(*map(cell_html, args)))


class _CellRenderer:
    """Renders one column's <td> for each row, as django-tables2's BoundRow.get_cell and the
    table template would; columns it cannot vouch for go through django-tables2 itself."""

    def __init__(self, table: tables.Table, bound_column) -> None:
        self.table = table
        self.bound_column = bound_column
        self.name = bound_column.name
        column = bound_column.column
        self.fast = self._can_be_fast(column)
        if not self.fast:
            return
        self.td = bound_column.attrs["td"].as_html()
        self.accessor = bound_column.accessor
        self.empty_values = column.empty_values
        self.default = bound_column.default
        self.link = bound_column.link
        self.plain_link = isinstance(self.link, LinkTransform) and not self.link.attrs
        self.render = bound_column.render
        self.labels = self._labels(table, self.accessor)
        self.bits = tuple(self.accessor.bits)
        arguments, keywords = signature(self.render)
        self.wanted = CELL_ARGUMENTS if keywords else tuple(arguments)
        # call_with_appropriate calls nothing when an argument is unknown: the cell is None.
        self.callable = all(name in CELL_ARGUMENTS for name in self.wanted)
        # The arguments that are the same for every row.
        self.fixed = {
            name: value
            for name, value in (
                ("column", column),
                ("bound_column", bound_column),
                ("table", table),
            )
            if name in self.wanted
        }

    def _can_be_fast(self, column) -> bool:
        attrs = column.attrs.get("td", column.attrs.get("cell", {}))
        return not (
            column.localize is not None
            or callable(column.default)
            or isinstance(column, ManyToManyColumn | BaseLinkColumn)
            or any(callable(v) for v in {**self.table.attrs.get("td", {}), **attrs}.values())
        )

    @staticmethod
    def _labels(table, accessor) -> dict[Any, str] | None:
        model = table._meta.model
        if model is None:
            return None
        try:
            model_field = accessor.get_field(model)
        except FieldDoesNotExist:
            return None
        if model_field is None or not getattr(model_field, "choices", None):
            return None
        return choice_labels(model_field)

    def __call__(self, row) -> str:
        if not self.fast:  # django-tables2's own way, as the template did it
            bound_column = self.bound_column
            content = row.get_cell(self.name)
            bound_column.current_value, bound_column.current_record = content, row.record
            return f"<td {bound_column.attrs['td'].as_html()}>{cell_html(content)}</td>"
        record = row.record
        value = self._value(record)
        if self.labels is not None and isinstance(record, Model):
            with suppress(TypeError):  # an unhashable value has no label
                value = self.labels.get(value, value)
        if value in self.empty_values:
            return f"<td {self.td}>{cell_html(self.default)}</td>"
        if self.callable:
            arguments = dict(self.fixed)
            for name, given in (("value", value), ("record", record), ("bound_row", row)):
                if name in self.wanted:
                    arguments[name] = given
            content = self.render(**arguments)
        else:
            content = None
        if self.link:
            arguments = {
                "value": value,
                "record": record,
                "column": self.bound_column.column,
                "bound_column": self.bound_column,
                "bound_row": row,
                "table": self.table,
            }
            if self.plain_link:  # what LinkTransform makes, without its attribute machinery
                href = self.link.compose_url(**arguments)
                if href is not None:
                    content = fast_format_html('<a href="{}">{}</a>', href, content)
            else:
                content = self.link(content, **arguments)
        return f"<td {self.td}>{cell_html(content)}</td>"

    def _value(self, record) -> Any:
        """accessor.resolve(record, quiet=True): on a model instance, attributes that are no
        callables are read directly (resolve tries record[name] first, an exception per
        cell); anything else goes through resolve."""
        if isinstance(record, Model):
            current = record
            try:
                for bit in self.bits:
                    current = getattr(current, bit)
                    if callable(current):
                        break
                else:
                    return current
            except Exception:  # resolve() decides what a failed lookup gives
                pass
        return self.accessor.resolve(record, quiet=True)
