"""Moving-average cost per product and warehouse (`StockLevel.average_cost`).

Each receipt carries a unit cost; under the stock row lock the receipt already holds, the new
average is (old quantity × old average + received quantity × unit cost) / (old quantity +
received quantity). Issues, negative adjustments and transfers out leave the average alone;
a transfer in arrives at the source's average; a returned parcel comes back at the cost it
left at (the shipment line's); found goods (a positive adjustment) at the current average.

A stock row whose cost was never known (`cost_known` False: stock that existed before costs
were kept and whose product had no standard cost) takes the first known receipt's cost
instead of averaging it with an unknown zero. Averages keep 4 decimal places, as unit costs
do in most ledgers; amounts (a shipment line's cost of goods) are rounded to the cent.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

UNIT = Decimal("0.0001")
CENT = Decimal("0.01")
MAX_UNIT_COST = Decimal("9999999999.9999")


def unit_cost(value: Decimal) -> Decimal:
    return value.quantize(UNIT, rounding=ROUND_HALF_UP)


def check_unit_cost(value: object) -> Decimal:
    """A receipt's unit cost: a Decimal of at least 0 with at most 4 decimal places."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValidationError({"unit_cost": _("Enter the unit cost as a number.")})
    if value < 0:
        raise ValidationError({"unit_cost": _("A unit cost cannot be negative.")})
    if value > MAX_UNIT_COST:
        raise ValidationError({"unit_cost": _("This unit cost is too large.")})
    if value != value.quantize(UNIT):
        raise ValidationError({"unit_cost": _("Enter a unit cost with at most 4 decimal places.")})
    return value


@dataclass(frozen=True)
class Cost:
    average: Decimal
    known: bool


def moving_average(*, on_hand: int, current: Cost, quantity: int, cost: Decimal) -> Cost:
    """The average after `quantity` units at `cost` join `on_hand` units at `current`."""
    if quantity <= 0:
        return current
    if on_hand <= 0 or not current.known:
        return Cost(unit_cost(cost), True)
    total = Decimal(on_hand) * current.average + Decimal(quantity) * cost
    return Cost(unit_cost(total / Decimal(on_hand + quantity)), True)


def amount(cost: Decimal, quantity: int) -> Decimal:
    """The cost of `quantity` units at `cost`, to the cent."""
    return (cost * quantity).quantize(CENT, rounding=ROUND_HALF_UP)
