"""A channel's order keeps the prices, discounts and tax rates the buyer was charged there:
computed with the installation's rounding rule, never re-priced from the price list."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from orders import services
from orders.choices import ChannelCode
from orders.models import Order, OrderLine
from orders.services import LineRequest

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def goods(catalog):
    # The price list says 100.00 for both: the channel's prices must win.
    lamp, bulb = catalog.product("100.00"), catalog.product("100.00")
    catalog.stock(lamp, catalog.shanghai, 50)
    catalog.stock(bulb, catalog.shanghai, 50)
    return catalog.customer(), lamp, bulb


def place(customer, lines, **header):
    return services.order_place(
        actor=None,
        customer=customer,
        lines=lines,
        channel=ChannelCode.IMPORT,
        external_reference=header.pop("reference", "IMP-1"),
        **header,
    )


def test_round_down_matches_a_source_that_truncates_to_the_cent(goods, settings):
    settings.OMS_ROUNDING = "ROUND_DOWN"
    customer, lamp, bulb = goods
    order = place(
        customer,
        [
            # 12.35 × 7 = 86.45, less 7 % = 80.3985 → 80.39; 8 % tax 6.4312 → 6.43
            LineRequest(lamp, 7, D("7"), unit_price=D("12.35"), tax_rate=D("0.08")),
            # 8.88 × 9 = 79.92; 8 % tax 6.3936 → 6.39
            LineRequest(bulb, 9, unit_price=D("8.88"), tax_rate=D("0.08")),
        ],
        prices_include_tax=False,
        shipping_fee=D("10.00"),  # its 8 % tax: 0.80
    )
    order = Order.objects.get(pk=order.pk)
    first, second = OrderLine.objects.filter(order=order).order_by("line_no")
    assert (first.unit_price, first.net_amount, first.tax_amount, first.line_total) == (
        D("12.35"),
        D("80.39"),
        D("6.43"),
        D("86.82"),
    )
    assert (second.net_amount, second.tax_amount, second.line_total) == (
        D("79.92"),
        D("6.39"),
        D("86.31"),
    )
    assert order.priced_as_sent
    assert order.subtotal == D("160.31")
    assert order.shipping_fee == D("10.00")
    assert order.shipping_tax == D("0.80")
    assert order.tax_total == D("13.62")
    assert order.total == D("183.93")


def test_half_up_rounds_the_same_line_up(goods, settings):
    settings.OMS_ROUNDING = "ROUND_HALF_UP"
    customer, lamp, _ = goods
    order = place(
        customer,
        [LineRequest(lamp, 7, D("7"), unit_price=D("12.35"), tax_rate=D("0.08"))],
        prices_include_tax=False,
    )
    line = OrderLine.objects.get(order=order)
    assert (line.net_amount, line.tax_amount, line.line_total) == (
        D("80.40"),
        D("6.43"),
        D("86.83"),
    )


def test_gross_prices_take_the_tax_out_and_an_amendment_keeps_the_prices(goods, settings):
    settings.OMS_ROUNDING = "ROUND_HALF_UP"
    customer, lamp, _ = goods
    order = place(customer, [LineRequest(lamp, 2, unit_price=D("113.00"), tax_rate=D("0.13"))])
    order = Order.objects.get(pk=order.pk)
    assert order.prices_include_tax is False  # the import channel's setting
    gross = place(
        customer,
        [LineRequest(lamp, 2, unit_price=D("113.00"), tax_rate=D("0.13"))],
        prices_include_tax=True,
        reference="IMP-2",
    )
    gross = Order.objects.get(pk=gross.pk)
    assert (gross.subtotal, gross.tax_total, gross.total) == (D("200.00"), D("26.00"), D("226.00"))
    line = gross.lines.get()
    services.order_amend(actor=None, order=gross, changes={line.line_no: 1})
    gross.refresh_from_db()
    line.refresh_from_db()
    assert line.unit_price == D("113.00")  # not the price list's 100.00
    assert (gross.subtotal, gross.tax_total, gross.total) == (D("100.00"), D("13.00"), D("113.00"))


@pytest.mark.parametrize(
    ("price", "rate", "field"),
    [
        (D("9.1234567891"), D("0.08"), "unit_price"),
        (D("-1.00"), D("0.08"), "unit_price"),
        (D("NaN"), D("0.08"), "unit_price"),
        (D("9.00"), D("1.5"), "tax_rate"),
        (D("9.00"), None, "tax_rate"),
    ],
)
def test_bad_sent_prices_are_refused_and_nothing_is_written(goods, price, rate, field):
    customer, lamp, _ = goods
    with pytest.raises(ValidationError) as refused:
        place(customer, [LineRequest(lamp, 1, unit_price=price, tax_rate=rate)])
    assert field in refused.value.message_dict
    assert not Order.objects.exists()


def test_prices_come_for_every_line_or_none(goods):
    customer, lamp, bulb = goods
    with pytest.raises(ValidationError, match="every line"):
        place(
            customer,
            [LineRequest(lamp, 1, unit_price=D("1.00"), tax_rate=D("0.13")), LineRequest(bulb, 1)],
        )
    assert not Order.objects.exists()
