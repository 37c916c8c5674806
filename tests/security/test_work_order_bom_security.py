"""Work orders' bill of materials: who may change it and confirm the materials, double
submits, components of another work order, a started work order; the customer's drawings:
who may add and read them, file types and sizes, paths."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inventory.models import ComponentReservation, WorkOrderComponent, WorkOrderFile
from inventory.services import stock_receive
from inventory.work_orders import (
    work_order_advance,
    work_order_cancel,
    work_order_confirm_materials,
    work_order_create,
    work_order_set_component,
)
from oms.models import AuditLog
from tests.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def work_orders():
    warehouse = WarehouseFactory(code="SEC1")
    part = ProductFactory(sku="PART-1")
    stock_receive(actor=None, product=part, warehouse=warehouse, quantity=10)
    made = []
    for sku in ("MTO-1", "MTO-2"):
        work_order = work_order_create(
            product=ProductFactory(sku=sku, made_to_order=True), warehouse=warehouse, quantity=1
        )
        work_order_set_component(actor=None, work_order=work_order, product=part, quantity=4)
        made.append(work_order)
    return made


@pytest.mark.parametrize(
    "role", ["warehouse", "sales", "finance", "logistics", "reviewer", "customer_service"]
)
def test_only_purchasing_managers_and_admins_confirm_materials(work_orders, client_for, role):
    work_order = work_orders[0]
    url = reverse("inventory:work_order_confirm_materials", args=[work_order.pk])
    assert client_for(role).post(url).status_code == 403
    work_order.refresh_from_db()
    assert work_order.materials_confirmed_at is None


@pytest.mark.parametrize("role", ["sales", "finance", "logistics", "reviewer", "customer_service"])
def test_other_roles_cannot_change_the_bill_of_materials(work_orders, client_for, role):
    work_order = work_orders[0]
    client = client_for(role)
    component = work_order.components.get()
    assert (
        client.post(
            reverse("inventory:work_order_component_set", args=[work_order.pk]),
            {"product": "PART-1", "quantity": "9"},
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("inventory:work_order_component_remove", args=[work_order.pk, component.pk])
        ).status_code
        == 403
    )
    component.refresh_from_db()
    assert component.quantity == 4


def test_purchasing_cannot_start_production(work_orders, client_for):
    work_order = work_orders[0]
    work_order_confirm_materials(actor=None, work_order=work_order)
    response = client_for("purchasing").post(
        reverse("inventory:work_order_advance", args=[work_order.pk])
    )
    assert response.status_code == 403
    assert not ComponentReservation.objects.exists()


def test_a_double_submitted_confirmation_is_recorded_once(work_orders, client_for):
    client = client_for("purchasing")
    url = reverse("inventory:work_order_confirm_materials", args=[work_orders[0].pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # refused with a message
    assert AuditLog.objects.filter(action="work_order.materials_confirmed").count() == 1


def test_a_double_submitted_start_reserves_once(work_orders, client_for):
    work_order = work_orders[0]
    work_order_confirm_materials(actor=None, work_order=work_order)
    client = client_for("warehouse")
    url = reverse("inventory:work_order_advance", args=[work_order.pk])
    client.post(url)
    work_order.refresh_from_db()
    assert work_order.stage == "production"
    assert ComponentReservation.objects.filter(work_order=work_order).count() == 1


def test_a_component_of_another_work_order_is_not_removed(work_orders, client_for):
    first, second = work_orders
    foreign = second.components.get()
    response = client_for("purchasing").post(
        reverse("inventory:work_order_component_remove", args=[first.pk, foreign.pk])
    )
    assert response.status_code == 404
    assert WorkOrderComponent.objects.filter(pk=foreign.pk).exists()


def test_a_started_work_orders_bill_of_materials_cannot_change(work_orders, client_for):
    work_order = work_orders[0]
    work_order_confirm_materials(actor=None, work_order=work_order)
    work_order_advance(actor=None, work_order=work_order)
    client = client_for("purchasing")
    component = work_order.components.get()
    client.post(
        reverse("inventory:work_order_component_set", args=[work_order.pk]),
        {"product": "PART-1", "quantity": "1"},
    )
    client.post(
        reverse("inventory:work_order_component_remove", args=[work_order.pk, component.pk])
    )
    component.refresh_from_db()
    assert component.quantity == 4


@pytest.mark.parametrize(
    "name", ["work_order_detail", "work_order_component_set", "work_order_confirm_materials"]
)
def test_an_unknown_work_order_is_a_404(client_for, name):
    client = client_for("manager")
    url = reverse(f"inventory:{name}", args=[999999])
    response = client.get(url) if name == "work_order_detail" else client.post(url)
    assert response.status_code == 404


# --- the customer's drawings and specifications ---------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"


def upload(client, work_order, name, content):
    return client.post(
        reverse("inventory:work_order_file_upload", args=[work_order.pk]),
        {"file": SimpleUploadedFile(name, content)},
    )


def test_a_drawing_is_kept_privately_and_downloaded_by_whoever_may_see_work_orders(
    work_orders, client_for, settings, tmp_path
):
    settings.OMS_WORK_ORDER_FILE_DIR = tmp_path
    work_order = work_orders[0]
    response = upload(client_for("purchasing"), work_order, "../../客户图纸 A.pdf", PDF)
    assert response.status_code == 302
    attached = WorkOrderFile.objects.get()
    assert attached.name == "客户图纸 A.pdf"  # no path from the browser is kept
    stored = tmp_path / attached.file.name
    assert stored.read_bytes() == PDF
    assert stored.name != attached.name  # a random name on disk
    url = reverse("inventory:work_order_file", args=[work_order.pk, attached.pk])
    response = client_for("warehouse").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF
    # Through another work order's path it is not there.
    other = reverse("inventory:work_order_file", args=[work_orders[1].pk, attached.pk])
    assert client_for("warehouse").get(other).status_code == 404
    assert client_for("sales").get(url).status_code == 403
    assert AuditLog.objects.filter(action="work_order.file").count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("drawing.pdf", b"<html><script>alert(1)</script>", "Only PDF, PNG, JPEG and DWG"),
        ("drawing.html", PDF, "Only PDF, PNG, JPEG and DWG"),
        ("drawing.png", PDF, "Only PDF, PNG, JPEG and DWG"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_files_of_another_type_or_empty_are_refused(
    work_orders, client_for, settings, tmp_path, name, content, message
):
    settings.OMS_WORK_ORDER_FILE_DIR = tmp_path
    response = upload(client_for("warehouse"), work_orders[0], name, content)
    assert response.status_code == 302
    assert message in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert not WorkOrderFile.objects.exists()
    assert not any(tmp_path.rglob("*.*"))


def test_a_too_large_file_is_refused(work_orders, client_for, settings, tmp_path):
    settings.OMS_WORK_ORDER_FILE_DIR = tmp_path
    settings.OMS_WORK_ORDER_FILE_MAX_BYTES = 1024
    response = upload(client_for("warehouse"), work_orders[0], "big.pdf", PDF + b"0" * 2000)
    assert "at most" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert not WorkOrderFile.objects.exists()


@pytest.mark.parametrize("role", ["sales", "finance", "logistics", "reviewer", "customer_service"])
def test_other_roles_cannot_add_drawings(work_orders, client_for, settings, tmp_path, role):
    settings.OMS_WORK_ORDER_FILE_DIR = tmp_path
    assert upload(client_for(role), work_orders[0], "a.pdf", PDF).status_code == 403
    assert not WorkOrderFile.objects.exists()


def test_no_drawings_are_added_to_a_finished_work_order(
    work_orders, client_for, settings, tmp_path
):
    settings.OMS_WORK_ORDER_FILE_DIR = tmp_path
    work_order = work_orders[0]
    work_order_cancel(actor=None, work_order_id=work_order.pk)
    response = upload(client_for("warehouse"), work_order, "a.pdf", PDF)
    assert "no more files" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert not WorkOrderFile.objects.exists()
    assert not any(tmp_path.rglob("*.*"))
