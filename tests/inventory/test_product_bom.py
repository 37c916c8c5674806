"""A product's default bill of materials: kept on the product's page, copied (times the
quantity) onto each work order created for the product, including those an order's
made-to-order line creates; a work order made before takes it on request."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from inventory.models import ProductComponent, WorkOrder, WorkOrderComponent
from inventory.product_boms import product_component_remove, product_component_set
from inventory.services import stock_receive
from inventory.work_orders import (
    work_order_advance,
    work_order_create,
    work_order_set_component,
    work_order_use_default_bom,
)
from oms.errors import ServiceError
from oms.models import AuditLog
from orders.models import PriceList, PriceListItem
from orders.services import LineRequest, order_create, order_submit
from tests.factories import AddressFactory, ProductFactory, UserFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def parts(db):
    warehouse = WarehouseFactory(code="SH1")
    lamp = ProductFactory(sku="CHAND-1", made_to_order=True)
    crystals, frame = ProductFactory(sku="CRYSTAL-1"), ProductFactory(sku="FRAME-1")
    for product, quantity in ((crystals, 500), (frame, 10)):
        stock_receive(
            actor=None,
            product=product,
            warehouse=warehouse,
            quantity=quantity,
            unit_cost=Decimal(2),
        )
    buyer = UserFactory(username="buyer", role="purchasing")
    return warehouse, lamp, crystals, frame, buyer


def bom(work_order):
    return dict(
        WorkOrderComponent.objects.filter(work_order=work_order).values_list(
            "product__sku", "quantity"
        )
    )


def test_a_new_work_order_starts_with_the_default_times_its_quantity(parts):
    warehouse, lamp, crystals, frame, buyer = parts
    product_component_set(actor=buyer, product=lamp, component=crystals, quantity=100)
    product_component_set(actor=buyer, product=lamp, component=frame, quantity=1)
    product_component_set(actor=buyer, product=lamp, component=crystals, quantity=120)
    assert AuditLog.objects.filter(action="product.bom").count() == 3
    work_order = work_order_create(product=lamp, warehouse=warehouse, quantity=3)
    assert bom(work_order) == {"CRYSTAL-1": 360, "FRAME-1": 3}
    assert AuditLog.objects.get(action="work_order.bom").changes == {
        "CRYSTAL-1": [0, 360],
        "FRAME-1": [0, 3],
    }
    # The work order's own bill changes alone; the default and other work orders keep theirs.
    work_order_set_component(actor=buyer, work_order=work_order, product=frame, quantity=4)
    assert ProductComponent.objects.get(component=frame).quantity == 1
    [line] = [line for line in lamp.default_components.all() if line.component == crystals]
    product_component_remove(actor=buyer, product=lamp, line_id=line.pk)
    assert bom(work_order) == {"CRYSTAL-1": 360, "FRAME-1": 4}
    assert bom(work_order_create(product=lamp, warehouse=warehouse, quantity=1)) == {"FRAME-1": 1}


def test_without_a_default_a_work_order_starts_empty(parts):
    warehouse, lamp, *_ = parts
    work_order = work_order_create(product=lamp, warehouse=warehouse, quantity=1)
    assert bom(work_order) == {}
    assert work_order_advance(actor=None, work_order=work_order).stage == "production"


def test_a_made_to_order_line_gets_a_work_order_with_the_default(parts):
    _warehouse, lamp, crystals, frame, buyer = parts
    product_component_set(actor=buyer, product=lamp, component=crystals, quantity=100)
    product_component_set(actor=buyer, product=lamp, component=frame, quantity=1)
    address = AddressFactory(region="SH")
    price_list = PriceList.objects.create(name="retail", customer_group=address.customer.group)
    PriceListItem.objects.create(price_list=price_list, product=lamp, unit_price=900)
    order_submit(
        actor=None,
        order=order_create(actor=None, customer=address.customer, lines=[LineRequest(lamp, 2)]),
    )
    work_order = WorkOrder.objects.get(order_line_id__isnull=False)
    assert bom(work_order) == {"CRYSTAL-1": 200, "FRAME-1": 2}


def test_bad_default_lines_are_refused_and_nothing_is_written(parts):
    _warehouse, lamp, crystals, frame, buyer = parts
    with pytest.raises(ValidationError, match="itself"):
        product_component_set(actor=buyer, product=lamp, component=lamp, quantity=1)
    crystals.is_active = False
    crystals.save()
    with pytest.raises(ValidationError, match="inactive"):
        product_component_set(actor=buyer, product=lamp, component=crystals, quantity=1)
    with pytest.raises(ValidationError):
        product_component_set(actor=buyer, product=lamp, component=frame, quantity=0)
    assert not ProductComponent.objects.exists()
    assert not AuditLog.objects.filter(action="product.bom").exists()


def test_a_work_order_made_before_takes_the_default_on_request(parts):
    warehouse, lamp, crystals, _frame, buyer = parts
    older = work_order_create(product=lamp, warehouse=warehouse, quantity=2)
    with pytest.raises(ServiceError, match="no default bill of materials"):
        work_order_use_default_bom(actor=buyer, work_order=older)
    product_component_set(actor=buyer, product=lamp, component=crystals, quantity=50)
    assert work_order_use_default_bom(actor=buyer, work_order=older) == 1
    assert bom(older) == {"CRYSTAL-1": 100}
    with pytest.raises(ServiceError, match="already"):
        work_order_use_default_bom(actor=buyer, work_order=older)
    assert bom(older) == {"CRYSTAL-1": 100}


def test_the_pages_keep_the_default_and_offer_it_to_an_empty_work_order(parts, client_for):
    warehouse, lamp, _crystals, frame, _buyer = parts
    older = work_order_create(product=lamp, warehouse=warehouse, quantity=2)
    client = client_for("purchasing")
    page = client.get(f"/products/{lamp.pk}/").content.decode()
    assert "Default bill of materials" in page
    answer = client.post(
        f"/products/{lamp.pk}/components/", {"product": "CRYSTAL-1", "quantity": "30"}
    )
    assert answer.status_code == 302
    assert answer["Location"].endswith(f"/products/{lamp.pk}/#default-bom")
    bad = client.post(f"/products/{lamp.pk}/components/", {"product": "NOPE", "quantity": "1"})
    assert bad.status_code == 302
    assert ProductComponent.objects.count() == 1
    page = client.get(f"/work-orders/{older.pk}/").content.decode()
    assert "Use the default bill of materials of CHAND-1" in page
    client.post(f"/work-orders/{older.pk}/default-bom/")
    assert bom(older) == {"CRYSTAL-1": 60}
    line = ProductComponent.objects.get()
    client.post(f"/products/{lamp.pk}/components/{line.pk}/remove/")
    assert not ProductComponent.objects.exists()
    # Who may only read sees the default, not its forms, and cannot change it.
    product_component_set(actor=None, product=lamp, component=frame, quantity=1)
    reader = client_for("sales")
    page = reader.get(f"/products/{lamp.pk}/").content.decode()
    assert "FRAME-1" in page
    assert f"/products/{lamp.pk}/components/" not in page
    answer = reader.post(
        f"/products/{lamp.pk}/components/", {"product": "CRYSTAL-1", "quantity": "1"}
    )
    assert answer.status_code == 403
    assert ProductComponent.objects.count() == 1
