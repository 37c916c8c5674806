"""Cost and margin: the cost of goods fixed on each shipment line at dispatch, the order's
margin to the cent (revenue from invoices less credit notes, goods, carriage, payment fees),
the margin report (groups, dates, totals, CSV, a constant number of statements)."""

import csv
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.margin import margin_rows, order_margin
from billing.models import Invoice, Payment, PaymentAllocation
from inventory.services import stock_receive
from orders import services as order_services
from shipping.models import Shipment, ShipmentLine
from tests.helpers import queries_of

pytestmark = pytest.mark.django_db
D = Decimal


def sold(
    billing,
    run_hooks,
    *,
    price="33.33",
    cost="12.3456",
    quantity=3,
    carriage="18.00",
    customer=None,
):
    """A business order on account: 3 × price, received at `cost`, dispatched (invoiced)."""
    lamp = billing.product(price)
    stock_receive(
        actor=None, product=lamp, warehouse=billing.shanghai, quantity=10, unit_cost=D(cost)
    )
    customer = customer or billing.business(payment_terms="net_30")
    order = order_services.order_submit(actor=None, order=billing.order(customer, (lamp, quantity)))
    [shipment] = billing.picked(order)
    # The carrier's quote recorded with the choice (the rules' choice needs rate cards).
    Shipment.objects.filter(pk=shipment.pk).update(shipping_cost=D(carriage), cod_fee=D(0))
    shipment.refresh_from_db()
    with run_hooks():
        billing.dispatch(shipment, tracking=f"SF{shipment.pk:09d}")
    return order, lamp, Shipment.objects.get(pk=shipment.pk)


def test_the_cost_of_goods_is_fixed_at_dispatch_and_later_receipts_do_not_change_it(
    billing, run_hooks
):
    order, lamp, shipment = sold(billing, run_hooks)
    [line] = ShipmentLine.objects.filter(shipment=shipment)
    assert line.unit_cost == D("12.3456")
    stock_receive(
        actor=None, product=lamp, warehouse=billing.shanghai, quantity=50, unit_cost=D("99")
    )
    line.refresh_from_db()
    assert line.unit_cost == D("12.3456")
    assert order_margin(order).goods_cost == D("37.04")  # 3 × 12.3456 = 37.0368


def test_the_order_margin_to_the_cent(billing, run_hooks):
    order, _lamp, _shipment = sold(billing, run_hooks)
    [invoice] = Invoice.objects.filter(order=order)
    card = Payment.objects.create(
        number="PAY-T-1",
        customer=order.customer,
        method="card",
        amount=invoice.total,
        fee=D("1.23"),
        received_on=timezone.localdate(),
        idempotency_key="t-1",
    )
    PaymentAllocation.objects.create(payment=card, invoice=invoice, amount=invoice.total)
    margin = order_margin(order)
    revenue = invoice.subtotal + invoice.shipping_fee
    assert margin.invoiced
    assert margin.revenue == revenue
    assert (margin.goods_cost, margin.shipping_cost, margin.card_fee) == (
        D("37.04"),
        D("18.00"),
        D("1.23"),
    )
    assert margin.margin == revenue - D("37.04") - D("18.00") - D("1.23")
    assert margin.margin_percent == (margin.margin * 100 / revenue).quantize(D("0.1"))


def test_an_order_not_invoiced_yet_counts_its_own_net_and_says_so(billing, run_hooks):
    # A business without a taxpayer id: its invoice waits for fapiao details (held).
    customer = billing.customer(kind="business", payment_terms="net_30", credit_limit=D(10**6))
    order, _lamp, _shipment = sold(billing, run_hooks, customer=customer)
    assert [i.status for i in Invoice.objects.filter(order=order)] == ["held"]
    order.refresh_from_db()
    margin = order_margin(order)
    assert not margin.invoiced
    assert margin.revenue == order.subtotal + order.shipping_fee


def test_cod_fee_is_a_payment_fee_not_carriage(billing, run_hooks):
    order, _lamp, shipment = sold(billing, run_hooks)
    Shipment.objects.filter(pk=shipment.pk).update(
        shipping_cost=D("23.00"), cod_fee=D("5.00"), cod_amount=D("100")
    )
    margin = order_margin(order)
    assert (margin.shipping_cost, margin.cod_fee, margin.cod_expected) == (D("18.00"), D("5.00"), 1)
    # The carrier's statement brings the real fee: it replaces the quoted one.
    Payment.objects.create(
        number="PAY-T-2",
        customer=order.customer,
        method="cod",
        amount=D("100"),
        fee=D("3.10"),
        shipment=shipment,
        received_on=timezone.localdate(),
        idempotency_key="t-2",
    )
    margin = order_margin(order)
    assert (margin.cod_fee, margin.cod_expected) == (D("3.10"), 0)


def test_a_shipment_dispatched_without_a_quote_keeps_none_when_no_rate_card_prices_it(
    billing, run_hooks
):
    _order, _lamp, shipment = sold(billing, run_hooks)
    # The helper recorded a quote; here none is recorded and no rate card covers the lane.
    assert shipment.shipping_cost == D("18.00")
    lamp = billing.product("10.00")
    stock_receive(actor=None, product=lamp, warehouse=billing.shanghai, quantity=5, unit_cost=D(2))
    other = order_services.order_submit(
        actor=None, order=billing.order(billing.business(seed=2, payment_terms="net_30"), (lamp, 1))
    )
    [second] = billing.picked(other)
    Shipment.objects.filter(pk=second.pk).update(shipping_cost=None, carrier_service=None)
    with run_hooks():
        billing.dispatch(Shipment.objects.get(pk=second.pk), tracking="SFX2")
    assert Shipment.objects.get(pk=second.pk).shipping_cost is None
    assert order_margin(other).shipping_cost == D("0.00")


def test_the_report_groups_totals_and_exports_with_a_constant_number_of_statements(
    billing, run_hooks, client_for
):
    sold(billing, run_hooks)
    client = client_for("finance")
    one = queries_of(lambda: client.get("/margin/?group=product"))
    sold(billing, run_hooks, price="10.00", cost="14.00")  # sold at a loss
    sold(billing, run_hooks, price="50.00", cost="20.00")
    three = queries_of(lambda: client.get("/margin/?group=product"))
    assert len(one) == len(three)
    today = timezone.localdate().isoformat()
    for group in ("product", "category", "customer", "region", "channel", "month"):
        response = client.get(f"/margin/?group={group}&start={today}&end={today}")
        assert response.status_code == 200
        assert "<svg" in response.content.decode()
    rows = margin_rows(user=None, group="product")
    assert len(rows) == 3
    assert any(row.margin < 0 for row in rows)
    response = client.get(f"/margin/?group=customer&start={today}&end={today}&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    assert table[0][0] == "Group"
    assert table[-1][0] == "Total"
    assert D(table[-1][2]) == sum(row.revenue for row in rows)
    assert D(table[-1][6]) == sum(row.margin for row in rows)
    # Dates outside the sales: an empty report, not an error.
    page = client.get("/margin/?group=product&start=2020-01-01&end=2020-01-31").content.decode()
    assert "No order sold anything in these dates" in page


@pytest.mark.parametrize(
    "query",
    [
        "group=nope",
        "start=2026-13-01&end=2026-01-01",
        "start=2026-02-01&end=2026-01-01",
        "start=2000-01-01&end=2026-01-01",
        "start=%00",
    ],
)
def test_bad_report_filters_are_refused_with_a_message(client_for, query):
    response = client_for("manager").get(f"/margin/?group=product&{query}")
    assert response.status_code == 422 or response.status_code == 400
