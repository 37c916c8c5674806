"""The work order page: its bill of materials, adding and removing components, the materials
confirmation and starting production, as staff use them."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from inventory.models import ComponentReservation, StockLevel
from inventory.services import stock_receive
from inventory.work_orders import work_order_create
from tests.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def work_order():
    warehouse = WarehouseFactory(code="SH1")
    lamp = ProductFactory(sku="CHAND-1", made_to_order=True)
    for sku, quantity in (("CRYSTAL-1", 100), ("FRAME-1", 3)):
        stock_receive(
            actor=None,
            product=ProductFactory(sku=sku),
            warehouse=warehouse,
            quantity=quantity,
            unit_cost=Decimal(5),
        )
    return work_order_create(product=lamp, warehouse=warehouse, quantity=2, reference="SO-9")


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_bill_of_materials_is_built_confirmed_and_reserved_from_the_page(
    work_order, client_for
):
    warehouse = client_for("warehouse")
    page = reverse("inventory:work_order_detail", args=[work_order.pk])
    add = reverse("inventory:work_order_component_set", args=[work_order.pk])
    html = warehouse.get(page).content.decode()
    assert "This work order has no bill of materials." in html
    assert 'id="id_product"' in html  # the warehouse keeps the bill of materials
    response = warehouse.post(add, {"product": "crystal-1", "quantity": "60"})
    assert response.status_code == 302
    assert response["Location"] == page
    assert texts(response) == [f"CRYSTAL-1: 60 on the bill of materials of {work_order.number}."]
    warehouse.post(add, {"product": "FRAME-1", "quantity": "2"})
    html = warehouse.get(page).content.decode()
    assert "CRYSTAL-1" in html
    assert "FRAME-1" in html
    assert "Waiting for purchasing to confirm" in html
    assert "Confirm materials" not in html  # the warehouse does not confirm

    # Production cannot start yet: the button is off and the service says why.
    start = reverse("inventory:work_order_advance", args=[work_order.pk])
    response = warehouse.post(start, {"from": "detail"})
    assert response["Location"] == page
    assert "before its materials are confirmed" in texts(response)[0]

    purchasing = client_for("purchasing")
    assert "Confirm materials" in purchasing.get(page).content.decode()
    response = purchasing.post(
        reverse("inventory:work_order_confirm_materials", args=[work_order.pk])
    )
    assert "are confirmed" in texts(response)[0]
    assert "Confirmed on" in purchasing.get(page).content.decode()

    warehouse = client_for("warehouse")
    response = warehouse.post(start, {"from": "detail"})
    assert texts(response) == [f"{work_order.number} is now at Production."]
    assert ComponentReservation.objects.filter(work_order=work_order).count() == 2
    html = warehouse.get(page).content.decode()
    assert "Reserved" in html
    assert 'id="id_product"' not in html  # fixed once production started


def test_bad_component_input_is_refused_with_a_message(work_order, client_for):
    client = client_for("purchasing")
    add = reverse("inventory:work_order_component_set", args=[work_order.pk])
    for data, message in (
        ({"product": "NOPE", "quantity": "1"}, "No product has the SKU NOPE."),
        ({"product": "FRAME-1", "quantity": "0"}, "Enter a quantity of at least 1."),
        ({"product": "FRAME-1", "quantity": "x"}, "Enter a whole number."),
        ({"product": "CHAND-1", "quantity": "1"}, "cannot be a component of itself"),
    ):
        response = client.post(add, data)
        assert response.status_code == 302
        assert message in texts(response)[-1], data
    assert not work_order.components.exists()


def test_short_components_show_on_the_page(work_order, client_for):
    client = client_for("manager")
    client.post(
        reverse("inventory:work_order_component_set", args=[work_order.pk]),
        {"product": "FRAME-1", "quantity": "4"},
    )
    html = client.get(reverse("inventory:work_order_detail", args=[work_order.pk])).content.decode()
    assert "1 short of free stock" in html
    assert "Confirm materials" in html  # a manager confirms too


def test_the_list_links_to_the_page(work_order, client_for):
    html = client_for("warehouse").get(reverse("inventory:work_order_list")).content.decode()
    assert reverse("inventory:work_order_detail", args=[work_order.pk]) in html
    assert StockLevel.objects.count() == 2
