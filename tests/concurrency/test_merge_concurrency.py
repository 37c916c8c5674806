"""Merged parcels under races, each side in its own thread and connection: merging against
dispatching or cancelling, and a parcel's dispatch against a member order's cancel. Exactly
one wins, the loser gets a message, the books stay exact."""

import pytest

from inventory.selectors import ledger_drift
from oms.errors import ServiceError
from orders import services as order_services
from orders.models import Order
from orders.selectors import reservation_drift
from shipping import merging, services
from shipping.models import MergedParcel, Shipment
from tests.concurrency.harness import race
from tests.shipping.conftest import Shipping

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 4


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def books_balance():
    assert list(reservation_drift()) == []
    assert list(ledger_drift()) == []


def pair(shipping, product, *, packed):
    customer = shipping.customer()
    orders = [shipping.allocated_order((product, 1), customer=customer) for _ in range(2)]
    shipments = [services.shipments_create_for_order(actor=None, order=o)[0] for o in orders]
    if packed:
        shipments = [
            services.shipment_pack(
                actor=None, shipment=services.shipment_start_picking(actor=None, shipment=s)
            )
            for s in shipments
        ]
    return shipments


def test_parcel_dispatch_against_a_member_cancel_one_wins():
    shipping = Shipping()
    product = shipping.product()
    shipping.stock(product, shipping.shanghai, 2 * ROUNDS)
    outcomes = set()
    for n in range(ROUNDS):
        one, two = pair(shipping, product, packed=True)
        parcel = merging.shipments_merge(actor=None, shipment=one, others=[two.pk])
        dispatched, cancelled = race(
            lambda parcel=parcel, n=n, one=one, two=two: merging.parcel_dispatch(
                actor=None,
                parcel=parcel,
                details=shipping.details(f"PARCEL-{n}"),
                expected=[one.number, two.number],
            ),
            lambda order=one.order: order_services.order_cancel(
                actor=None, order=order, reason="race"
            ),
        )
        errors = [r for r in (dispatched, cancelled) if isinstance(r, Exception)]
        assert len(errors) == 1, (dispatched, cancelled)
        assert isinstance(errors[0], ServiceError)
        assert str(errors[0])
        if isinstance(cancelled, Exception):  # the parcel left with both orders
            outcomes.add("dispatch")
            assert fresh(parcel).status == "dispatched"
            assert {fresh(s).status for s in (one, two)} == {"dispatched"}
            assert {Order.objects.get(pk=s.order_id).status for s in (one, two)} == {"shipped"}
        else:  # the cancel came first: nothing left, the parcel is unmerged
            outcomes.add("cancel")
            assert fresh(parcel).status == "unmerged"
            assert (fresh(one).status, fresh(two).status) == ("cancelled", "packed")
            assert fresh(two).merged_parcel_id is None
        books_balance()
    assert outcomes


def test_merging_against_dispatching_one_of_them():
    shipping = Shipping()
    product = shipping.product()
    shipping.stock(product, shipping.shanghai, 2 * ROUNDS)
    for n in range(ROUNDS):
        one, two = pair(shipping, product, packed=True)
        merged, dispatched = race(
            lambda one=one, two=two: merging.shipments_merge(
                actor=None, shipment=one, others=[two.pk]
            ),
            lambda two=two, n=n: services.shipment_dispatch(
                actor=None, shipment=two, details=shipping.details(f"SOLO-{n}")
            ),
        )
        errors = [r for r in (merged, dispatched) if isinstance(r, Exception)]
        assert len(errors) == 1, (merged, dispatched)
        assert isinstance(errors[0], ServiceError)
        assert str(errors[0])
        two = fresh(two)
        if isinstance(merged, Exception):
            assert two.status == "dispatched"
            assert two.merged_parcel_id is None
        else:
            assert two.status == "packed"
            assert two.merged_parcel_id == merged.pk
        books_balance()


def test_two_merges_of_overlapping_shipments_make_one_parcel():
    shipping = Shipping()
    product = shipping.product()
    shipping.stock(product, shipping.shanghai, 3)
    customer = shipping.customer()
    orders = [shipping.allocated_order((product, 1), customer=customer) for _ in range(3)]
    a, b, c = (services.shipments_create_for_order(actor=None, order=o)[0] for o in orders)
    results = race(
        lambda: merging.shipments_merge(actor=None, shipment=a, others=[b.pk]),
        lambda: merging.shipments_merge(actor=None, shipment=c, others=[b.pk]),
    )
    parcels = {r.pk for r in results if isinstance(r, MergedParcel)}
    # Either both merges landed in one parcel, or the second was told the parcel changed.
    assert len(parcels) == 1
    for result in results:
        if isinstance(result, Exception):
            assert isinstance(result, ServiceError), repr(result)
    [parcel_id] = parcels
    members = set(Shipment.objects.filter(merged_parcel_id=parcel_id).values_list("pk", flat=True))
    assert {a.pk, b.pk} <= members or {b.pk, c.pk} <= members
    assert MergedParcel.objects.filter(status="open").count() == 1


def test_merging_against_cancelling_one_of_the_orders():
    shipping = Shipping()
    product = shipping.product()
    shipping.stock(product, shipping.shanghai, 2 * ROUNDS)
    for _ in range(ROUNDS):
        one, two = pair(shipping, product, packed=False)
        merged, cancelled = race(
            lambda one=one, two=two: merging.shipments_merge(
                actor=None, shipment=one, others=[two.pk]
            ),
            lambda two=two: order_services.order_cancel(actor=None, order=two.order, reason="race"),
        )
        assert not isinstance(cancelled, Exception), cancelled
        # Either the merge came second and was refused, or it came first and the cancel took
        # the shipment out again: nothing is left merged with a cancelled order.
        if isinstance(merged, Exception):
            assert isinstance(merged, ServiceError)
            assert str(merged)
        else:
            assert fresh(merged).status == "unmerged"
        assert fresh(two).status == "cancelled"
        assert fresh(two).merged_parcel_id is None
        assert fresh(one).merged_parcel_id is None
        books_balance()
