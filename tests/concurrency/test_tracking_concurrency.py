"""A poll's chunk and pushes of the same parcels applied at the same moment, each in its own
thread and connection: every event stored once, the shipments and their orders end where the
latest events say, each move and each message once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from oms.models import AuditLog, OutboxMessage
from orders.models import Order
from shipping import services
from shipping.models import Shipment, ShipmentEvent, TrackingEvent
from shipping.tracking.adapters import CarrierEvent
from shipping.tracking.polling import _poll_apply_many
from shipping.tracking.services import tracking_events_apply
from shipping.tracking.statuses import TrackingSource
from tests.concurrency.harness import race
from tests.shipping.conftest import Shipping
from tests.shipping.tracking_helpers import dispatch, kuaidi100_carrier

pytestmark = pytest.mark.django_db(transaction=True)


def journey(number: str) -> list[CarrierEvent]:
    now = timezone.now()
    return [
        CarrierEvent(number, now - timedelta(hours=5), "0", "in_transit", "上海"),
        CarrierEvent(number, now - timedelta(hours=1), "3", "delivered", "杭州"),
    ]


def test_a_poll_and_pushes_of_the_same_parcels_at_once():
    shipping = Shipping()
    carrier = kuaidi100_carrier()
    product = shipping.product()
    order = shipping.allocated_order(
        (product, 5), stock=[(product, shipping.shanghai, 3), (product, shipping.guangzhou, 2)]
    )
    parcels = shipping.packed(order)
    for parcel, number in zip(parcels, ("KC000001", "KC000002"), strict=True):
        services.shipment_dispatch(
            actor=None, shipment=parcel, details=shipping.details(number, carrier=carrier.name)
        )
    parcels = list(Shipment.objects.filter(order=order).order_by("pk"))
    parcels += [dispatch(shipping, carrier, f"KC1{i:05d}") for i in range(4)]
    events = {p.pk: journey(p.tracking_number) for p in parcels}

    def poll():
        return _poll_apply_many(carrier, [(p.pk, events[p.pk]) for p in parcels])

    def pushes():  # the carrier pushing the same journeys, newest parcel first
        return [
            tracking_events_apply(shipment=p.pk, events=events[p.pk], source=TrackingSource.PUSH)
            for p in reversed(parcels)
        ]

    results = race(poll, pushes)
    assert not [r for r in results if isinstance(r, Exception)], results
    ids = [p.pk for p in parcels]
    assert TrackingEvent.objects.filter(shipment_id__in=ids).count() == 2 * len(parcels)
    assert set(Shipment.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        "delivered"
    }
    moved = ShipmentEvent.objects.filter(shipment_id__in=ids, to_status="delivered")
    assert sorted(moved.values_list("shipment_id", flat=True)) == sorted(ids)
    audits = AuditLog.objects.filter(action="shipment.status", object_id__in=[str(i) for i in ids])
    assert sum(1 for row in audits if row.changes["status"][1] == "delivered") == len(ids)
    told = OutboxMessage.objects.filter(event_code="shipment.delivered")
    assert told.count() == len(ids)
    assert Order.objects.get(pk=order.pk).status == "delivered"
    assert order.events.filter(kind="status", to_status="delivered").count() == 1
