from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import django_tables2 as tables
from django.conf import settings
from django.middleware.csrf import get_token
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from oms.registry import resolve_reference


def format_money(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{currency_symbol()}{number_format(value, decimal_pos=2, force_grouping=True)}"


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
        return number_format(value, force_grouping=True)


class ActiveColumn(tables.BooleanColumn):
    """A badge; exports yes/no like any boolean field."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("verbose_name", _("Active"))
        super().__init__(*args, **kwargs)

    def render(self, value, record, bound_column):
        label = _("Active") if value else _("Inactive")
        css = "text-bg-success" if value else "text-bg-secondary"
        return format_html('<span class="badge {}">{}</span>', css, label)


class BaseTable(tables.Table):
    class Meta:
        empty_text = _("Nothing matches these filters.")
        template_name = "oms/table.html"


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
    """A button in a table row: a link, or a POST form when `post` is set (an action view)."""

    label: Any
    permission: str
    url: Callable[[Any], str]
    icon: str = ""
    post: bool = False
    shown: Callable[[Any], bool] = lambda record: True


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
            return format_html(
                '<form method="post" action="{}" class="d-inline">'
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                '<button class="btn btn-sm btn-outline-primary" type="submit">{} {}</button></form>',
                action.url(record),
                get_token(request),
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
