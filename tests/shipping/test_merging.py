"""Merged parcels: which shipments may leave together, merging, dispatching them as one parcel
(one tracking number, every order following its own shipment), unmerging, and a member's
order cancelled before dispatch."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from inventory.models import StockMovement
from oms.models import AuditLog
from oms.texts import text_of
from orders import services as order_services
from orders.models import Order, OrderEvent
from shipping import merging, services
from shipping.models import MergedParcel, Shipment, ShipmentEvent
from shipping.permissions import ShipmentError
from tests.factories import UserFactory
from tests.shipping.test_documents import barcodes_in, pdf_of
from tests.shipping.test_documents import text_of as pdf_text
from tests.shipping.test_services import assert_books_balance, fresh


@pytest.fixture
def pair(shipping):
    """Two orders of one customer to one address from Shanghai, each with a waiting shipment."""
    customer = shipping.customer()
    a, b = shipping.product(), shipping.product()
    shipping.stock(a, shipping.shanghai, 10)
    shipping.stock(b, shipping.shanghai, 10)
    first = shipping.allocated_order((a, 2), (b, 1), customer=customer)
    second = shipping.allocated_order((a, 3), customer=customer)
    [one] = services.shipments_create_for_order(actor=None, order=first)
    [two] = services.shipments_create_for_order(actor=None, order=second)
    return one, two


def candidate_reasons(shipment):
    return {other.number: reason for other, reason in merging.merge_candidates(fresh(shipment))}


def test_the_customers_other_shipment_is_proposed(pair):
    one, two = pair
    assert candidate_reasons(one) == {two.number: None}
    assert candidate_reasons(two) == {one.number: None}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"payment_terms": "net_60"}, "other payment terms"),
        ({"ship_street": "Another street 9"}, "goes to another address"),
        ({"on_hold": True}, "its order is on hold"),
    ],
)
def test_incompatible_shipments_are_shown_with_the_reason(pair, change, reason):
    one, two = pair
    Order.objects.filter(pk=two.order_id).update(**change)
    [(other, refusal)] = merging.merge_candidates(fresh(one))
    assert other == two
    assert reason in refusal
    with pytest.raises(ShipmentError, match=reason):
        merging.shipments_merge(actor=None, shipment=fresh(one), others=[two.pk])
    assert not MergedParcel.objects.exists()


def test_cash_on_delivery_and_prepaid_do_not_share_a_parcel(pair):
    one, two = pair
    Shipment.objects.filter(pk=two.pk).update(cod_amount=100)
    [(_other, refusal)] = merging.merge_candidates(fresh(one))
    assert "cash on delivery" in refusal


def test_another_customer_another_warehouse_or_a_dispatched_one_are_not_proposed(pair, shipping):
    one, two = pair
    product = shipping.product()
    shipping.stock(product, shipping.guangzhou, 5)
    stranger = shipping.allocated_order((product, 1))
    services.shipments_create_for_order(actor=None, order=stranger)
    elsewhere = shipping.allocated_order((product, 1), customer=one.order.customer)
    services.shipments_create_for_order(actor=None, order=elsewhere)
    assert candidate_reasons(one) == {two.number: None}
    shipping_two = services.shipment_pack(
        actor=None, shipment=services.shipment_start_picking(actor=None, shipment=two)
    )
    services.shipment_dispatch(actor=None, shipment=shipping_two, details=shipping.details("X1"))
    assert candidate_reasons(one) == {}


def test_merge_is_recorded_on_every_shipment_and_order(pair):
    one, two = pair
    clerk = UserFactory(role="warehouse")
    parcel = merging.shipments_merge(actor=clerk, shipment=one, others=[two.pk])
    assert parcel.number.startswith("MP-")
    assert {s.pk for s in parcel.shipments.all()} == {one.pk, two.pk}
    for shipment, other in ((one, two), (two, one)):
        event = ShipmentEvent.objects.get(shipment=shipment, kind="merged")
        assert event.data == {"parcel": parcel.number, "with": [other.number]}
        note = OrderEvent.objects.get(order_id=shipment.order_id, kind="shipping")
        assert text_of("order_note", note.message) == (
            f"Ships in merged parcel {parcel.number} with {other.order.number}."
        )
    assert AuditLog.objects.filter(action="parcel.merge", object_id=str(parcel.pk)).exists()
    # Sent twice: nothing more.
    assert merging.shipments_merge(actor=clerk, shipment=one, others=[two.pk]) == parcel
    assert ShipmentEvent.objects.filter(kind="merged").count() == 2


def test_a_third_order_joins_the_open_parcel(pair, shipping):
    one, two = pair
    parcel = merging.shipments_merge(actor=None, shipment=one, others=[two.pk])
    product = shipping.product()
    shipping.stock(product, shipping.shanghai, 1)
    third_order = shipping.allocated_order((product, 1), customer=one.order.customer)
    [three] = services.shipments_create_for_order(actor=None, order=third_order)
    assert candidate_reasons(three) == {one.number: None, two.number: None}
    assert merging.shipments_merge(actor=None, shipment=three, others=[one.pk]) == parcel
    assert parcel.shipments.count() == 3


def test_merged_parcel_dispatches_every_order_with_one_tracking_number(pair, shipping):
    one, two = pair
    parcel = merging.shipments_merge(actor=None, shipment=one, others=[two.pk])
    for shipment in (one, two):
        services.shipment_pack(
            actor=None, shipment=services.shipment_start_picking(actor=None, shipment=shipment)
        )
    # A member cannot leave on its own.
    with pytest.raises(ShipmentError, match="dispatch the merged parcel"):
        services.shipment_dispatch(actor=None, shipment=one, details=shipping.details("SOLO"))
    merging.parcel_dispatch(
        actor=None,
        parcel=parcel,
        details=shipping.details("SF-PARCEL-1", parcels=1),
        expected=[one.number, two.number],
    )
    parcel = fresh(parcel)
    assert (parcel.status, parcel.tracking_number, parcel.parcels) == (
        "dispatched",
        "SF-PARCEL-1",
        1,
    )
    for shipment in (one, two):
        shipment = fresh(shipment)
        assert (shipment.status, shipment.tracking_number) == ("dispatched", "SF-PARCEL-1")
        assert shipment.order.status == "shipped"
        issues = StockMovement.objects.filter(kind="issue", reference=shipment.number)
        assert issues.count() == shipment.lines.count()
    assert_books_balance()
    # The number is the parcel's: no other shipment may carry it.
    product = shipping.product()
    shipping.stock(product, shipping.shanghai, 1)
    [other] = shipping.packed(shipping.allocated_order((product, 1)))
    with pytest.raises(ValidationError):
        services.shipment_dispatch(
            actor=None, shipment=other, details=shipping.details("SF-PARCEL-1")
        )


def test_the_database_lets_only_one_parcel_share_a_tracking_number(pair, shipping):
    one, two = pair
    parcel = merging.shipments_merge(actor=None, shipment=one, others=[two.pk])
    Shipment.objects.filter(pk__in=[one.pk, two.pk]).update(carrier="SF", tracking_number="T1")
    assert Shipment.objects.filter(merged_parcel=parcel, tracking_number="T1").count() == 2
    product = shipping.product()
    shipping.stock(product, shipping.shanghai, 2)
    customer = shipping.customer()
    for _ in range(2):
        services.shipments_create_for_order(
            actor=None, order=shipping.allocated_order((product, 1), customer=customer)
        )
    lone = Shipment.objects.filter(merged_parcel__isnull=True).order_by("pk")
    Shipment.objects.filter(pk=lone[0].pk).update(carrier="SF", tracking_number="T2")
    with pytest.raises(IntegrityError), transaction.atomic():
        Shipment.objects.filter(pk=lone[1].pk).update(carrier="SF", tracking_number="T2")


def test_a_changed_parcel_is_not_dispatched(pair, shipping):
    one, two = pair
    parcel = merging.shipments_merge(actor=None, shipment=one, others=[two.pk])
    for shipment in (one, two):
        services.shipment_pack(
            actor=None, shipment=services.shipment_start_picking(actor=None, shipment=shipment)
        )
    with pytest.raises(ShipmentError, match="changed"):
        merging.parcel_dispatch(
            actor=None, parcel=parcel, details=shipping.details("T9"), expected=[one.number]
        )
    assert fresh(one).status == "packed"


def test_unmerge_before_dispatch(pair):
    one, two = pair
    parcel = merging.shipments_merge(actor=None, shipment=one, others=[two.pk])
    merging.parcel_unmerge(actor=None, parcel=parcel)
    assert fresh(parcel).status == "unmerged"
    assert not Shipment.objects.filter(merged_parcel__isnull=False).exists()
    assert ShipmentEvent.objects.filter(kind="unmerged").count() == 2
    assert OrderEvent.objects.filter(kind="shipping").count() == 4
    with pytest.raises(ShipmentError):
        merging.parcel_unmerge(actor=None, parcel=parcel)


def test_cancelling_a_member_order_unmerges_a_parcel_of_two(pair):
    one, two = pair
    parcel = merging.shipments_merge(actor=None, shipment=one, others=[two.pk])
    order_services.order_cancel(actor=None, order=one.order, reason="customer changed mind")
    assert fresh(one).status == "cancelled"
    assert fresh(one).merged_parcel is None
    assert fresh(two).merged_parcel is None
    assert fresh(parcel).status == "unmerged"
    notes = [e.message["code"] for e in OrderEvent.objects.filter(kind="shipping").order_by("pk")]
    assert notes == ["parcel_merged", "parcel_merged", "parcel_left", "parcel_unmerged"]
    assert_books_balance()


def test_roles_without_the_right_cannot_merge(pair):
    one, two = pair
    with pytest.raises(ShipmentError):
        merging.shipments_merge(actor=UserFactory(role="sales"), shipment=one, others=[two.pk])


def test_the_parcel_label_carries_the_tracking_number_and_every_order(
    pair, shipping, client, tmp_path
):
    one, two = pair
    parcel = merging.shipments_merge(actor=None, shipment=one, others=[two.pk])
    for shipment in (one, two):
        services.shipment_pack(
            actor=None, shipment=services.shipment_start_picking(actor=None, shipment=shipment)
        )
    merging.parcel_dispatch(actor=None, parcel=parcel, details=shipping.details("SF8800000001"))
    client.force_login(UserFactory(role="warehouse"))
    pdf = pdf_of(client, f"/parcels/{parcel.number}/label/", tmp_path)
    text = pdf_text(pdf)
    assert parcel.number in text
    assert one.order.number in text
    assert two.order.number in text
    assert "CODE-128:SF8800000001" in barcodes_in(pdf, tmp_path)
