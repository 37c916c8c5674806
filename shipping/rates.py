"""The rate engine: what a carrier service charges for a parcel, worked out from one rate
card row. Pure functions on Decimals (no database, no clock), so every figure can be checked
by hand.

Chargeable weight is the larger of the actual weight and the volumetric weight
(L × W × H in cm / the service's divisor), rounded up: to the first weight (首重) when below
it, else to the next additional-weight step (续重) above it. Freight is the first-weight fee
plus one step fee per step. A remote destination adds a surcharge; cash on delivery costs a
fixed fee up to an amount, then a percentage of the amount with a cap; insurance is a rate of
the declared value with a minimum.
"""

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
CENT = Decimal("0.01")
GRAM = Decimal("0.001")
HUNDRED = Decimal(100)


def plain(value: Decimal) -> str:
    """A figure as people write it: 30 not 3E+1, 0.5 not 0.500."""
    return f"{value.normalize():f}"


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Parcel:
    """What is weighed and measured; dimensions in cm (None: not measured)."""

    weight_kg: Decimal
    length_cm: Decimal | None = None
    width_cm: Decimal | None = None
    height_cm: Decimal | None = None
    declared_value: Decimal = ZERO
    cod_amount: Decimal = ZERO


@dataclass(frozen=True)
class CodRule:
    """Cash on delivery: `fixed_fee` for amounts up to `fixed_up_to`, above that `percent` of
    the amount, at most `cap` (a cap of zero: no cap) and never less than the fixed fee."""

    fixed_fee: Decimal = ZERO
    fixed_up_to: Decimal = ZERO
    percent: Decimal = ZERO
    cap: Decimal = ZERO


@dataclass(frozen=True)
class RateTerms:
    """One rate card row's prices; a remote destination's row carries its surcharge."""

    first_weight_kg: Decimal
    first_fee: Decimal
    step_kg: Decimal
    step_fee: Decimal
    remote_surcharge: Decimal = ZERO
    cod: CodRule = CodRule()
    insurance_percent: Decimal = ZERO
    insurance_minimum: Decimal = ZERO


@dataclass(frozen=True)
class Quote:
    actual_kg: Decimal
    volumetric_kg: Decimal
    chargeable_kg: Decimal
    steps: int
    freight: Decimal
    remote_surcharge: Decimal
    cod_fee: Decimal
    insurance_fee: Decimal

    @property
    def total(self) -> Decimal:
        return self.freight + self.remote_surcharge + self.cod_fee + self.insurance_fee


def volumetric_weight(parcel: Parcel, divisor: int) -> Decimal:
    """L × W × H / divisor in kg, to the gram (up); zero when a dimension is missing."""
    sides = (parcel.length_cm, parcel.width_cm, parcel.height_cm)
    if divisor <= 0 or any(side is None for side in sides):
        return ZERO
    length, width, height = (Decimal(side) for side in sides)  # type: ignore[arg-type]
    return (length * width * height / divisor).quantize(GRAM, rounding=ROUND_CEILING)


def chargeable_weight(weight_kg: Decimal, terms: RateTerms) -> tuple[Decimal, int]:
    """(chargeable kg, additional steps): up to the first weight, or the next step above."""
    if weight_kg <= terms.first_weight_kg:
        return terms.first_weight_kg, 0
    steps = int(
        ((weight_kg - terms.first_weight_kg) / terms.step_kg).to_integral_value(
            rounding=ROUND_CEILING
        )
    )
    return terms.first_weight_kg + steps * terms.step_kg, steps


def cod_fee(amount: Decimal, rule: CodRule) -> Decimal:
    if amount <= ZERO:
        return ZERO
    if amount <= rule.fixed_up_to:
        return money(rule.fixed_fee)
    fee = amount * rule.percent / HUNDRED
    if rule.cap > ZERO:
        fee = min(fee, rule.cap)
    return money(max(fee, rule.fixed_fee))


def insurance_fee(declared_value: Decimal, terms: RateTerms) -> Decimal:
    if declared_value <= ZERO or terms.insurance_percent <= ZERO:
        return ZERO
    return money(max(declared_value * terms.insurance_percent / HUNDRED, terms.insurance_minimum))


def quote(
    parcel: Parcel,
    terms: RateTerms,
    *,
    divisor: int,
    insure: bool = True,
) -> Quote:
    """Every fee of sending `parcel` on these terms."""
    volumetric = volumetric_weight(parcel, divisor)
    chargeable, steps = chargeable_weight(max(parcel.weight_kg, volumetric), terms)
    return Quote(
        actual_kg=parcel.weight_kg,
        volumetric_kg=volumetric,
        chargeable_kg=chargeable,
        steps=steps,
        freight=money(terms.first_fee + steps * terms.step_fee),
        remote_surcharge=money(terms.remote_surcharge),
        cod_fee=cod_fee(parcel.cod_amount, terms.cod),
        insurance_fee=insurance_fee(parcel.declared_value, terms) if insure else ZERO,
    )
