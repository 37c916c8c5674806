"""Every list's CSV export: plain values only, and nothing a spreadsheet would run."""

import csv
import io
import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.case_services import CaseRequest, case_open
from aftersales.models import OrderFeedback
from customers.services import customer_update
from inventory.choices import AdjustmentReason
from inventory.models import DemandForecast, StockLevel
from inventory.services import stock_adjust, stock_level_update
from inventory.work_orders import work_order_create
from oms.exports import defuse, plain
from oms.generic import ObjectListView
from oms.models import ImportJob
from orders.models import (
    ApprovalRule,
    Channel,
    InboundDelivery,
    Promotion,
    ShippingRule,
    WebhookDelivery,
)
from orders.services import order_submit
from shipping.models import Carrier, CarrierService, PickupPoint, Rate
from shipping.permissions import ShipmentAction
from shipping.services import (
    DispatchDetails,
    shipment_dispatch,
    shipment_pack,
    shipment_record_progress,
    shipment_start_picking,
    shipments_create_for_order,
)
from tests.helpers import (
    billing_objects,
    delivery_objects,
    open_invoice,
    return_route_kwargs,
    statement_objects,
    stocktake_object,
)
from tests.oms.test_roles_matrix import our_url_patterns
from tests.orders.conftest import Catalog

HOSTILE = '=HYPERLINK("http://x","click")'
LIST_PAGES = [
    name
    for name, view in our_url_patterns()
    if view is not None and issubclass(view, ObjectListView)
]
# Lists that may legitimately be empty for a superuser with no role (the approvals queue).
MAY_BE_EMPTY = {"orders:approvals"}
# Lists that show rows only for what their query asks (the lot trace: one lot).
QUERIES = {"aftersales:lot_trace": "lot=%3DLOT&"}
TAG = re.compile(r"<[a-zA-Z/]")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@pytest.fixture
def hostile_data(db, user_with_role):
    catalog = Catalog()
    customer = catalog.customer(name=HOSTILE, contact_person="@SUM(1+1)")
    product = catalog.product(name="+cmd|' /C calc'!A0", name_en="-2+3")
    catalog.stock(product, catalog.shanghai, 10)
    stock_adjust(
        actor=None,
        product=product,
        warehouse=catalog.shanghai,
        quantity=-2,
        reason=AdjustmentReason.DAMAGED,
        note="=1+1",
    )
    level = StockLevel.objects.get(product=product, warehouse=catalog.shanghai)
    stock_level_update(actor=None, stock_level=level, bin_location="=A1", safety_stock=50)
    ApprovalRule.objects.create(
        name="=big", condition="amount_at_least", threshold=10**6, required_role="manager"
    )
    Promotion.objects.create(
        name="=promo",
        kind="percent",
        value=5,
        scope="product",
        product=product,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
    )
    ShippingRule.objects.create(name="@ship", base_fee=12)
    # An import whose file name a spreadsheet would run as a formula.
    ImportJob.objects.create(
        kind="customers",
        user=user_with_role("manager"),
        file_name="=cmd|' /C calc'!A0.csv",
        stored_name="hostile.csv",
        language="en",
        status="done",
    )
    # A shop whose webhooks and inbound deliveries carry formula-like texts.
    shop = Channel.objects.create(code="hostile-shop", name="=SHOP()", kind="shopify")
    WebhookDelivery.objects.create(
        channel=shop,
        event="order.confirmed",
        event_key="=key",
        reference="=REF()",
        payload={},
        status="failed",
        last_error="@error",
    )
    InboundDelivery.objects.create(
        channel=shop,
        delivery_id="=1+1",
        kind="webhook",
        payload={},
        status="failed",
        error_code="refused",
        error_params={"text": "-2+3"},
        external_id="+1",
    )
    sales = user_with_role("sales")
    order = catalog.order(customer, (product, 2), actor=sales)
    order_submit(actor=sales, order=order)
    # A second order leaves with a carrier whose name and tracking number are hostile.
    shipped = order_submit(actor=sales, order=catalog.order(customer, (product, 1), actor=sales))
    [shipment] = shipments_create_for_order(actor=None, order=shipped)
    shipment_start_picking(actor=None, shipment=shipment)
    shipment_pack(actor=None, shipment=shipment, lots={shipment.lines.get().pk: "=LOT"})
    shipment_dispatch(
        actor=None,
        shipment=shipment,
        details=DispatchDetails(carrier="=cmd|' /C calc'!A0", tracking_number="@T1"),
    )
    # Held up on its way: the exceptions queue lists it.
    shipment_record_progress(
        actor=None, shipment=shipment, action=ShipmentAction.EXCEPTION, note="=1+1"
    )
    carrier = Carrier.objects.create(code="hostile", name='=HYPERLINK("x")')
    service = CarrierService.objects.create(
        carrier=carrier, level="express", max_weight_kg=30, max_side_cm=150
    )
    Rate.objects.create(
        service=service,
        origin="SH",
        destination="zone:east",
        transit_days=2,
        first_weight_kg=1,
        first_fee=10,
        step_kg=1,
        step_fee=2,
    )
    work_order_create(product=product, warehouse=catalog.shanghai, quantity=1)
    # A delivery slot pattern and a pickup point with a hostile name, an invoice and a credit
    # note of the hostile customer.
    _pattern, point = delivery_objects(catalog.shanghai)
    PickupPoint.objects.filter(pk=point.pk).update(name='=HYPERLINK("x")', city="@city")
    billing_objects(order)
    open_invoice(shipped)
    statement_objects(carrier)
    customer_update(actor=sales, customer=customer, data={"notes": "-changed"})
    # A complaint about the hostile lot, typed with a formula.
    case_open(
        actor=None,
        request=CaseRequest(
            customer=customer, category="damaged", subject=HOSTILE, lot="=LOT", order=shipped
        ),
    )
    # A return of the shipped order (approved, with a line and a photo).
    return_route_kwargs(shipped)
    # A count under way, a rating typed with a formula, and a product below its reorder point.
    stocktake_object(catalog.shanghai)
    OrderFeedback.objects.create(order=shipped, rating=1, comment="=1+1")
    DemandForecast.objects.create(
        product=product,
        warehouse=catalog.shanghai,
        computed_at=timezone.now(),
        first_week=date(2026, 11, 30),
        history=[3, 4, 5, 6],
        forecast=[6, 6, 6],
        alpha="0.50",
        beta="0.10",
        sigma="1.000",
        lead_time_days=14,
        service_level="0.950",
        lead_time_demand="12.00",
        safety_stock="3.00",
        reorder_point=100,
        review_demand="6.00",
    )
    return customer


def exported_rows(client, name):
    response = client.get(reverse(name) + "?" + QUERIES.get(name, "") + "export=csv")
    assert response.status_code == 200, name
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize("name", LIST_PAGES)
def test_every_export_is_plain_and_defused(name, hostile_data, admin_client):
    header, *rows = exported_rows(admin_client, name)
    assert header
    assert all(header)
    if name not in MAY_BE_EMPTY:
        assert rows, f"{name}: nothing exported, so nothing was checked"
    for row in rows:
        assert len(row) == len(header)
        for cell in row:
            assert not TAG.search(cell), (name, cell)
            assert cell != "None", (name, row)
            if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
                assert NUMBER.match(cell), (name, cell)


def test_hostile_customer_name_exports_as_text(hostile_data, admin_client):
    rows = exported_rows(admin_client, "customers:list")
    assert any("'" + HOSTILE in row for row in rows)
    orders = exported_rows(admin_client, "orders:list")
    assert any(cell.startswith("'" + HOSTILE) for row in orders for cell in row)


def test_recall_list_and_case_queue_export_hostile_text_as_text(hostile_data, admin_client):
    trace = exported_rows(admin_client, "aftersales:lot_trace")
    assert any(row[0] == "'" + HOSTILE and row[-1] == "'=LOT" for row in trace[1:])
    queue = exported_rows(admin_client, "aftersales:case_list")
    assert any("'" + HOSTILE in row for row in queue)


def test_plain_values_keep_numbers_and_defuse_text():
    assert plain(-3) == -3
    assert plain("-3") == "'-3"
    assert plain(None) == ""
    assert defuse("\tx") == "'\tx"
    assert defuse("ok") == "ok"
