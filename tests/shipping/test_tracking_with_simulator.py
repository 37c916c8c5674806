"""Tracking against the local carrier simulator over real HTTP: the reconciliation poll when
a carrier goes down in the middle of it (its circuit opens, the other carrier is still polled,
nothing is lost after the restart), and subscriptions whose signed pushes reach our callback
endpoint and move the shipments."""

import threading
import time
from decimal import Decimal

import pytest
from django.test import override_settings

from shipping import services
from shipping.choices import ShipmentStatus, TrackingKind
from shipping.models import Carrier, ReceivedCallback, Shipment, TrackingEvent
from shipping.simulator import CarrierSimulator
from shipping.simulator_protocol import SimulatorConfig, journey
from shipping.tracking.polling import shipments_due_for_poll, tracking_poll
from shipping.tracking.services import breaker_for, callback_process
from shipping.tracking.statuses import CallbackState
from shipping.tracking.subscriptions import tracking_subscribe

S = ShipmentStatus
CUSTOMER, KEY, SALT = (
    "C0FFEE00C0FFEE00C0FFEE00C0FFEE00",
    "testKey123",
    "salt-of-32-characters-0123456789",
)
CALM = {"exception_share": 0, "return_share": 0, "duplicate_share": 0, "out_of_order_share": 0}
PARCELS = 8


class GoesDownAfter(CarrierSimulator):
    """A simulator that stops listening after answering `answers` queries."""

    def __init__(self, config, *, answers: int, port: int = 0):
        super().__init__(config, port=port)
        self.left = answers

    def query(self, form):
        answer = super().query(form)
        self.left -= 1
        if self.left == 0:
            threading.Thread(target=self.stop).start()
        return answer


def carrier_at(simulator: CarrierSimulator, code: str, name: str, company: str) -> Carrier:
    carrier = Carrier.objects.create(
        code=code,
        name=name,
        tracking_kind=TrackingKind.KUAIDI100,
        tracking_endpoint=simulator.url,
        tracking_company=company,
        tracking_customer=CUSTOMER,
        tracking_key=KEY,
        tracking_secret=SALT,
        tracking_rate_limit=1000,
    )
    breaker_for(carrier).reset()  # the shared cache outlives the test database
    return carrier


def dispatched(shipping, carrier: Carrier, count: int, prefix: str) -> list[Shipment]:
    product = shipping.product(weight_kg=Decimal("1.000"))
    shipping.stock(product, shipping.shanghai, count)
    shipments = []
    for n in range(count):
        order = shipping.allocated_order((product, 1))
        [shipment] = shipping.packed(order)
        shipments.append(
            services.shipment_dispatch(
                actor=None,
                shipment=shipment,
                details=shipping.details(carrier=carrier.name, tracking=f"{prefix}{n:08d}"),
            )
        )
    return shipments


def scans(simulator: CarrierSimulator, carrier: Carrier, shipment: Shipment) -> list[str]:
    steps = journey(
        simulator.config,
        carrier.tracking_company,
        shipment.tracking_number,
        origin=shipment.warehouse.city,  # the adapter names the cities
        destination=shipment.order.ship_city,
    )
    return sorted(step.detail for step in steps)


def stored_codes(shipment: Shipment) -> list[str]:
    return sorted(
        TrackingEvent.objects.filter(shipment=shipment).values_list("raw_code", flat=True)
    )


# One request at a time, so the counts are exact (the healthy carrier's poll takes the same).
@override_settings(
    OMS_TRACKING_BREAKER_FAILURES=3,
    OMS_TRACKING_BREAKER_COOL_DOWN=3.0,
    OMS_TRACKING_POLL_CONNECTIONS=1,
)
def test_a_carrier_going_down_mid_poll_opens_its_circuit_and_loses_nothing(shipping, tmp_path):
    config = SimulatorConfig(
        accounts={CUSTOMER: KEY}, step_seconds=0, state_path=str(tmp_path / "sf.db"), **CALM
    )
    failing = GoesDownAfter(config, answers=3).start()
    healthy = CarrierSimulator(SimulatorConfig(accounts={CUSTOMER: KEY}, step_seconds=0, **CALM))
    healthy.start()
    try:
        sf = carrier_at(failing, "SF", "SF Express", "shunfeng")
        zto = carrier_at(healthy, "ZTO", "ZTO Express", "zhongtong")
        sf_parcels = dispatched(shipping, sf, PARCELS, "SF")
        zto_parcels = dispatched(shipping, zto, PARCELS, "ZT")

        first = tracking_poll(carrier=sf, shipment_ids=[s.pk for s in sf_parcels])
        # Three answers, then three refused connections open the circuit; the rest waits.
        assert (first.checked, first.failed, first.left) == (3, 3, PARCELS - 6)
        assert breaker_for(sf).state().state == "open"
        started = time.monotonic()
        other = tracking_poll(carrier=zto, shipment_ids=[s.pk for s in zto_parcels])
        assert (other.checked, other.failed, other.left) == (PARCELS, 0, 0)
        assert time.monotonic() - started < 10
        # Nothing is written for the parcels not asked: they stay due, first in line.
        assert len(shipments_due_for_poll(sf, limit=100)) == PARCELS - 3

        # The carrier comes back on the same address, with its parcels' clocks.
        while failing.threads[0].is_alive():
            time.sleep(0.05)
        port = int(sf.tracking_endpoint.rsplit(":", 1)[1])
        back = CarrierSimulator(config, port=port).start()
        try:
            time.sleep(3.1)  # the cool-down: the next call is the half-open trial
            due = shipments_due_for_poll(sf, limit=100)
            second = tracking_poll(carrier=sf, shipment_ids=due)
            assert (second.checked, second.failed, second.left) == (PARCELS - 3, 0, 0)
            assert breaker_for(sf).state().state == "closed"
        finally:
            back.stop()
    finally:
        healthy.stop()
        if not failing.stopping.is_set():
            failing.stop()

    for carrier, simulator, parcels in ((sf, failing, sf_parcels), (zto, healthy, zto_parcels)):
        for shipment in parcels:
            # Every scan the carrier made is stored once, and the parcel is delivered.
            assert stored_codes(shipment) == scans(simulator, carrier, shipment)
            shipment.refresh_from_db()
            assert shipment.status == S.DELIVERED
            assert shipment.order.status == "delivered"


@pytest.mark.django_db(transaction=True)
def test_subscribed_parcels_are_pushed_to_our_endpoint_and_move(shipping, live_server):
    config = SimulatorConfig(
        accounts={CUSTOMER: KEY},
        step_seconds=0.05,
        duplicate_share=0.3,
        out_of_order_share=0.3,
        exception_share=0,
        return_share=0,
    )
    with (
        CarrierSimulator(config) as simulator,
        override_settings(OMS_CALLBACK_BASE_URL=live_server.url),
    ):
        zto = carrier_at(simulator, "ZTO", "ZTO Express", "zhongtong")
        parcels = dispatched(shipping, zto, 4, "ZT")
        for shipment in parcels:
            assert tracking_subscribe(shipment_id=shipment.pk) == "subscribed"
        # Subscribing again is harmless (the carrier answers 501: already subscribed).
        Shipment.objects.filter(pk=parcels[0].pk).update(tracking_subscribed_at=None)
        assert tracking_subscribe(shipment_id=parcels[0].pk) == "subscribed"
        deadline = time.monotonic() + 30
        while simulator.summary()["finished"] < len(parcels) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert simulator.summary() == {
            "parcels": 4,
            "subscriptions": 4,
            "finished": 4,
            "retrying": 0,
        }

    received = ReceivedCallback.objects.filter(carrier=zto)
    assert received.exists()
    # Each delivery is stored once (the duplicates were answered but not stored again).
    assert received.count() == len(set(received.values_list("delivery_id", flat=True)))
    for row in received.order_by("received_at"):  # what the worker does
        callback_process(callback_id=row.pk)
    assert set(received.values_list("state", flat=True)) == {CallbackState.PROCESSED}
    for shipment in parcels:
        assert stored_codes(shipment) == scans(simulator, zto, shipment)
        shipment.refresh_from_db()
        assert shipment.status == S.DELIVERED
