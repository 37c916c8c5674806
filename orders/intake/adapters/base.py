"""What every platform adapter shares: the error it raises and the readers of a payload's
values (text, money, quantities), strict enough that a bad payload fails with a reason and
never turns into a wrong order."""

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
MAX_QUANTITY = 100_000
MAX_MONEY = Decimal("1000000000")


class BadPayload(ValueError):
    """The payload is not the platform's order: the message says what is wrong."""


def obj(payload: Any, key: str) -> Mapping:
    value = payload.get(key) if isinstance(payload, Mapping) else None
    if not isinstance(value, Mapping):
        raise BadPayload(_("The payload has no %(field)s object.") % {"field": key})
    return value


def optional_obj(payload: Mapping, key: str) -> Mapping:
    value = payload.get(key)
    return value if isinstance(value, Mapping) else {}


def items(payload: Any, key: str) -> list[Mapping]:
    value = payload.get(key) if isinstance(payload, Mapping) else None
    if not isinstance(value, list) or not value:
        raise BadPayload(_("The payload has no %(field)s list.") % {"field": key})
    if not all(isinstance(item, Mapping) for item in value):
        raise BadPayload(_("Every entry of %(field)s must be an object.") % {"field": key})
    return value


def text(payload: Mapping, key: str, *, required: bool = False, limit: int = 250) -> str:
    value = payload.get(key)
    if value is None or value == "":
        if required:
            raise BadPayload(_("The payload has no %(field)s.") % {"field": key})
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadPayload(_("%(field)s must be text.") % {"field": key})
    return str(value).strip()[:limit]


def money(payload: Mapping, key: str, *, required: bool = False) -> Decimal | None:
    value = payload.get(key)
    if value is None or value == "":
        if required:
            raise BadPayload(_("The payload has no %(field)s.") % {"field": key})
        return None
    return amount(value, key)


def amount(value: Any, key: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BadPayload(_("%(field)s must be an amount.") % {"field": key})
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise BadPayload(_("%(field)s must be an amount.") % {"field": key}) from None
    if not number.is_finite() or number < 0 or number > MAX_MONEY:
        raise BadPayload(_("%(field)s must be an amount.") % {"field": key})
    if number != number.quantize(CENT):
        raise BadPayload(_("%(field)s has more than two decimals.") % {"field": key})
    return number.quantize(CENT)


def quantity(payload: Mapping, key: str) -> int:
    value = payload.get(key)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_QUANTITY:
        raise BadPayload(
            _("%(field)s must be a whole number from 1 to %(max)s.")
            % {"field": key, "max": MAX_QUANTITY}
        )
    return value


def discounted(price: Decimal, count: int, discount: Decimal) -> tuple[Decimal, Decimal]:
    """A line's unit price and discount percent for a discount amount on the whole line:
    a percent when it is exact to two places, else a lower unit price when that is exact to
    the cent, else the percent to two places (the nearest the order's lines can hold)."""
    if not discount:
        return price, Decimal(0)
    gross = price * count
    if discount > gross:
        raise BadPayload(_("A line's discount is more than the line."))
    percent = discount * HUNDRED / gross
    if percent == percent.quantize(CENT):
        return price, percent.quantize(CENT)
    per_unit = discount / count
    if per_unit == per_unit.quantize(CENT):
        return (price - per_unit).quantize(CENT), Decimal(0)
    return price, percent.quantize(CENT, rounding=ROUND_HALF_UP)


def rate_percent(value: Any) -> Decimal | None:
    """A tax rate given as a fraction (0.13) as the percentage SentLine takes (13)."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise BadPayload(_("A tax rate must be a number.")) from None
    if not number.is_finite() or not 0 <= number < 1:
        raise BadPayload(_("A tax rate must be a number."))
    return (number * HUNDRED).normalize()
