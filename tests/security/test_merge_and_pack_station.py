"""Merging, splitting and the pack station against tampering: another salesperson's customers
stay invisible (404, nothing written), another warehouse's shipment is refused at a station,
a shipment number of another customer smuggled into a merge is refused, and forms sent twice
act once."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from inventory.models import StockMovement
from shipping import merging, services
from shipping.models import MergedParcel, PackSession, Shipment
from tests.factories import UserFactory
from tests.shipping.conftest import Shipping

pytestmark = pytest.mark.django_db


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


@pytest.fixture
def world(db, settings):
    settings.OMS_SALES_OWN_CUSTOMERS_ONLY = True
    shipping = Shipping()
    product = shipping.product()
    shipping.stock(product, shipping.shanghai, 20)
    sales1 = UserFactory(username="sales1", role="sales")
    sales2 = UserFactory(username="sales2", role="sales")
    # Sales with the warehouse's rights too, to show the customer scope holds on these pages.
    for user in (sales1,):
        user.user_permissions.add(
            *Permission.objects.filter(
                codename__in=["merge_shipment", "pack_shipment", "pick_shipment"]
            )
        )
    mine = shipping.customer(salesperson=sales1)
    theirs = shipping.customer(salesperson=sales2)

    def two_shipments(customer):
        orders = [shipping.allocated_order((product, 2), customer=customer) for _ in range(2)]
        return [services.shipments_create_for_order(actor=None, order=o)[0] for o in orders]

    return {
        "shipping": shipping,
        "product": product,
        "sales1": fresh(sales1),
        "mine": two_shipments(mine),
        "theirs": two_shipments(theirs),
    }


def test_another_salespersons_shipments_and_parcels_are_invisible(world, client):
    client.force_login(world["sales1"])
    a, b = world["theirs"]
    parcel = merging.shipments_merge(actor=None, shipment=a, others=[b.pk])
    for url in (
        reverse("shipping:parcel", args=[parcel.number]),
        reverse("shipping:parcel_label", args=[parcel.number]),
        reverse("shipping:split", args=[a.number]),
        reverse("shipping:pack_station_shipment", args=[a.number]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("shipping:parcel_unmerge", args=[parcel.number])).status_code == 404
    assert (
        client.post(
            reverse("shipping:pack_station_shipment", args=[a.number]), {"code": "X"}
        ).status_code
        == 404
    )
    assert fresh(parcel).status == "open"
    # The station does not find it by its barcode either.
    response = client.get(reverse("shipping:pack_station"), {"code": a.number})
    assert response.status_code == 422
    assert "No shipment has the barcode" in response.text


def test_a_shipment_of_another_customer_cannot_be_smuggled_into_a_merge(world, client):
    client.force_login(world["sales1"])
    mine, _ = world["mine"]
    theirs, _ = world["theirs"]
    response = client.post(
        reverse("shipping:merge", args=[mine.number]), {"with": [theirs.number]}, follow=True
    )
    assert "Tick the shipments to merge with." in response.text
    assert not MergedParcel.objects.exists()
    # Visible to a warehouse user, the other customer's shipment is still refused by the rules.
    warehouse = UserFactory(role="warehouse")
    client.force_login(warehouse)
    response = client.post(
        reverse("shipping:merge", args=[mine.number]), {"with": [theirs.number]}, follow=True
    )
    assert "another customer" in response.text
    assert not MergedParcel.objects.exists()


def test_another_warehouses_shipment_is_refused_at_the_station(world, client):
    shipping = world["shipping"]
    packer = UserFactory(role="warehouse")
    client.force_login(packer)
    mine, _ = world["mine"]
    services.shipment_start_picking(actor=None, shipment=mine)
    station = reverse("shipping:pack_station")
    response = client.get(station, {"warehouse": shipping.guangzhou.pk, "code": mine.number})
    assert response.status_code == 422
    assert "another warehouse" in response.text
    # Posting scans straight to the shipment's page is refused too, and counts nothing.
    page = reverse("shipping:pack_station_shipment", args=[mine.number])
    response = client.post(page, {"code": world["product"].sku, "scan_id": "1"}, follow=True)
    assert "another warehouse" in response.text
    assert not PackSession.objects.exists()


def test_forms_sent_twice_act_once(world, client):
    shipping = world["shipping"]
    packer = UserFactory(role="warehouse")
    client.force_login(packer)
    one, two = world["mine"]
    # A scan sent twice (same one-time id) counts once.
    services.shipment_start_picking(actor=None, shipment=one)
    page = reverse("shipping:pack_station_shipment", args=[one.number])
    for _ in range(2):
        client.post(page, {"code": world["product"].sku, "scan_id": "same"})
    assert PackSession.objects.get(shipment=one).counts == {str(one.lines.get().pk): 1}
    # A split sent twice splits once.
    services.shipment_start_picking(actor=None, shipment=two)
    split = reverse("shipping:split", args=[two.number])
    line = two.lines.get()
    form = {"form_token": "6d3c0e2a-2f7d-4a4b-9f57-0a9a4b9f1d11", f"move-{line.pk}": "1"}
    first = client.post(split, form)
    second = client.post(split, form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Shipment.objects.filter(order=two.order).count() == 2
    # A parcel dispatched twice issues the goods once.
    PackSession.objects.all().delete()
    a, b = (
        services.shipments_create_for_order(
            actor=None, order=shipping.allocated_order((world["product"], 1), customer=c)
        )[0]
        for c in [one.order.customer] * 2
    )
    parcel = merging.shipments_merge(actor=None, shipment=a, others=[b.pk])
    for s in (a, b):
        services.shipment_pack(
            actor=None, shipment=services.shipment_start_picking(actor=None, shipment=s)
        )
    url = reverse("shipping:parcel_dispatch", args=[parcel.number])
    data = {
        "carrier": "SF Express",
        "service": "express",
        "tracking_number": "SF-TWICE-1",
        "parcels": "1",
        "members": f"{a.number},{b.number}",
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 422
    assert (
        StockMovement.objects.filter(kind="issue", reference__in=[a.number, b.number]).count() == 2
    )
