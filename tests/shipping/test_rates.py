"""The rate engine with worked examples: every figure below is checked by hand."""

from decimal import Decimal as D

import pytest

from shipping.rates import (
    CodRule,
    Parcel,
    RateTerms,
    chargeable_weight,
    cod_fee,
    insurance_fee,
    quote,
    volumetric_weight,
)

# 首重 1 kg for 12.00, then 续重 0.5 kg steps at 3.00 each.
HALF_KILO = RateTerms(
    first_weight_kg=D("1"), first_fee=D("12.00"), step_kg=D("0.5"), step_fee=D("3.00")
)
COD = CodRule(fixed_fee=D("3"), fixed_up_to=D("1000"), percent=D("1"), cap=D("50"))


@pytest.mark.parametrize(
    ("weight", "chargeable", "steps"),
    [
        ("0.001", "1", 0),  # anything up to the first weight pays the first weight
        ("1", "1", 0),
        ("1.001", "1.5", 1),  # a gram over: one whole step
        ("1.5", "1.5", 1),
        ("1.501", "2", 2),
        ("10.2", "10.5", 19),
    ],
)
def test_chargeable_weight_rounds_up_to_the_step(weight, chargeable, steps):
    assert chargeable_weight(D(weight), HALF_KILO) == (D(chargeable), steps)


def test_volumetric_weight_is_volume_over_the_divisor_rounded_up_to_the_gram():
    parcel = Parcel(D("1"), D("40"), D("30"), D("20"))  # 24,000 cm³
    assert volumetric_weight(parcel, 6000) == D("4.000")
    assert volumetric_weight(parcel, 8000) == D("3.000")
    assert volumetric_weight(parcel, 12000) == D("2.000")
    assert volumetric_weight(Parcel(D("1"), D("10"), D("10"), D("10")), 6000) == D("0.167")
    # Not measured: no volumetric weight.
    assert volumetric_weight(Parcel(D("1"), D("40"), None, D("20")), 6000) == 0


def test_a_light_bulky_parcel_pays_its_volumetric_weight():
    # 2 kg actual, 50×40×30 cm = 60,000 cm³ / 6000 = 10 kg: 1 kg + 18 steps of 0.5 kg.
    result = quote(Parcel(D("2"), D("50"), D("40"), D("30")), HALF_KILO, divisor=6000)
    assert result.volumetric_kg == D("10.000")
    assert result.chargeable_kg == D("10.0")
    assert result.steps == 18
    assert result.freight == D("66.00")  # 12 + 18 × 3
    # With a larger divisor the same box weighs 5 kg: 12 + 8 × 3.
    assert quote(Parcel(D("2"), D("50"), D("40"), D("30")), HALF_KILO, divisor=12000).freight == (
        D("36.00")
    )


def test_a_heavy_small_parcel_pays_its_actual_weight():
    result = quote(Parcel(D("3.2"), D("10"), D("10"), D("10")), HALF_KILO, divisor=6000)
    assert result.chargeable_kg == D("3.5")
    assert result.freight == D("27.00")  # 12 + 5 × 3


@pytest.mark.parametrize(
    ("amount", "fee"),
    [
        ("0", "0"),  # no cash to collect, no fee
        ("0.01", "3.00"),
        ("1000", "3.00"),  # the fixed fee up to and including the amount
        ("1000.01", "10.00"),  # then 1 %
        ("2500", "25.00"),
        ("5000", "50.00"),  # at the cap
        ("90000", "50.00"),  # capped
    ],
)
def test_cod_fee_is_fixed_then_a_capped_percentage(amount, fee):
    assert cod_fee(D(amount), COD) == D(fee)


def test_cod_fee_never_drops_below_the_fixed_fee_and_without_cap_is_a_plain_percentage():
    low = CodRule(fixed_fee=D("8"), fixed_up_to=D("100"), percent=D("1"), cap=D("0"))
    assert cod_fee(D("200"), low) == D("8.00")  # 1 % = 2.00 < the fixed fee
    assert cod_fee(D("123456"), low) == D("1234.56")  # no cap


def test_insurance_is_a_rate_of_the_declared_value_with_a_minimum():
    terms = RateTerms(
        D("1"), D("10"), D("1"), D("2"), insurance_percent=D("0.5"), insurance_minimum=D("2")
    )
    assert insurance_fee(D("0"), terms) == 0  # nothing declared: not insured
    assert insurance_fee(D("100"), terms) == D("2.00")  # 0.50 < the minimum
    assert insurance_fee(D("1234.50"), terms) == D("6.17")  # 6.1725, half up


def test_a_full_quote_adds_every_fee():
    terms = RateTerms(
        first_weight_kg=D("1"),
        first_fee=D("23"),
        step_kg=D("1"),
        step_fee=D("8"),
        remote_surcharge=D("10"),
        cod=COD,
        insurance_percent=D("0.5"),
        insurance_minimum=D("1"),
    )
    parcel = Parcel(
        D("2.4"), D("30"), D("20"), D("20"), declared_value=D("1500"), cod_amount=D("1500")
    )
    result = quote(parcel, terms, divisor=6000)
    # 12,000 cm³ / 6000 = 2 kg < 2.4 kg actual → 3 kg: 23 + 2 × 8 = 39.
    assert (result.chargeable_kg, result.freight) == (D("3"), D("39.00"))
    assert result.remote_surcharge == D("10.00")
    assert result.cod_fee == D("15.00")  # 1 % of 1500
    assert result.insurance_fee == D("7.50")  # 0.5 % of 1500
    assert result.total == D("71.50")
    # A carrier without insurance leaves it out.
    assert quote(parcel, terms, divisor=6000, insure=False).total == D("64.00")
