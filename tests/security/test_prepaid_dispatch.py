"""No dispatch path skips billing's prepaid guard: a merged parcel (several shipments
dispatched at once) with one unpaid prepaid member is refused as a whole, on the service and
on its page, and nothing of it leaves."""

import pytest
from django.utils import timezone

from billing import services
from billing.payments import payment_record
from inventory.models import StockMovement
from shipping import merging
from shipping import services as shipping_services
from shipping.models import MergedParcel, Shipment
from shipping.permissions import ShipmentError
from tests.billing.conftest import Billing
from tests.shipping.test_views import dispatch_form


@pytest.fixture
def billing(db):
    return Billing()


@pytest.fixture
def parcel(billing):
    """Two prepaid orders of one customer merged into one parcel and packed; both invoiced,
    the first paid, the second not."""
    customer = billing.business(payment_terms="prepaid")
    product = billing.product(price="50.00")
    billing.stock(product, billing.shanghai, 10)
    first = billing.allocated_order((product, 1), customer=customer)
    second = billing.allocated_order((product, 2), customer=customer)
    [one] = shipping_services.shipments_create_for_order(actor=None, order=first)
    [two] = shipping_services.shipments_create_for_order(actor=None, order=second)
    parcel = merging.shipments_merge(actor=None, shipment=one, others=[two.pk])
    for shipment in (one, two):
        shipping_services.shipment_pack(
            actor=None,
            shipment=shipping_services.shipment_start_picking(actor=None, shipment=shipment),
        )
    for order in (first, second):
        services.order_bill(order_id=order.pk)
    [paid] = billing.invoices(first)
    payment_record(
        actor=None,
        customer=customer,
        amount=paid.total,
        method="alipay",
        received_on=timezone.localdate(),
        idempotency_key="parcel-first",
        invoices=[paid],
    )
    return parcel, one, two, second


def assert_nothing_left(*shipments):
    for shipment in shipments:
        assert Shipment.objects.get(pk=shipment.pk).status == "packed"
        assert not StockMovement.objects.filter(kind="issue", reference=shipment.number).exists()


def test_a_merged_parcel_with_an_unpaid_prepaid_member_is_refused(billing, parcel):
    parcel, one, two, second = parcel
    with pytest.raises(ShipmentError, match=f"{second.number} is prepaid and .* is still unpaid"):
        merging.parcel_dispatch(
            actor=None,
            parcel=parcel,
            details=billing.details("SF-PARCEL-9", parcels=1),
            expected=[one.number, two.number],
        )
    assert_nothing_left(one, two)
    assert MergedParcel.objects.get(pk=parcel.pk).status == "open"


def test_the_parcel_page_says_why_and_its_post_writes_nothing(billing, parcel, client_for):
    parcel, one, two, second = parcel
    client = client_for("warehouse")
    url = f"/parcels/{parcel.number}/dispatch/"
    page = client.get(url).content.decode()
    assert f"{second.number} is prepaid" in page
    response = client.post(
        url, dispatch_form(members=f"{one.number},{two.number}", parcels="1", tracking_number="P1")
    )
    assert response.status_code == 422
    assert "is still unpaid" in response.content.decode()
    assert_nothing_left(one, two)
