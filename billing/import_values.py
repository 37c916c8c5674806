"""Values in the statements finance uploads: amounts and dates as banks and carriers write
them, each read to a value or to the reason it cannot be."""

import hashlib
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from billing.models import MONEY

_LARGEST = Decimal(10) ** (MONEY["max_digits"] - MONEY["decimal_places"])
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def parse_amount(text: str, *, positive: bool) -> tuple[Decimal | None, str | None]:
    """`1,234.50`, `¥1234.5` or `-20` → Decimal; positive: more than 0, else 0 or more
    (negative only when the caller takes signed amounts, see parse_signed_amount)."""
    value, problem = parse_signed_amount(text)
    if problem or value is None:
        return None, problem
    if positive and value <= 0:
        return None, _("The amount %(value)s must be more than 0.") % {"value": text}
    if not positive and value < 0:
        return None, _("The amount %(value)s must not be negative.") % {"value": text}
    return value, None


def parse_signed_amount(text: str) -> tuple[Decimal | None, str | None]:
    cleaned = text.replace(",", "").replace("¥", "").replace("￥", "").replace(" ", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None, _("%(value)s is not an amount.") % {"value": text or "—"}
    if not value.is_finite():
        return None, _("%(value)s is not an amount.") % {"value": text}
    if abs(value) >= _LARGEST:
        return None, _("The amount %(value)s is too large.") % {"value": text}
    if value != value.quantize(Decimal("0.01")):
        return None, _("The amount %(value)s has more than two decimals.") % {"value": text}
    return value.quantize(Decimal("0.01")), None


def parse_date(text: str) -> tuple[date | None, str | None]:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).date(), None  # noqa: DTZ007 (a date)
        except ValueError:
            continue
    return None, _("%(value)s is not a date (YYYY-MM-DD).") % {"value": text or "—"}


def file_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def previous_import(model, text: str, **scope) -> str | None:
    """The message for a file imported before (recognised by its digest), else None."""
    previous = model.objects.filter(digest=file_digest(text), **scope).first()
    if previous is None:
        return None
    return _("This file was imported on %(date)s by %(user)s: nothing was written again.") % {
        "date": date_format(timezone.localtime(previous.created_at), "SHORT_DATETIME_FORMAT"),
        "user": previous.imported_by or "—",
    }
