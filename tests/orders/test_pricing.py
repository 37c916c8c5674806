"""Unit tests for the pure pricing functions (orders.pricing) and the money rounding helper.

No database: only the rounding mode comes from settings (OMS_ROUNDING). Every expected amount
is worked out by hand in the comments next to it.
"""

import decimal
from datetime import date, timedelta
from decimal import Decimal

import pytest

from oms.money import CENT, ZERO, round_money, rounding_mode
from orders.pricing import (
    LineInput,
    PriceBreak,
    PricedLine,
    PricingError,
    PromotionRule,
    ShippingRuleData,
    Totals,
    chosen_promotions,
    order_totals,
    price_line,
    promotion_applies,
    shipping_fee,
    unit_price_for,
)

D = Decimal
HALF_UP = decimal.ROUND_HALF_UP
DOWN = decimal.ROUND_DOWN
OTHER_MODE = {HALF_UP: DOWN, DOWN: HALF_UP}

TODAY = date(2024, 6, 15)
PROMO_START = date(2024, 6, 10)
PROMO_END = date(2024, 6, 20)

PRODUCT = 1
CATEGORY = 10

MONEY_FIELDS = (
    "gross_amount",
    "promotion_discount",
    "manual_discount",
    "net_amount",
    "tax_amount",
    "line_total",
)


@pytest.fixture(autouse=True)
def half_up_by_default(settings):
    """Pin the mode so the environment's OMS_ROUNDING cannot change the results."""
    settings.OMS_ROUNDING = HALF_UP


# --- helpers -------------------------------------------------------------------------------


# The VAT rates the demo data ships (inventory's tax classes); pricing takes them as data.
TAX_RATES = {
    "standard": D("0.13"),
    "reduced": D("0.09"),
    "services": D("0.06"),
    "exempt": D("0"),
}


def assert_money(value, expected: str) -> None:
    assert isinstance(value, Decimal)
    assert value == D(expected)
    assert value.as_tuple().exponent == -2, f"{value!r} is not rounded to cents"


def make_line(
    *,
    quantity: int = 1,
    tax_class: str = "standard",
    product_id: int = PRODUCT,
    category_id: int | None = CATEGORY,
    discount: str = "0",
    weight: str = "0",
) -> LineInput:
    return LineInput(
        product_id=product_id,
        quantity=quantity,
        tax_class=tax_class,
        category_id=category_id,
        discount_percent=D(discount),
        weight_kg=D(weight),
    )


def promo(
    id: int,
    kind: str,
    value: str,
    *,
    scope: str = "all",
    starts_on: date = PROMO_START,
    ends_on: date = PROMO_END,
    stackable: bool = False,
    name: str | None = None,
    **kwargs,
) -> PromotionRule:
    return PromotionRule(
        id=id,
        name=name or f"{kind} {value} #{id}",
        kind=kind,
        value=D(value),
        scope=scope,
        starts_on=starts_on,
        ends_on=ends_on,
        stackable=stackable,
        **kwargs,
    )


def price(
    line: LineInput,
    unit_price: str,
    *,
    promotions=(),
    customer_tier: str = "",
    on: date = TODAY,
    incl: bool = False,
    rounding: str | None = None,
) -> PricedLine:
    return price_line(
        line,
        unit_price=D(unit_price),
        promotions=promotions,
        customer_tier=customer_tier,
        on=on,
        prices_include_tax=incl,
        tax_rates=TAX_RATES,
        rounding=rounding,
    )


def assert_line(priced: PricedLine, **expected: str) -> None:
    for name, value in expected.items():
        assert_money(getattr(priced, name), value)


def rule(id: int, region: str, max_kg: str | None, base: str, **kwargs) -> ShippingRuleData:
    return ShippingRuleData(
        id=id,
        region=region,
        max_weight_kg=None if max_kg is None else D(max_kg),
        base_fee=D(base),
        **kwargs,
    )


# --- oms.money -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "mode", "expected"),
    [
        ("1.005", HALF_UP, "1.01"),  # the half cent goes up
        ("1.005", DOWN, "1.00"),  # truncated
        ("1.004", HALF_UP, "1.00"),
        ("1.0099", DOWN, "1.00"),
        ("-1.005", HALF_UP, "-1.01"),  # away from zero
        ("-1.005", DOWN, "-1.00"),  # towards zero
        ("2.665", decimal.ROUND_HALF_EVEN, "2.66"),
        ("2.675", decimal.ROUND_HALF_EVEN, "2.68"),
        ("3", HALF_UP, "3.00"),  # integers get two places
        ("0", DOWN, "0.00"),
    ],
)
def test_round_money_with_explicit_mode(value, mode, expected):
    assert_money(round_money(D(value), mode), expected)


@pytest.mark.parametrize(("mode", "expected"), [(HALF_UP, "1.01"), (DOWN, "1.00")])
def test_round_money_takes_the_mode_from_settings(settings, mode, expected):
    settings.OMS_ROUNDING = mode
    assert rounding_mode() == mode
    assert_money(round_money(D("1.005")), expected)


def test_round_money_explicit_mode_beats_settings(settings):
    settings.OMS_ROUNDING = DOWN
    assert_money(round_money(D("1.005"), HALF_UP), "1.01")


def test_rounding_mode_defaults_to_half_up(settings):
    del settings.OMS_ROUNDING
    assert rounding_mode() == HALF_UP
    assert_money(round_money(D("0.125")), "0.13")


@pytest.mark.parametrize("bad", ["HALF_UP", "round_down", "ROUND_SIDEWAYS", ""])
def test_rounding_mode_rejects_unknown_modes(settings, bad):
    settings.OMS_ROUNDING = bad
    with pytest.raises(ValueError, match="OMS_ROUNDING"):
        rounding_mode()


def test_money_constants():
    assert D("0.01") == CENT
    assert ZERO == 0
    assert ZERO.as_tuple().exponent == -2


# --- quantity breaks -----------------------------------------------------------------------

BREAKS = [PriceBreak(1, D("10.00")), PriceBreak(10, D("9.50")), PriceBreak(50, D("8.75"))]


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        (1, "10.00"),  # exactly at the first break
        (9, "10.00"),  # just below the second
        (10, "9.50"),  # exactly at the second
        (11, "9.50"),  # between breaks
        (49, "9.50"),
        (50, "8.75"),  # exactly at the highest
        (10_000, "8.75"),  # far above the highest
    ],
)
@pytest.mark.parametrize("order", ["sorted", "reversed", "shuffled"])
def test_unit_price_for_picks_the_highest_break_reached(quantity, expected, order):
    breaks = {
        "sorted": BREAKS,
        "reversed": BREAKS[::-1],
        "shuffled": [BREAKS[1], BREAKS[2], BREAKS[0]],
    }[order]
    result = unit_price_for(breaks, quantity)
    assert isinstance(result, Decimal)
    assert result == D(expected)


@pytest.mark.parametrize("quantity", [1, 4])
def test_unit_price_for_below_the_first_break_raises(quantity):
    breaks = [PriceBreak(5, D("3.00")), PriceBreak(20, D("2.50"))]
    with pytest.raises(PricingError, match="no price"):
        unit_price_for(breaks, quantity)


def test_unit_price_for_without_breaks_raises():
    with pytest.raises(PricingError):
        unit_price_for([], 3)


def test_unit_price_for_accepts_a_generator():
    assert unit_price_for((b for b in BREAKS), 12) == D("9.50")


@pytest.mark.parametrize("quantity", [0, -1, -50])
def test_unit_price_for_rejects_non_positive_quantity(quantity):
    with pytest.raises(PricingError, match="at least 1"):
        unit_price_for(BREAKS, quantity)


# --- price_line: validation ----------------------------------------------------------------


def test_pricing_error_is_a_value_error():
    assert issubclass(PricingError, ValueError)


@pytest.mark.parametrize("quantity", [0, -1, -10])
def test_price_line_rejects_non_positive_quantity(quantity):
    with pytest.raises(PricingError, match="at least 1"):
        price(make_line(quantity=quantity), "10.00")


@pytest.mark.parametrize("discount", ["-0.01", "-100", "100.01", "150"])
def test_price_line_rejects_discount_outside_0_to_100(discount):
    with pytest.raises(PricingError, match="discount"):
        price(make_line(discount=discount), "10.00")


@pytest.mark.parametrize(
    ("discount", "total"),
    [
        ("0", "11.30"),  # 10.00 + 13% = 11.30
        ("100", "0.00"),  # both ends of 0..100 are allowed
    ],
)
def test_price_line_accepts_discount_at_both_ends(discount, total):
    assert_money(price(make_line(discount=discount), "10.00").line_total, total)


@pytest.mark.parametrize("tax_class", ["luxury", "", "Standard", "zero"])
def test_price_line_rejects_unknown_tax_class(tax_class):
    with pytest.raises(PricingError, match="tax class"):
        price(make_line(tax_class=tax_class), "10.00")


def test_price_line_takes_the_rate_it_is_given():
    priced = price_line(
        make_line(),
        unit_price=D("100.00"),
        on=TODAY,
        prices_include_tax=False,
        tax_rates={"standard": D("0.17")},
    )
    assert_line(priced, tax_amount="17.00", line_total="117.00")


# --- price_line: tax by class, inclusive and exclusive -------------------------------------


@pytest.mark.parametrize(
    ("tax_class", "incl", "unit", "net", "tax", "total"),
    [
        # exclusive: tax = round(net × rate), total = net + tax
        ("standard", False, "100.00", "100.00", "13.00", "113.00"),
        ("reduced", False, "100.00", "100.00", "9.00", "109.00"),
        ("services", False, "100.00", "100.00", "6.00", "106.00"),
        ("exempt", False, "100.00", "100.00", "0.00", "100.00"),
        # inclusive, round trips: 113.00 × 0.13 / 1.13 = 13.00 and so on
        ("standard", True, "113.00", "100.00", "13.00", "113.00"),
        ("reduced", True, "109.00", "100.00", "9.00", "109.00"),
        ("services", True, "106.00", "100.00", "6.00", "106.00"),
        ("exempt", True, "100.00", "100.00", "0.00", "100.00"),
        # inclusive, extracted: tax = round(amount × rate / (1 + rate)), net = amount − tax
        # 100 × 0.13 / 1.13 = 11.5044… → 11.50; 100 − 11.50 = 88.50
        ("standard", True, "100.00", "88.50", "11.50", "100.00"),
        # 100 × 0.09 / 1.09 = 8.2568… → 8.26; 100 − 8.26 = 91.74
        ("reduced", True, "100.00", "91.74", "8.26", "100.00"),
        # 100 × 0.06 / 1.06 = 5.6603… → 5.66; 100 − 5.66 = 94.34
        ("services", True, "100.00", "94.34", "5.66", "100.00"),
    ],
)
def test_tax_by_class(tax_class, incl, unit, net, tax, total):
    priced = price(make_line(tax_class=tax_class), unit, incl=incl)
    assert priced.tax_rate == TAX_RATES[tax_class]
    assert_line(priced, gross_amount=unit, net_amount=net, tax_amount=tax, line_total=total)
    assert priced.net_amount + priced.tax_amount == priced.line_total


def test_tax_is_computed_on_the_line_not_per_unit():
    # 3 × 0.35 = 1.05 exclusive standard; 1.05 × 0.13 = 0.1365 → 0.14 (per unit it would be
    # 0.35 × 0.13 = 0.0455 → 0.05, × 3 = 0.15)
    priced = price(make_line(quantity=3), "0.35")
    assert_line(priced, gross_amount="1.05", tax_amount="0.14", line_total="1.19")


# --- half cents: HALF_UP versus DOWN -------------------------------------------------------

HALF_CENT_CASES = [
    # (tax class, inclusive, unit, quantity, HALF_UP (tax, net, total), DOWN (tax, net, total))
    # 10.50 × 0.13 = 1.365
    ("standard", False, "10.50", 1, ("1.37", "10.50", "11.87"), ("1.36", "10.50", "11.86")),
    # 2 × 6.25 = 12.50; 12.50 × 0.09 = 1.125
    ("reduced", False, "6.25", 2, ("1.13", "12.50", "13.63"), ("1.12", "12.50", "13.62")),
    # 12.25 × 0.06 = 0.735
    ("services", False, "12.25", 1, ("0.74", "12.25", "12.99"), ("0.73", "12.25", "12.98")),
    # 0.05 × 0.13 = 0.0065
    ("standard", False, "0.05", 1, ("0.01", "0.05", "0.06"), ("0.00", "0.05", "0.05")),
    # 1.00 × 0.13 / 1.13 = 0.11504… → 0.12 / 0.11, net 0.88 / 0.89
    ("standard", True, "1.00", 1, ("0.12", "0.88", "1.00"), ("0.11", "0.89", "1.00")),
    # 2.00 × 0.09 / 1.09 = 0.16513… → 0.17 / 0.16
    ("reduced", True, "1.00", 2, ("0.17", "1.83", "2.00"), ("0.16", "1.84", "2.00")),
    # 1.00 × 0.06 / 1.06 = 0.05660… → 0.06 / 0.05
    ("services", True, "1.00", 1, ("0.06", "0.94", "1.00"), ("0.05", "0.95", "1.00")),
    # exempt: nothing to round either way
    ("exempt", False, "10.55", 1, ("0.00", "10.55", "10.55"), ("0.00", "10.55", "10.55")),
]


@pytest.mark.parametrize(("tax_class", "incl", "unit", "qty", "half_up", "down"), HALF_CENT_CASES)
@pytest.mark.parametrize("mode", [HALF_UP, DOWN])
@pytest.mark.parametrize("via", ["settings", "argument"])
def test_half_cent_tax_rounding(settings, via, mode, tax_class, incl, unit, qty, half_up, down):
    if via == "settings":
        settings.OMS_ROUNDING = mode
        rounding = None
    else:
        settings.OMS_ROUNDING = OTHER_MODE[mode]  # the argument must win over the setting
        rounding = mode
    tax, net, total = half_up if mode == HALF_UP else down
    priced = price(make_line(quantity=qty, tax_class=tax_class), unit, incl=incl, rounding=rounding)
    assert_line(priced, tax_amount=tax, net_amount=net, line_total=total)


@pytest.mark.parametrize("mode", [HALF_UP, DOWN])
def test_manual_discount_that_rounds_the_same_either_way(mode):
    # 25% of 20.00 = 5.00 exactly → 15.00 in both modes, tax-exempt
    priced = price(make_line(tax_class="exempt", discount="25"), "20.00", rounding=mode)
    assert_line(priced, manual_discount="5.00", net_amount="15.00", line_total="15.00")


def test_half_up_manual_discount_off_the_half_cent():
    # 25% of 19.99 = 4.9975 → 5.00 → 14.99 (rounded once: 14.9925 → 14.99, the same)
    priced = price(make_line(tax_class="exempt", discount="25"), "19.99", rounding=HALF_UP)
    assert_line(priced, manual_discount="5.00", net_amount="14.99", line_total="14.99")


# --- promotions: dates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "applies"),
    [
        (PROMO_START - timedelta(days=1), False),  # the day before
        (PROMO_START, True),  # starts_on counts
        (TODAY, True),
        (PROMO_END, True),  # ends_on counts
        (PROMO_END + timedelta(days=1), False),  # the day after
    ],
)
def test_promotion_date_edges(on, applies):
    p = promo(1, "percent", "10")
    assert promotion_applies(p, make_line(), "", on) is applies
    priced = price(make_line(), "50.00", promotions=[p], on=on)
    # 10% of 50.00 = 5.00 → 45.00; 45.00 × 1.13 = 50.85
    assert_line(priced, net_amount="45.00" if applies else "50.00")
    assert_line(priced, line_total="50.85" if applies else "56.50")
    assert priced.promotions == ((p.name,) if applies else ())


@pytest.mark.parametrize(("offset", "applies"), [(-1, False), (0, True), (1, False)])
def test_one_day_promotion(offset, applies):
    day = date(2024, 2, 29)
    p = promo(1, "fixed", "1.00", starts_on=day, ends_on=day)
    assert promotion_applies(p, make_line(), "", day + timedelta(days=offset)) is applies


def test_an_expired_better_promotion_neither_wins_nor_blocks():
    expired = promo(1, "percent", "50", ends_on=TODAY - timedelta(days=1))
    current = promo(2, "percent", "10")
    priced = price(make_line(), "20.00", promotions=[expired, current])
    # only the 10%: 20.00 − 2.00 = 18.00
    assert priced.promotions == (current.name,)
    assert_line(priced, promotion_discount="2.00", net_amount="18.00")


# --- promotions: scope ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scope", "fields", "line_kwargs", "tier", "applies"),
    [
        ("all", {}, {}, "", True),
        ("all", {}, {"category_id": None}, "gold", True),
        ("product", {"product_id": PRODUCT}, {}, "", True),
        ("product", {"product_id": 2}, {}, "", False),
        ("product", {}, {}, "", False),  # no product set on the promotion
        ("category", {"category_id": CATEGORY}, {}, "", True),
        ("category", {"category_id": 11}, {}, "", False),
        ("category", {"category_id": CATEGORY}, {"category_id": None}, "", False),
        ("category", {}, {"category_id": None}, "", False),  # None must not match None
        ("tier", {"customer_tier": "gold"}, {}, "gold", True),
        ("tier", {"customer_tier": "gold"}, {}, "silver", False),
        ("tier", {"customer_tier": "gold"}, {}, "", False),  # customer without a tier
        ("brand", {}, {}, "", False),  # unknown scope never applies
    ],
)
def test_promotion_scope(scope, fields, line_kwargs, tier, applies):
    p = promo(1, "fixed", "3.00", scope=scope, **fields)
    line = make_line(**line_kwargs)
    assert promotion_applies(p, line, tier, TODAY) is applies
    priced = price(line, "10.00", promotions=[p], customer_tier=tier)
    # 10.00 − 3.00 = 7.00 when it applies
    assert_line(priced, net_amount="7.00" if applies else "10.00")


def test_scopes_must_all_be_checked_against_the_same_line():
    by_product = promo(1, "fixed", "1.00", scope="product", product_id=PRODUCT, stackable=True)
    by_category = promo(2, "fixed", "2.00", scope="category", category_id=CATEGORY, stackable=True)
    by_tier = promo(3, "fixed", "3.00", scope="tier", customer_tier="gold", stackable=True)
    promotions = [by_product, by_category, by_tier]
    # gold customer, matching product and category: all three, 10 − 3 − 2 − 1 = 4.00
    assert_line(
        price(make_line(), "10.00", promotions=promotions, customer_tier="gold"), net_amount="4.00"
    )
    # another product, no category, no tier: none of them
    other = make_line(product_id=2, category_id=None)
    assert_line(price(other, "10.00", promotions=promotions), net_amount="10.00")


# --- promotions: choosing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "winner", "per_unit_discount", "net"),
    [
        # 10% of 40.00 = 4.00 < 5.00 fixed → fixed wins; 3 × (40 − 5) = 105.00
        ("40.00", "fixed", "5.00", "105.00"),
        # 10% of 60.00 = 6.00 > 5.00 fixed → percent wins; 3 × (60 − 6) = 162.00
        ("60.00", "percent", "6.00", "162.00"),
    ],
)
def test_best_of_two_non_stackable_promotions(unit, winner, per_unit_discount, net):
    percent = promo(1, "percent", "10", name="percent")
    fixed = promo(2, "fixed", "5.00", name="fixed")
    priced = price(make_line(quantity=3), unit, promotions=[percent, fixed])
    assert priced.promotions == (winner,)
    assert_line(priced, promotion_discount=str(D(per_unit_discount) * 3), net_amount=net)


def test_stackable_promotions_are_added_to_the_best():
    best = promo(1, "percent", "20", name="best")  # 20.00 off 100.00
    loser = promo(2, "fixed", "5.00", name="loser")  # not stackable, not the best
    extra = promo(3, "fixed", "2.00", stackable=True, name="extra")
    priced = price(make_line(tax_class="exempt"), "100.00", promotions=[loser, extra, best])
    # 100.00 − 20% = 80.00, then − 2.00 = 78.00; the loser does not apply
    assert priced.promotions == ("best", "extra")
    assert_line(priced, promotion_discount="22.00", net_amount="78.00", line_total="78.00")


def test_a_stackable_best_is_applied_once():
    best = promo(1, "fixed", "10.00", stackable=True, name="best")
    extra = promo(2, "fixed", "1.00", stackable=True, name="extra")
    priced = price(make_line(tax_class="exempt"), "50.00", promotions=[extra, best])
    # 50 − 10 − 1 = 39.00 (not 29.00: the best is not applied a second time)
    assert priced.promotions == ("best", "extra")
    assert_line(priced, net_amount="39.00")


@pytest.mark.parametrize("reverse", [False, True])
def test_tie_goes_to_the_lower_id(reverse):
    # fixed 5.00 and 5% of 100.00 = 5.00 give the same discount
    low = promo(3, "percent", "5", name="low id")
    high = promo(7, "fixed", "5.00", name="high id")
    promotions = [high, low] if reverse else [low, high]
    assert chosen_promotions(promotions, D("100.00")) == [low]
    assert price(make_line(), "100.00", promotions=promotions).promotions == ("low id",)


def test_chosen_promotions_without_promotions():
    assert chosen_promotions([], D("10.00")) == []


@pytest.mark.parametrize(
    ("best_kind", "best_value", "stack_kind", "stack_value", "net"),
    [
        # best fixed 30.00, stackable 10%: the percentage first → 100 × 0.9 = 90, − 30 = 60.00
        # (fixed first would give (100 − 30) × 0.9 = 63.00)
        ("fixed", "30.00", "percent", "10", "60.00"),
        # best 30% stacked with a fixed 10.00: 100 × 0.7 = 70, − 10 = 60.00
        # (fixed first would give (100 − 10) × 0.7 = 63.00)
        ("percent", "30", "fixed", "10.00", "60.00"),
    ],
)
def test_percentages_are_applied_before_fixed_amounts(
    best_kind, best_value, stack_kind, stack_value, net
):
    best = promo(1, best_kind, best_value, name="best")
    stack = promo(2, stack_kind, stack_value, stackable=True, name="stack")
    priced = price(make_line(tax_class="exempt"), "100.00", promotions=[stack, best])
    assert priced.promotions == ("best", "stack")
    assert_line(priced, promotion_discount="40.00", net_amount=net)


def test_stacked_percentages_apply_to_what_is_left():
    best = promo(1, "percent", "20")
    extra = promo(2, "percent", "10", stackable=True)
    priced = price(make_line(tax_class="exempt"), "100.00", promotions=[best, extra])
    # 100 × 0.8 = 80, × 0.9 = 72.00
    assert_line(priced, promotion_discount="28.00", net_amount="72.00")


@pytest.mark.parametrize(
    ("promotions", "unit", "qty"),
    [
        ([promo(1, "fixed", "5.00")], "3.00", 2),  # 3.00 − 5.00 floors at 0
        ([promo(1, "fixed", "3.00")], "3.00", 2),  # exactly the price
        ([promo(1, "percent", "100")], "7.77", 3),
        # 10% of 3.00 = 0.30 → 2.70, − 5.00 floors at 0
        ([promo(1, "fixed", "5.00"), promo(2, "percent", "10", stackable=True)], "3.00", 4),
    ],
)
@pytest.mark.parametrize("incl", [False, True])
def test_a_unit_never_costs_less_than_nothing(promotions, unit, qty, incl):
    priced = price(make_line(quantity=qty), unit, promotions=promotions, incl=incl)
    gross = str(D(unit) * qty)
    assert_line(
        priced,
        gross_amount=gross,
        promotion_discount=gross,  # the whole gross, never more
        manual_discount="0.00",
        net_amount="0.00",
        tax_amount="0.00",
        line_total="0.00",
    )


def test_no_promotions():
    priced = price(make_line(quantity=2), "12.34")
    assert priced.promotions == ()
    # 2 × 12.34 = 24.68; 24.68 × 0.13 = 3.2084 → 3.21
    assert_line(
        priced,
        promotion_discount="0.00",
        net_amount="24.68",
        tax_amount="3.21",
        line_total="27.89",
    )


# --- manual discount -----------------------------------------------------------------------


def test_manual_discount_is_applied_after_promotions():
    p = promo(1, "percent", "20")
    priced = price(make_line(discount="10"), "100.00", promotions=[p])
    # promotion 20.00 → 80.00; manual 10% of 80.00 = 8.00 (not of 100.00) → 72.00
    # tax 72.00 × 0.13 = 9.36; total 81.36
    assert_line(
        priced,
        gross_amount="100.00",
        promotion_discount="20.00",
        manual_discount="8.00",
        net_amount="72.00",
        tax_amount="9.36",
        line_total="81.36",
    )
    assert_money(priced.discount_total, "28.00")


def test_fractional_manual_discount():
    # 12.5% of 120.00 = 15.00 → 105.00; services 105.00 × 0.06 = 6.30
    priced = price(make_line(tax_class="services", discount="12.5"), "120.00")
    assert_line(priced, manual_discount="15.00", net_amount="105.00", tax_amount="6.30")


def test_everything_together_tax_inclusive():
    p = promo(1, "percent", "10")
    priced = price(make_line(quantity=3, discount="5"), "45.90", promotions=[p], incl=True)
    # gross 3 × 45.90 = 137.70; promotion 3 × 4.59 = 13.77 → 123.93
    # manual 5% of 123.93 = 6.1965 → 6.20 → 117.73 (once: 117.7335 → 117.73, the same)
    # tax 117.73 × 0.13 / 1.13 = 13.544… → 13.54; net 117.73 − 13.54 = 104.19
    assert_line(
        priced,
        gross_amount="137.70",
        promotion_discount="13.77",
        manual_discount="6.20",
        net_amount="104.19",
        tax_amount="13.54",
        line_total="117.73",
    )
    assert_money(priced.discount_total, "19.97")


@pytest.mark.parametrize("tax_class", sorted(TAX_RATES))
@pytest.mark.parametrize("incl", [False, True])
@pytest.mark.parametrize("with_promotion", [False, True])
def test_full_manual_discount_gives_zero_tax_and_total(tax_class, incl, with_promotion):
    promotions = [promo(1, "fixed", "1.11")] if with_promotion else []
    priced = price(
        make_line(quantity=2, tax_class=tax_class, discount="100"),
        "9.99",
        promotions=promotions,
        incl=incl,
    )
    # gross 19.98; promotion 2 × 1.11 = 2.22 (or 0); manual takes all of the rest
    promotion = "2.22" if with_promotion else "0.00"
    manual = "17.76" if with_promotion else "19.98"
    assert_line(
        priced,
        gross_amount="19.98",
        promotion_discount=promotion,
        manual_discount=manual,
        net_amount="0.00",
        tax_amount="0.00",
        line_total="0.00",
    )
    assert_money(priced.discount_total, "19.98")


# --- money is Decimal with two places ------------------------------------------------------


@pytest.mark.parametrize("incl", [False, True])
@pytest.mark.parametrize("unit", ["10", "10.5", "0.01", "1234.56"])
def test_every_money_field_has_two_places(unit, incl):
    p = promo(1, "percent", "7")
    priced = price(make_line(quantity=3, discount="3"), unit, promotions=[p], incl=incl)
    for name in MONEY_FIELDS:
        value = getattr(priced, name)
        assert isinstance(value, Decimal), name
        assert value.as_tuple().exponent == -2, (name, value)
    assert priced.discount_total.as_tuple().exponent == -2
    assert isinstance(priced.tax_rate, Decimal)
    assert priced.unit_price == D(unit)
    assert priced.net_amount + priced.tax_amount == priced.line_total
    assert priced.gross_amount - priced.discount_total == priced.line_total - (
        0 if incl else priced.tax_amount
    )


# --- the discounted amount is rounded once, not as gross − round(each discount) ------------


@pytest.mark.parametrize(
    ("unit", "line", "promotions", "mode", "expected"),
    [
        # 9.99 with 15% off: exactly 9.99 × 0.85 = 8.4915 → truncated 8.49
        # (rounding each discount instead would truncate 1.4985 → 1.49 and charge 8.50)
        ("9.99", make_line(tax_class="exempt"), [promo(1, "percent", "15")], DOWN, "8.49"),
        # 9.99 with a manual 15%: the same 8.4915 → 8.49
        ("9.99", make_line(tax_class="exempt", discount="15"), [], DOWN, "8.49"),
        # 0.15 with 50% off: exactly 0.075 → HALF_UP 0.08
        # (rounding the discount instead would take 0.08 off and charge 0.07)
        ("0.15", make_line(tax_class="exempt"), [promo(1, "percent", "50")], HALF_UP, "0.08"),
    ],
)
def test_discounted_amount_is_rounded_once(unit, line, promotions, mode, expected):
    priced = price(line, unit, promotions=promotions, rounding=mode)
    assert_money(priced.net_amount, expected)


# --- shipping ------------------------------------------------------------------------------

SHIPPING_RULES = [
    rule(1, "", None, "20.00"),  # every region, any weight
    rule(2, "", "5", "10.00"),  # every region, up to 5 kg
    rule(3, "SH", None, "15.00"),  # SH, any weight
    rule(4, "SH", "2", "8.00"),  # SH, up to 2 kg
    rule(5, "SH", "10", "12.00"),  # SH, up to 10 kg
]


@pytest.mark.parametrize(
    ("region", "weight", "fee"),
    [
        ("SH", "0", "8.00"),  # lightest SH band
        ("SH", "1.5", "8.00"),
        ("SH", "2", "8.00"),  # exactly at the band's max weight still fits
        ("SH", "2.001", "12.00"),  # next band
        ("SH", "10", "12.00"),
        ("SH", "10.5", "15.00"),  # SH without band beats every-region rules
        ("GD", "3", "10.00"),  # no GD rule: every-region band
        ("GD", "5", "10.00"),
        ("GD", "5.5", "20.00"),  # every-region, any weight
        ("", "1", "10.00"),  # no region: only every-region rules
    ],
)
@pytest.mark.parametrize("reverse", [False, True])
def test_shipping_most_specific_rule_wins(region, weight, fee, reverse):
    rules = SHIPPING_RULES[::-1] if reverse else SHIPPING_RULES
    result = shipping_fee(rules, region=region, weight_kg=D(weight), goods_amount=D("50.00"))
    assert_money(result, fee)


def test_region_rule_without_band_beats_every_region_band():
    rules = [rule(1, "", "5", "10.00"), rule(2, "SH", None, "15.00")]
    assert_money(shipping_fee(rules, region="SH", weight_kg=D("1"), goods_amount=D("0")), "15.00")


def test_region_rule_that_does_not_fit_falls_back_to_every_region():
    rules = [rule(1, "SH", "1", "5.00"), rule(2, "", None, "18.00")]
    assert_money(shipping_fee(rules, region="SH", weight_kg=D("1.2"), goods_amount=D("0")), "18.00")


@pytest.mark.parametrize("reverse", [False, True])
def test_shipping_tie_goes_to_the_lower_id(reverse):
    rules = [rule(9, "SH", "3", "9.00"), rule(4, "SH", "3", "4.00")]
    rules = rules[::-1] if reverse else rules
    assert_money(shipping_fee(rules, region="SH", weight_kg=D("1"), goods_amount=D("0")), "4.00")


@pytest.mark.parametrize(
    ("rules", "region", "weight"),
    [
        ([], "SH", "1"),  # no rules at all
        ([rule(1, "GD", None, "9.00")], "SH", "1"),  # only another region's rule
        ([rule(1, "", "5", "9.00"), rule(2, "SH", "3", "7.00")], "SH", "5.01"),  # too heavy
    ],
)
def test_shipping_without_a_rule_is_free(rules, region, weight):
    result = shipping_fee(rules, region=region, weight_kg=D(weight), goods_amount=D("10.00"))
    assert_money(result, "0.00")


@pytest.mark.parametrize(
    ("goods", "fee"),
    [
        ("99.99", "12.00"),  # one cent below the threshold
        ("100.00", "0.00"),  # exactly at it: free
        ("100", "0.00"),
        ("250.00", "0.00"),
    ],
)
def test_free_shipping_at_or_above_the_threshold(goods, fee):
    rules = [rule(1, "SH", None, "12.00", free_above=D("100.00"))]
    assert_money(shipping_fee(rules, region="SH", weight_kg=D("3"), goods_amount=D(goods)), fee)


def test_shipping_without_threshold_is_never_free():
    rules = [rule(1, "SH", None, "12.00")]
    result = shipping_fee(rules, region="SH", weight_kg=D("3"), goods_amount=D("1000000.00"))
    assert_money(result, "12.00")


def test_only_the_winning_rules_threshold_counts():
    rules = [
        rule(1, "", None, "20.00", free_above=D("50.00")),  # loses to the SH rule
        rule(2, "SH", None, "12.00", free_above=D("500.00")),
    ]
    assert_money(
        shipping_fee(rules, region="SH", weight_kg=D("1"), goods_amount=D("60.00")), "12.00"
    )
    # GD gets the every-region rule, whose threshold is met
    assert_money(
        shipping_fee(rules, region="GD", weight_kg=D("1"), goods_amount=D("60.00")), "0.00"
    )


@pytest.mark.parametrize(
    ("weight", "mode", "fee"),
    [
        ("0", HALF_UP, "10.00"),  # base only
        ("4", HALF_UP, "20.00"),  # 10 + 2.50 × 4 = 20.00
        ("1.234", HALF_UP, "13.09"),  # 10 + 2.50 × 1.234 = 13.085 → 13.09
        ("1.234", DOWN, "13.08"),  # … → 13.08 truncated
        ("0.333", DOWN, "10.83"),  # 10 + 0.8325 = 10.8325 → 10.83
    ],
)
@pytest.mark.parametrize("via", ["settings", "argument"])
def test_shipping_fee_per_kg(settings, weight, mode, fee, via):
    rules = [rule(1, "SH", None, "10", per_kg_fee=D("2.50"))]
    if via == "settings":
        settings.OMS_ROUNDING = mode
        rounding = None
    else:
        settings.OMS_ROUNDING = OTHER_MODE[mode]
        rounding = mode
    result = shipping_fee(
        rules, region="SH", weight_kg=D(weight), goods_amount=D("0"), rounding=rounding
    )
    assert_money(result, fee)


# --- order totals --------------------------------------------------------------------------


def test_order_totals_sum_rounded_line_amounts():
    lines = [
        # 3 × 19.99 = 59.97; tax 59.97 × 0.13 = 7.7961 → 7.80; total 67.77
        price(make_line(quantity=3), "19.99"),
        # 7 × 4.35 = 30.45; tax 30.45 × 0.09 = 2.7405 → 2.74; total 33.19
        price(make_line(quantity=7, tax_class="reduced"), "4.35"),
        # 120.00 − 12.5% (15.00) = 105.00; tax 105.00 × 0.06 = 6.30; total 111.30
        price(make_line(tax_class="services", discount="12.5"), "120.00"),
        # 4 × 2.50 = 10.00, exempt
        price(make_line(quantity=4, tax_class="exempt"), "2.50"),
    ]
    totals = order_totals(lines, shipping=D("12.00"), weight_kg=D("4.2"))
    assert isinstance(totals, Totals)
    # 59.97 + 30.45 + 105.00 + 10.00 = 205.42
    assert_money(totals.subtotal, "205.42")
    assert_money(totals.discount_total, "15.00")
    # lines 7.80 + 2.74 + 6.30 + 0.00 = 16.84; shipping 12.00 × 0.13 (the highest) = 1.56
    assert_money(totals.shipping_tax, "1.56")
    assert totals.shipping_tax_rate == D("0.13")
    assert_money(totals.tax_total, "18.40")
    assert_money(totals.shipping_fee, "12.00")
    # 67.77 + 33.19 + 111.30 + 10.00 = 222.26; + 12.00 + 1.56 = 235.82
    assert_money(totals.total, "235.82")
    assert totals.subtotal + totals.tax_total + totals.shipping_fee == totals.total
    assert totals.weight_kg == D("4.2")
    assert totals.lines == tuple(lines)


@pytest.mark.parametrize(("mode", "per_line_tax", "line_sum_tax"), [(HALF_UP, "0.01", "0.02")])
def test_per_line_rounding_differs_from_rounding_the_sum(mode, per_line_tax, line_sum_tax):
    lines = [price(make_line(), "0.05", rounding=mode) for _ in range(3)]
    # each line: 0.05 × 0.13 = 0.0065 → 0.01
    for priced in lines:
        assert_money(priced.tax_amount, per_line_tax)
    totals = order_totals(lines, shipping=ZERO, weight_kg=ZERO)
    # the sum of rounded taxes is 0.03 …
    assert_money(totals.tax_total, "0.03")
    assert_money(totals.total, "0.18")
    # … while rounding the tax of the summed amounts gives 0.15 × 0.13 = 0.0195 → 0.02
    assert round_money(totals.subtotal * TAX_RATES["standard"], mode) == D(line_sum_tax)
    assert totals.tax_total != D(line_sum_tax)


def test_many_lines_totals_equal_the_sum_of_lines():
    lines = [
        price(make_line(quantity=q, tax_class=t, discount=d), u, incl=incl)
        for q, t, d, u, incl in [
            (1, "standard", "0", "0.99", False),
            (2, "reduced", "3", "17.35", True),
            (5, "services", "7.5", "3.33", False),
            (11, "exempt", "0", "1.01", True),
            (3, "standard", "33", "8.88", True),
            (9, "reduced", "1", "0.07", False),
        ]
    ]
    totals = order_totals(lines, shipping=D("7.50"), weight_kg=D("3"))
    # the shipping's tax: 7.50 × 0.13 = 0.975 → 0.98
    assert_money(totals.shipping_tax, "0.98")
    assert totals.subtotal == sum(line.net_amount for line in lines)
    assert totals.tax_total == sum(line.tax_amount for line in lines) + D("0.98")
    assert totals.discount_total == sum(line.discount_total for line in lines)
    assert totals.total == sum(line.line_total for line in lines) + D("7.50") + D("0.98")
    assert totals.total == totals.subtotal + totals.tax_total + totals.shipping_fee
    for name in ("subtotal", "discount_total", "tax_total", "total"):
        assert getattr(totals, name).as_tuple().exponent == -2, name


def test_order_totals_without_lines():
    totals = order_totals([], shipping=D("8.00"), weight_kg=ZERO)
    assert_money(totals.subtotal, "0.00")
    assert_money(totals.discount_total, "0.00")
    assert_money(totals.tax_total, "0.00")
    assert_money(totals.shipping_tax, "0.00")
    assert_money(totals.total, "8.00")
    assert totals.lines == ()


# --- the shipping's VAT (价外费用: taxed like the goods it goes with) ------------------------


@pytest.mark.parametrize(
    ("tax_class", "incl", "shipping", "rate", "tax"),
    [
        ("standard", False, "12.00", "0.13", "1.56"),
        ("standard", True, "12.00", "0.13", "1.56"),  # the fee is net, whatever the prices
        ("reduced", False, "15.50", "0.09", "1.40"),  # 1.395 → 1.40
        ("services", False, "9.99", "0.06", "0.60"),  # 0.5994 → 0.60
        ("exempt", False, "10.00", "0", "0.00"),
    ],
)
def test_shipping_tax_at_the_rate_of_the_goods(tax_class, incl, shipping, rate, tax):
    line = price(make_line(quantity=2, tax_class=tax_class), "50.00", incl=incl)
    totals = order_totals([line], shipping=D(shipping), weight_kg=D("1"))
    assert totals.shipping_tax_rate == D(rate)
    assert_money(totals.shipping_tax, tax)
    assert_money(totals.shipping_fee, shipping)
    assert totals.tax_total == line.tax_amount + D(tax)
    assert totals.total == line.line_total + D(shipping) + D(tax)
    assert totals.total == totals.subtotal + totals.tax_total + totals.shipping_fee


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0)])
def test_mixed_rates_tax_the_shipping_at_the_highest_rate(order):
    lines = [
        price(make_line(tax_class="reduced"), "100.00"),
        price(make_line(tax_class="services"), "100.00"),
        price(make_line(tax_class="standard"), "1.00"),  # a small line still sets the rate
    ]
    totals = order_totals([lines[i] for i in order], shipping=D("20.00"), weight_kg=D("2"))
    assert totals.shipping_tax_rate == D("0.13")
    assert_money(totals.shipping_tax, "2.60")


def test_mixed_rates_without_the_standard_rate():
    lines = [
        price(make_line(tax_class="exempt"), "100.00"),
        price(make_line(tax_class="services"), "10.00"),
        price(make_line(tax_class="reduced"), "10.00"),
    ]
    totals = order_totals(lines, shipping=D("10.05"), weight_kg=D("2"))
    assert totals.shipping_tax_rate == D("0.09")
    assert_money(totals.shipping_tax, "0.90")  # 0.9045 → 0.90


@pytest.mark.parametrize(("mode", "tax"), [(HALF_UP, "0.65"), (DOWN, "0.64")])
def test_shipping_tax_is_rounded_with_the_installations_mode(settings, mode, tax):
    settings.OMS_ROUNDING = mode
    line = price(make_line(), "10.00")
    # 4.99 × 0.13 = 0.6487: 0.65 half up, 0.64 rounding down
    totals = order_totals([line], shipping=D("4.99"), weight_kg=D("1"))
    assert_money(totals.shipping_tax, tax)


def test_free_shipping_bears_no_tax():
    totals = order_totals([price(make_line(), "10.00")], shipping=ZERO, weight_kg=D("1"))
    assert_money(totals.shipping_tax, "0.00")
    assert totals.shipping_tax_rate == D("0.13")


def test_order_totals_with_free_shipping_and_a_discounted_line():
    p = promo(1, "fixed", "2.00")
    line = price(make_line(quantity=2, discount="50"), "10.00", promotions=[p])
    # gross 20.00; promotion 2 × 2.00 = 4.00 → 16.00; manual 50% = 8.00 → 8.00
    # tax 8.00 × 0.13 = 1.04; total 9.04
    totals = order_totals([line], shipping=ZERO, weight_kg=D("0.5"))
    assert_money(totals.discount_total, "12.00")
    assert_money(totals.subtotal, "8.00")
    assert_money(totals.tax_total, "1.04")
    assert_money(totals.shipping_fee, "0.00")
    assert_money(totals.total, "9.04")


def test_a_tier_promotion_without_a_tier_applies_to_nobody():
    blank = promo(1, "percent", "10", scope="tier", customer_tier="")
    assert not promotion_applies(blank, make_line(), "", PROMO_START)
    assert not promotion_applies(blank, make_line(), "gold", PROMO_START)
