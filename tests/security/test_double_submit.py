"""A create form sent twice (double click, reload, retry) saves once."""

import threading
import uuid

import pytest
from django.db import connection
from django.test import Client

from customers.models import Customer
from inventory.models import StockMovement
from oms.models import SubmittedForm
from tests.customers.test_customer_views import VALID
from tests.factories import ProductFactory, UserFactory, WarehouseFactory


def receipt(product, warehouse, token):
    return {
        "product": product.sku,
        "warehouse": warehouse.pk,
        "quantity": "20",
        "unit_cost": "12.50",
        "reference": "PO-7",
        "form_token": str(token),
    }


@pytest.mark.django_db
def test_the_form_carries_a_fresh_token(client_for):
    client = client_for("warehouse")
    first = client.get("/stock/receive/").content.decode()
    second = client.get("/stock/receive/").content.decode()
    assert 'name="form_token"' in first
    token = first.split('name="form_token" value="')[1][:36]
    assert str(uuid.UUID(token)) not in second


@pytest.mark.django_db
def test_a_second_receipt_with_the_same_token_saves_nothing(client_for):
    product, warehouse = ProductFactory(), WarehouseFactory()
    client = client_for("warehouse")
    token = uuid.uuid4()
    first = client.post("/stock/receive/", receipt(product, warehouse, token))
    again = client.post("/stock/receive/", receipt(product, warehouse, token), follow=True)
    assert first.status_code == 302
    assert again.redirect_chain[0][0] == first["Location"]
    assert "already sent" in again.content.decode()
    assert StockMovement.objects.filter(product=product).count() == 1


@pytest.mark.django_db
def test_a_rejected_form_keeps_its_token_for_the_corrected_submit(client_for):
    product, warehouse = ProductFactory(), WarehouseFactory()
    client = client_for("warehouse")
    token = uuid.uuid4()
    bad = client.post("/stock/receive/", {**receipt(product, warehouse, token), "quantity": "0"})
    assert bad.status_code == 422
    assert str(token) in bad.content.decode()
    assert not SubmittedForm.objects.filter(token=token).exists()
    assert client.post("/stock/receive/", receipt(product, warehouse, token)).status_code == 302
    assert StockMovement.objects.filter(product=product).count() == 1


@pytest.mark.django_db
def test_a_second_new_customer_with_the_same_token_saves_nothing(client_for):
    client = client_for("sales")
    data = {**VALID, "form_token": str(uuid.uuid4())}
    assert client.post("/customers/new/", data).status_code == 302
    assert client.post("/customers/new/", data).status_code == 302
    assert Customer.objects.filter(code="C90001").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_save_once():
    product, warehouse = ProductFactory(), WarehouseFactory()
    user = UserFactory(username="twin", role="warehouse")
    token = uuid.uuid4()
    barrier = threading.Barrier(2)
    statuses = []

    def submit():
        client = Client()
        client.force_login(user)
        barrier.wait()
        try:
            statuses.append(client.post("/stock/receive/", receipt(product, warehouse, token)))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in statuses] == [302, 302]
    assert StockMovement.objects.filter(product=product).count() == 1
