"""Shipments: each role may only do its own part (pick, pack, dispatch, carrier news), and a
dispatch sent twice (double click, reload, two people at once) issues the stock once."""

import threading

import pytest
from django.db import connection
from django.test import Client

from inventory.models import StockLevel, StockMovement
from shipping.models import Shipment
from tests.factories import UserFactory
from tests.shipping.conftest import Shipping
from tests.shipping.test_views import dispatch_form


@pytest.fixture
def shipping(db):
    return Shipping()


def packed_shipment(shipping):
    product = shipping.product()
    order = shipping.allocated_order((product, 2), stock=[(product, shipping.shanghai, 2)])
    [shipment] = shipping.packed(order)
    return shipment


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "path", "data"),
    [
        ("sales", "dispatch", dispatch_form()),
        ("finance", "dispatch", dispatch_form()),
        ("customer_service", "dispatch", dispatch_form()),
        ("reviewer", "pack", {}),
        ("logistics", "pack", {}),
        ("manager", "start-picking", {}),
        ("warehouse", "progress", {"action": "delivered"}),
        ("sales", "progress", {"action": "delivered"}),
    ],
)
def test_roles_cannot_do_another_roles_part(shipping, client_for, role, path, data):
    shipment = packed_shipment(shipping)
    before = list(Shipment.objects.values_list("status", "updated_at"))
    response = client_for(role).post(f"/shipments/{shipment.number}/{path}/", data)
    assert response.status_code == 403
    assert list(Shipment.objects.values_list("status", "updated_at")) == before
    assert not StockMovement.objects.filter(kind="issue").exists()


@pytest.mark.django_db
def test_a_dispatch_sent_twice_issues_the_stock_once(shipping, client_for):
    shipment = packed_shipment(shipping)
    client = client_for("warehouse")
    url = f"/shipments/{shipment.number}/dispatch/"
    assert client.post(url, dispatch_form()).status_code == 302
    again = client.post(url, dispatch_form(tracking_number="SF78"))
    assert again.status_code == 422
    assert "has already been dispatched" in again.content.decode()
    assert StockMovement.objects.filter(kind="issue").count() == 1
    assert Shipment.objects.get(pk=shipment.pk).tracking_number == "SF77"
    level = StockLevel.objects.get()
    assert (level.on_hand, level.reserved) == (0, 0)


@pytest.mark.django_db
def test_a_second_pack_click_changes_nothing(shipping, client_for):
    product = shipping.product()
    order = shipping.allocated_order((product, 1), stock=[(product, shipping.shanghai, 1)])
    [shipment] = shipping.picked(order)
    client = client_for("warehouse")
    client.post(f"/shipments/{shipment.number}/pack/")
    page = client.post(f"/shipments/{shipment.number}/pack/", follow=True).content.decode()
    assert "cannot become" in page
    assert shipment.events.filter(to_status="packed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_people_dispatching_at_once_issue_the_stock_once():
    shipping = Shipping()
    shipment = packed_shipment(shipping)
    users = [UserFactory(username=f"dock-{i}", role="warehouse") for i in range(2)]
    barrier = threading.Barrier(2)
    statuses = []

    def send(user, tracking):
        client = Client()
        client.force_login(user)
        barrier.wait()
        try:
            response = client.post(
                f"/shipments/{shipment.number}/dispatch/", dispatch_form(tracking_number=tracking)
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(user, f"T-{i}")) for i, user in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302, 422]
    assert StockMovement.objects.filter(kind="issue").count() == 1
    level = StockLevel.objects.get()
    assert (level.on_hand, level.reserved) == (0, 0)
