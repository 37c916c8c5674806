"""Billing's dispatch guard: a prepaid order's shipment leaves only once its invoices are paid
(read from the invoices); cash on delivery and on-account orders pass. Every dispatch path
refuses with the reason and writes nothing: the dispatch form, a merged parcel's dispatch,
and the pack station says so before anyone hands the parcel over."""

from decimal import Decimal

import pytest
from django.utils import timezone

from billing import services
from billing.models import Invoice
from billing.payments import payment_record
from inventory.models import StockMovement
from shipping import services as shipping_services
from shipping.permissions import ShipmentError
from tests.shipping.test_views import dispatch_form


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def pay(customer, amount, invoice, key):
    return payment_record(
        actor=None,
        customer=customer,
        amount=Decimal(amount),
        method="bank_transfer",
        received_on=timezone.localdate(),
        idempotency_key=key,
        invoices=[invoice],
    )


@pytest.fixture
def prepaid(billing):
    """A prepaid business order, packed; its invoice (issued at confirmation) not paid."""
    customer = billing.business(payment_terms="prepaid")
    product = billing.product(price="113.00")
    order = billing.allocated_order(
        (product, 2), stock=[(product, billing.shanghai, 2)], customer=customer
    )
    [shipment] = billing.packed(order)
    return order, shipment


def dispatch(billing, shipment):
    return shipping_services.shipment_dispatch(
        actor=None, shipment=shipment, details=billing.details()
    )


def assert_nothing_left(shipment):
    shipment = fresh(shipment)
    assert shipment.status == "packed"
    assert shipment.tracking_number == ""
    assert not StockMovement.objects.filter(kind="issue", reference=shipment.number).exists()


def test_no_invoice_yet_is_refused(billing, prepaid):
    order, shipment = prepaid
    with pytest.raises(ShipmentError, match=f"{order.number} is prepaid and has no invoice yet"):
        dispatch(billing, shipment)
    assert_nothing_left(shipment)


def test_unpaid_then_partly_paid_is_refused_with_the_open_amount_and_paid_passes(billing, prepaid):
    order, shipment = prepaid
    services.order_bill(order_id=order.pk)
    [invoice] = billing.invoices(order)
    assert invoice.total == Decimal("226.00")
    with pytest.raises(ShipmentError) as refused:
        dispatch(billing, shipment)
    assert str(refused.value) == (
        f"{order.number} is prepaid and ¥226.00 is still unpaid ({invoice.number})."
    )
    assert_nothing_left(shipment)

    pay(order.customer, "100.00", invoice, "guard-1")
    with pytest.raises(ShipmentError, match=r"¥126\.00 is still unpaid"):
        dispatch(billing, shipment)
    assert_nothing_left(shipment)

    pay(order.customer, "126.00", invoice, "guard-2")
    shipment = dispatch(billing, shipment)
    assert fresh(shipment).status == "dispatched"


def test_a_held_invoice_cannot_be_paid_so_the_shipment_waits(billing):
    customer = billing.customer(kind="business", payment_terms="prepaid")  # no taxpayer id
    product = billing.product()
    order = billing.allocated_order(
        (product, 1), stock=[(product, billing.shanghai, 1)], customer=customer
    )
    [shipment] = billing.packed(order)
    services.order_bill(order_id=order.pk)
    assert Invoice.objects.get(order=order).status == "held"
    with pytest.raises(ShipmentError, match="waits for the customer's fapiao details"):
        dispatch(billing, shipment)
    assert_nothing_left(shipment)


@pytest.mark.parametrize("terms", ["cod", "net_30", "net_60"])
def test_cash_on_delivery_and_on_account_orders_pass(billing, terms):
    customer = billing.business(payment_terms=terms)
    product = billing.product()
    order = billing.allocated_order(
        (product, 1), stock=[(product, billing.shanghai, 1)], customer=customer
    )
    [shipment] = billing.packed(order)
    details = billing.details(cod_amount=Decimal("100.00") if terms == "cod" else Decimal(0))
    shipping_services.shipment_dispatch(actor=None, shipment=shipment, details=details)
    assert fresh(shipment).status == "dispatched"


def test_the_dispatch_form_shows_the_reason_and_a_post_writes_nothing(billing, prepaid, client_for):
    order, shipment = prepaid
    services.order_bill(order_id=order.pk)
    [invoice] = billing.invoices(order)
    client = client_for("warehouse")
    url = f"/shipments/{shipment.number}/dispatch/"
    page = client.get(url).content.decode()
    assert f"{order.number} is prepaid and ¥226.00 is still unpaid ({invoice.number})." in page

    response = client.post(url, dispatch_form())
    assert response.status_code == 422
    assert "is still unpaid" in response.content.decode()
    assert_nothing_left(shipment)


def test_the_pack_station_says_to_set_the_parcel_aside(billing, prepaid, client_for):
    order, shipment = prepaid
    services.order_bill(order_id=order.pk)
    client = client_for("warehouse")
    page = client.get(f"/pack-station/{shipment.number}/").content.decode()
    assert "data-dispatch-refusal" in page
    assert f"{order.number} is prepaid" in page
    # Paid: nothing to say.
    [invoice] = billing.invoices(order)
    pay(order.customer, "226.00", invoice, "guard-station")
    page = client.get(f"/pack-station/{shipment.number}/").content.decode()
    assert "data-dispatch-refusal" not in page


def test_the_zh_reason_is_worded_in_chinese(billing, prepaid, client):
    from tests.factories import UserFactory

    order, shipment = prepaid
    user = UserFactory(username="wh-zh", role="warehouse")
    client.force_login(user)
    page = client.get(
        f"/shipments/{shipment.number}/dispatch/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert order.number in page
    assert "has no invoice yet" not in page
