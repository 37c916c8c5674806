"""Texts stored as codes with parameters and worded when read, in the reader's language.

What the system writes for people to read later (a note on an order's timeline, why an order
waits for review, an audit-log action) is stored without words: a code and its parameters,
JSON-safe, e.g. ``{"code": "work_order_done", "params": {"number": "WO-2026-000004"}}``.
Each app registers the words of its codes in families (`oms.registry.register_texts`); pages
and exports word them with `text_of` in the language active when they are made, with money,
numbers and dates formatted for that locale. So a note written by a Chinese user reads in
English for an English one. A code nobody registered (written by a newer version) shows as
the code, never as nothing. What people type (a hold reason, an approver's note) stays text.
"""

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.translation import pgettext

from oms.registry import AUDIT_ACTIONS, CodedText, registry
from oms.tables import format_money


def coded(code: str, **params: Any) -> dict[str, Any]:
    """A code with its parameters, ready for a JSON field: decimals and dates become strings
    (formatted only when read), lazy translations their text."""
    return {"code": str(code), "params": {k: _json(v) for k, v in params.items()}}


def _json(value: Any) -> Any:
    if isinstance(value, Decimal | Promise):
        return str(value)
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    return value


# --- formatting parameters for the reader ---------------------------------------------------


def money_text(value: Any) -> str:
    """A decimal string kept in a JSON field, formatted as money for the reader's locale."""
    try:
        return format_money(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


def number_text(value: Any) -> str:
    """A count or a decimal, grouped for the reader's locale (1,200)."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if number == number.to_integral_value() and number.as_tuple().exponent == 0:
        return number_format(int(number), force_grouping=True)
    return number_format(number, force_grouping=True)


def date_text(value: Any) -> str:
    day = value if isinstance(value, date) else parse_date(str(value))
    return date_format(day, "SHORT_DATE_FORMAT") if day else str(value)


def datetime_text(value: Any) -> str:
    moment = value if isinstance(value, datetime) else parse_datetime(str(value))
    if moment is None:
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return date_format(moment, "SHORT_DATETIME_FORMAT")


def list_text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return pgettext("list separator", ", ").join(str(v) for v in value)
    return str(value)


def role_text(value: Any) -> str:
    from oms.roles import ROLES

    role = ROLES.get(str(value))
    return str(role.label) if role else str(value)


FORMATS: dict[str, Callable[[Any], str]] = {
    "money": money_text,
    "number": number_text,
    "date": date_text,
    "datetime": datetime_text,
    "list": list_text,
    "role": role_text,
}


def _formatted(kind: str | Callable[[Any], str] | None, value: Any) -> str:
    if kind is None:
        return str(value)
    return (FORMATS[kind] if isinstance(kind, str) else kind)(value)


# --- reading --------------------------------------------------------------------------------


def text_of(family: str, entry: Mapping[str, Any] | None, *, fallback: str = "") -> str:
    """One stored code in the current language; `fallback` when there is no code (a row
    stored as text before codes)."""
    if not entry or not entry.get("code"):
        return fallback
    code = str(entry["code"])
    params = entry.get("params") or {}
    text: CodedText | None = registry.texts.get(family, {}).get(code)
    if text is None:
        return code
    if text.render is not None:
        return text.render(params)
    words = str(text.words)
    if "%(" not in words:
        return words
    try:
        # An empty parameter counts as missing: the fallback words it better.
        return words % {
            k: _formatted(text.params.get(k), v)
            for k, v in params.items()
            if v not in (None, "", [], ())
        }
    except (KeyError, TypeError, ValueError):
        return str(text.fallback) if text.fallback is not None else code


def texts_of(
    family: str, entries: Iterable[Mapping[str, Any]] | None, *, fallback: str = ""
) -> str:
    """Several codes in one line ("a; b"); `fallback` when there are none."""
    texts = [text_of(family, entry) for entry in entries or ()]
    return pgettext("list separator", "; ").join(texts) if texts else fallback


def labelled(label: Any, value: Any) -> str:
    """ "Credit limit: ¥5,000.00" in the reader's language (Chinese takes a full-width colon)."""
    return pgettext("label and value", "%(label)s: %(value)s") % {"label": label, "value": value}


def label_of(family: str, code: str) -> str:
    """A code without parameters (an audit action) as its label."""
    return text_of(family, {"code": code}, fallback="")


def audit_action_label(code: str) -> str:
    return label_of(AUDIT_ACTIONS, code)


def registered_codes(family: str) -> frozenset[str]:
    return frozenset(registry.texts.get(family, {}))
