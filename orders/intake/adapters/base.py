"""What every platform adapter shares: the error it raises and the readers of a payload's
values (text, money, quantities), strict enough that a bad payload fails with a reason and
never turns into a wrong order."""

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
MAX_QUANTITY = 100_000
MAX_MONEY = Decimal("1000000000")


# What can be wrong with a payload: a stable code, worded when read (in the reader's language;
# an inbound delivery stores the code and its parameters).
PAYLOAD_PROBLEMS: dict[str, Any] = {
    "not_object": _("The payload is not a JSON object."),
    "no_object": _("The payload has no %(field)s object."),
    "no_list": _("The payload has no %(field)s list."),
    "not_objects": _("Every entry of %(field)s must be an object."),
    "missing": _("The payload has no %(field)s."),
    "not_text": _("%(field)s must be text."),
    "not_amount": _("%(field)s must be an amount."),
    "decimals": _("%(field)s has more than two decimals."),
    "not_quantity": _("%(field)s must be a whole number from 1 to %(max)s."),
    "discount_over_line": _("A line's discount is more than the line."),
    "not_rate": _("A tax rate must be a number."),
    "not_list": _("%(field)s must be a list."),
    "no_price": _("A line has neither price nor subtotal."),
    "no_adapter": _("No adapter reads orders of channel kind %(kind)s."),
}


def payload_problem_text(problem: str, params: Mapping[str, Any]) -> str:
    """One payload problem in the current language (the code itself when unknown)."""
    words = PAYLOAD_PROBLEMS.get(problem)
    if words is None:
        return problem
    try:
        return str(words) % dict(params) if "%(" in str(words) else str(words)
    except (KeyError, TypeError, ValueError):
        return problem


class BadPayload(ValueError):
    """The payload is not the platform's order: `problem` (a PAYLOAD_PROBLEMS code) and its
    parameters say what is wrong; str() words it in the current language."""

    def __init__(self, problem: str, **params: Any) -> None:
        self.problem, self.params = problem, params
        super().__init__(problem)

    def __str__(self) -> str:
        return payload_problem_text(self.problem, self.params)


def obj(payload: Any, key: str) -> Mapping:
    value = payload.get(key) if isinstance(payload, Mapping) else None
    if not isinstance(value, Mapping):
        raise BadPayload("no_object", field=key)
    return value


def optional_obj(payload: Mapping, key: str) -> Mapping:
    value = payload.get(key)
    return value if isinstance(value, Mapping) else {}


def items(payload: Any, key: str) -> list[Mapping]:
    value = payload.get(key) if isinstance(payload, Mapping) else None
    if not isinstance(value, list) or not value:
        raise BadPayload("no_list", field=key)
    if not all(isinstance(item, Mapping) for item in value):
        raise BadPayload("not_objects", field=key)
    return value


def text(payload: Mapping, key: str, *, required: bool = False, limit: int = 250) -> str:
    value = payload.get(key)
    if value is None or value == "":
        if required:
            raise BadPayload("missing", field=key)
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadPayload("not_text", field=key)
    return str(value).strip()[:limit]


def money(payload: Mapping, key: str, *, required: bool = False) -> Decimal | None:
    value = payload.get(key)
    if value is None or value == "":
        if required:
            raise BadPayload("missing", field=key)
        return None
    return amount(value, key)


def amount(value: Any, key: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BadPayload("not_amount", field=key)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise BadPayload("not_amount", field=key) from None
    if not number.is_finite() or number < 0 or number > MAX_MONEY:
        raise BadPayload("not_amount", field=key)
    if number != number.quantize(CENT):
        raise BadPayload("decimals", field=key)
    return number.quantize(CENT)


def quantity(payload: Mapping, key: str) -> int:
    value = payload.get(key)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_QUANTITY:
        raise BadPayload("not_quantity", field=key, max=MAX_QUANTITY)
    return value


def discounted(price: Decimal, count: int, discount: Decimal) -> tuple[Decimal, Decimal]:
    """A line's unit price and discount percent for a discount amount on the whole line:
    a percent when it is exact to two places, else a lower unit price when that is exact to
    the cent, else the percent to two places (the nearest the order's lines can hold)."""
    if not discount:
        return price, Decimal(0)
    gross = price * count
    if discount > gross:
        raise BadPayload("discount_over_line")
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
        raise BadPayload("not_rate") from None
    if not number.is_finite() or not 0 <= number < 1:
        raise BadPayload("not_rate")
    return (number * HUNDRED).normalize()
