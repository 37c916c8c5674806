"""Shipment pages: the list with its filters and export, the shipment page and its buttons,
the dispatch form, the order page's panel, and the queries they cost."""

from decimal import Decimal

import pytest

from inventory.models import StockMovement
from shipping import services
from shipping.models import Shipment
from tests.helpers import page_queries


@pytest.fixture
def packed(shipping):
    product = shipping.product(weight_kg=Decimal("0.500"))
    order = shipping.allocated_order((product, 4), stock=[(product, shipping.shanghai, 4)])
    [shipment] = shipping.packed(order)
    return shipment


def dispatch_form(**changes):
    data = {
        "carrier": "SF Express",
        "service": "express",
        "tracking_number": "SF77",
        "parcels": "1",
        "weight_kg": "2.5",
        "length_cm": "",
        "width_cm": "",
        "height_cm": "",
        "declared_value": "100.00",
        "cod_amount": "0",
        "expected_delivery_date": "",
        "note": "",
    }
    data.update(changes)
    return data


def test_list_filters_and_export(client_for, packed, shipping):
    client = client_for("warehouse")
    services.shipment_dispatch(actor=None, shipment=packed, details=shipping.details("LATE-1"))
    html = client.get("/shipments/").content.decode()
    assert packed.number in html
    assert "status-shipment-dispatched" in html
    for query in (
        "?status=dispatched",
        f"?warehouse={shipping.shanghai.pk}",
        "?carrier=SF+Express",
        "?overdue=false",
        f"?q={packed.order.number}",
        "?q=LATE-1",
    ):
        assert packed.number in client.get("/shipments/" + query).content.decode(), query
    for query in ("?status=picking", "?overdue=true", "?carrier=EMS"):
        assert packed.number not in client.get("/shipments/" + query).content.decode(), query
    Shipment.objects.filter(pk=packed.pk).update(expected_delivery_date="2020-01-01")
    assert packed.number in client.get("/shipments/?overdue=true").content.decode()
    export = client.get("/shipments/?export=csv")
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert packed.number in body
    assert "LATE-1" in body


def test_bad_filter_values_answer_a_page_not_an_error(client_for, packed):
    client = client_for("logistics")
    for query in ("?status=bogus", "?warehouse=abc", "?overdue=maybe", "?carrier=%00x", "?page=-1"):
        assert client.get("/shipments/" + query).status_code in (200, 400), query


def test_shipment_page_offers_what_the_role_may_do(client_for, packed):
    url = packed.get_absolute_url()
    html = client_for("warehouse").get(url).content.decode()
    assert 'data-action="dispatch"' in html
    assert 'data-action="in_transit"' not in html
    sales = client_for("sales").get(url).content.decode()
    assert 'data-action="dispatch"' not in sales
    assert packed.order.number in sales


def test_pack_form_records_lots(client_for, shipping):
    product = shipping.product()
    order = shipping.allocated_order((product, 1), stock=[(product, shipping.shanghai, 1)])
    [shipment] = shipping.picked(order)
    line = shipment.lines.get()
    client = client_for("warehouse")
    html = client.get(shipment.get_absolute_url()).content.decode()
    assert f'name="lot-{line.pk}"' in html
    response = client.post(
        f"/shipments/{shipment.number}/pack/", {f"lot-{line.pk}": "B-17", "lot-x": "ignored"}
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.lot == "B-17"
    assert Shipment.objects.get(pk=shipment.pk).status == "packed"


def test_dispatch_form_issues_the_stock(client_for, packed):
    client = client_for("warehouse")
    url = f"/shipments/{packed.number}/dispatch/"
    page = client.get(url).content.decode()
    assert 'value="2.000"' in page  # four products of 0.5 kg
    response = client.post(url, dispatch_form())
    assert response.status_code == 302
    assert response["Location"] == packed.get_absolute_url()
    packed.refresh_from_db()
    assert (packed.status, packed.tracking_number) == ("dispatched", "SF77")
    assert StockMovement.objects.filter(kind="issue", reference=packed.number).count() == 1


def test_bad_dispatch_input_answers_422_and_changes_nothing(client_for, packed):
    client = client_for("logistics")
    url = f"/shipments/{packed.number}/dispatch/"
    for changes in (
        {"tracking_number": ""},
        {"parcels": "0"},
        {"parcels": "many"},
        {"declared_value": "-5"},
        {"weight_kg": "1e400"},
        {"expected_delivery_date": "2020-01-01"},
        {"service": "teleport"},
    ):
        response = client.post(url, dispatch_form(**changes))
        assert response.status_code == 422, changes
        assert "invalid-feedback" in response.content.decode(), changes
    assert Shipment.objects.get(pk=packed.pk).status == "packed"
    assert not StockMovement.objects.filter(kind="issue").exists()


def test_carrier_news_with_a_bad_action_changes_nothing(client_for, packed, shipping):
    services.shipment_dispatch(actor=None, shipment=packed, details=shipping.details())
    client = client_for("logistics")
    url = f"/shipments/{packed.number}/progress/"
    for status in ("", "dispatched", "pending", "x" * 50):
        response = client.post(url, {"status": status}, follow=True)
        assert response.status_code == 200
        assert "Choose what the carrier reported." in response.content.decode()
    assert Shipment.objects.get(pk=packed.pk).status == "dispatched"
    client.post(url, {"status": "delivered"})
    assert Shipment.objects.get(pk=packed.pk).status == "delivered"
    assert client.get("/shipments/SH-0000-000000/").status_code == 404
    assert (
        client.post("/shipments/SH-0000-000000/progress/", {"status": "delivered"}).status_code
        == 404
    )


def test_order_page_lists_its_shipments(client_for, packed):
    html = client_for("sales").get(packed.order.get_absolute_url()).content.decode()
    assert packed.number in html
    assert "status-shipment-packed" in html


def test_list_and_detail_queries_do_not_grow_with_rows(client_for, shipping):
    client = client_for("manager")
    products = [shipping.product() for _ in range(6)]
    for product in products:
        shipping.stock(product, shipping.shanghai, 10)
    first = shipping.allocated_order((products[0], 1))
    [one_line] = shipping.picked(first)
    few_list = len(page_queries(client, "/shipments/"))
    few_detail = len(page_queries(client, one_line.get_absolute_url()))
    for _ in range(5):
        shipping.picked(shipping.allocated_order((products[1], 1)))
    many = shipping.allocated_order(*[(p, 1) for p in products])
    [many_lines] = shipping.packed(many)
    # In the warehouse the page prices the carrier choice (weight, lane rates, services).
    detail = page_queries(client, many_lines.get_absolute_url())
    services.shipment_dispatch(actor=None, shipment=many_lines, details=shipping.details())
    listing = page_queries(client, "/shipments/?per_page=100")
    dispatched = page_queries(client, many_lines.get_absolute_url())
    assert len(listing) == few_list
    assert not listing.row_counts
    assert len(detail) == few_detail
    assert len(dispatched) <= few_detail
    # Pinned: session, user, filter choices (carriers, warehouses, slot times), the page of
    # rows; the detail's delivery card reads the order's slot booking.
    assert few_list <= 9
    assert few_detail <= 15


def test_header_search_finds_a_shipment_by_number_or_tracking_number(client_for, packed, shipping):
    services.shipment_dispatch(actor=None, shipment=packed, details=shipping.details("ZT998877"))
    client = client_for("customer_service")
    # The number or tracking number in full opens the shipment; its start lists it.
    for typed in (packed.number, "zt998877"):
        response = client.get("/search/", {"q": typed})
        assert response["Location"] == packed.get_absolute_url(), typed
    assert packed.get_absolute_url() in client.get("/search/", {"q": "SH-20"}).content.decode()
    assert packed.get_absolute_url() not in client.get("/search/", {"q": "ZT99"}).content.decode()
