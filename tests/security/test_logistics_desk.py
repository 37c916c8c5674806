"""The logistics desk's and returns' actions under hostile input and the wrong roles: a clear
message or a refusal, nothing written, never a 500."""

import pytest

from inventory.models import StockMovement
from shipping import services
from shipping.models import ReturnReceipt, Shipment, ShipmentEvent
from shipping.permissions import ShipmentAction
from tests.shipping.conftest import Shipping


@pytest.fixture
def shipping(db):
    return Shipping()


@pytest.fixture
def parcels(shipping):
    product = shipping.product()
    shipping.stock(product, shipping.shanghai, 5)

    def dispatched(n):
        [shipment] = shipping.packed(shipping.allocated_order((product, 1)))
        return services.shipment_dispatch(
            actor=None, shipment=shipment, details=shipping.details(f"SEC{n}")
        )

    on_the_way, back = dispatched(1), dispatched(2)
    services.shipment_record_progress(actor=None, shipment=back, action=ShipmentAction.RETURNED)
    return on_the_way, back


HOSTILE = ["x" * 5000, "<script>alert(1)</script>", "'; DROP TABLE shipping_shipment; --", "\x00"]


def test_hostile_input_is_refused_with_a_message(client_for, parcels):
    on_the_way, back = parcels
    client = client_for("logistics")
    events = ShipmentEvent.objects.count()
    for value in HOSTILE:
        for url, data in (
            (f"/shipments/{on_the_way.number}/contact/", {"note": "x" * 5000}),
            (
                f"/shipments/{on_the_way.number}/redispatch/",
                {"carrier": value, "tracking_number": value, "expected_delivery_date": value},
            ),
            (f"/shipments/{back.number}/return/receive/", {"note": "x" * 5000}),
            (f"/shipments/{back.number}/return/close/", {"note": ""}),
        ):
            response = client.post(url, data, follow=True)
            if response.status_code == 400:  # a NUL byte is refused before any view runs
                continue
            assert response.status_code == 200, url
            assert b"alert-danger" in response.content, url
    assert ShipmentEvent.objects.count() == events
    assert not ReturnReceipt.objects.exists()
    assert not StockMovement.objects.filter(kind="return").exists()
    assert Shipment.objects.get(pk=on_the_way.pk).tracking_number == "SEC1"
    # Only POST acts.
    assert client.get(f"/shipments/{back.number}/return/receive/").status_code == 405


@pytest.mark.parametrize("role", ["sales", "finance", "reviewer", "customer_service"])
def test_roles_without_the_right_cannot_act(client_for, parcels, role):
    on_the_way, back = parcels
    client = client_for(role)
    for url, data in (
        (f"/shipments/{on_the_way.number}/contact/", {"note": "hello"}),
        (f"/shipments/{on_the_way.number}/redispatch/", {"carrier": "X", "tracking_number": "Y"}),
        (f"/shipments/{back.number}/return/receive/", {}),
        (f"/shipments/{back.number}/return/reship/", {}),
        (f"/shipments/{back.number}/return/close/", {"note": "no"}),
    ):
        assert client.post(url, data).status_code == 403, (role, url)
    assert client.get("/shipments/attention/").status_code == 403
    assert not ReturnReceipt.objects.exists()
    assert not ShipmentEvent.objects.filter(kind__in=["contact", "redispatched"]).exists()
