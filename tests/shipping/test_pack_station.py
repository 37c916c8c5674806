"""The pack station: scanning the shipment, then its items; wrong and excess items refused,
counts kept on the server, the last item packs the shipment (with the lots scanned)."""

import pytest
from django.urls import reverse
from django.utils import translation

from shipping import packing
from shipping.models import PackSession, ShipmentEvent
from shipping.permissions import ShipmentError
from tests.factories import UserFactory
from tests.shipping.test_services import fresh


@pytest.fixture
def picking(shipping):
    """A shipment being picked: 2 of a, 1 of b."""
    a, b = shipping.product(), shipping.product()
    order = shipping.allocated_order(
        (a, 2), (b, 1), stock=[(a, shipping.shanghai, 2), (b, shipping.shanghai, 1)]
    )
    [shipment] = shipping.picked(order)
    return shipment


@pytest.fixture
def packer(db):
    return UserFactory(role="warehouse")


def skus(shipment):
    return [line.product.sku for line in shipment.lines.select_related("product").order_by("pk")]


def counts(shipment):
    return {p.line.product.sku: p.scanned for p in packing.pack_lines(shipment)}


def test_scans_tick_lines_off_and_the_last_one_packs(picking, packer):
    a, b = skus(picking)
    first = packing.pack_scan(actor=packer, shipment=picking, code=a.lower(), scan_id="s1")
    assert first.ok
    assert not first.packed
    assert counts(picking) == {a: 1, b: 0}
    packing.pack_scan(actor=packer, shipment=picking, code=b, scan_id="s2", lot="L-7")
    last = packing.pack_scan(actor=packer, shipment=picking, code=f"  {a} ", scan_id="s3")
    assert last.packed
    shipment = fresh(picking)
    assert shipment.status == "packed"
    assert shipment.lines.get(product__sku=b).lot == "L-7"
    assert not PackSession.objects.exists()
    event = ShipmentEvent.objects.get(shipment=shipment, kind="status", to_status="packed")
    assert event.actor == packer


def test_a_wrong_item_is_refused_and_counts_nothing(picking, packer):
    result = packing.pack_scan(actor=packer, shipment=picking, code="NOT-OURS", scan_id="x")
    assert not result.ok
    assert "is not in shipment" in result.message
    assert set(counts(picking).values()) == {0}


def test_an_excess_item_is_refused(picking, packer):
    _a, b = skus(picking)
    assert packing.pack_scan(actor=packer, shipment=picking, code=b, scan_id="1").ok
    result = packing.pack_scan(actor=packer, shipment=picking, code=b, scan_id="2")
    assert not result.ok
    assert "too many" in result.message
    assert counts(picking)[b] == 1


def test_the_same_scan_sent_twice_counts_once_two_scans_count_twice(picking, packer):
    a, _b = skus(picking)
    packing.pack_scan(actor=packer, shipment=picking, code=a, scan_id="same")
    again = packing.pack_scan(actor=packer, shipment=picking, code=a, scan_id="same")
    assert again.ok
    assert "counted already" in again.message
    assert counts(picking)[a] == 1
    packing.pack_scan(actor=packer, shipment=picking, code=a, scan_id="other")
    assert counts(picking)[a] == 2


def test_a_waiting_shipment_is_not_packed(shipping, packer):
    product = shipping.product()
    order = shipping.allocated_order((product, 1), stock=[(product, shipping.shanghai, 1)])
    from shipping.services import shipments_create_for_order

    [shipment] = shipments_create_for_order(actor=None, order=order)
    with pytest.raises(ShipmentError):
        packing.pack_scan(actor=packer, shipment=shipment, code=product.sku)


def test_the_shipment_is_found_by_its_packing_list_or_label_barcode(picking, packer, shipping):
    assert packing.find_shipment(packer, picking.number.lower(), None) == picking
    with pytest.raises(ShipmentError, match="another warehouse"):
        packing.find_shipment(packer, picking.number, shipping.guangzhou.pk)
    with pytest.raises(ShipmentError, match="No shipment"):
        packing.find_shipment(packer, "SH-0000-000000", None)


def test_station_pages_without_javascript(picking, packer, client):
    client.force_login(packer)
    station = reverse("shipping:pack_station")
    response = client.get(station, {"code": picking.number, "warehouse": ""})
    page = reverse("shipping:pack_station_shipment", args=[picking.number])
    assert response.status_code == 302
    assert response["Location"] == page
    wrong = client.get(station, {"code": "NOPE"})
    assert wrong.status_code == 422
    assert "No shipment has the barcode NOPE" in wrong.text
    a, b = skus(picking)
    response = client.post(page, {"code": "WRONG", "scan_id": "1"})
    # The whole page comes back with the result in its card, as htmx would show it.
    assert response.status_code == 422
    assert 'data-scan-result="error"' in response.text
    assert "WRONG is not in shipment" in response.text
    assert "WRONG is not in shipment" not in client.get(page).text
    for n, code in enumerate([a, a, b]):
        response = client.post(page, {"code": code, "scan_id": f"k{n}"}, follow=True)
    assert "is packed" in response.text
    assert fresh(picking).status == "packed"


def test_station_answers_htmx_with_the_card(picking, packer, client):
    client.force_login(packer)
    page = reverse("shipping:pack_station_shipment", args=[picking.number])
    response = client.post(page, {"code": "WRONG", "scan_id": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'data-scan-result="error"' in response.text
    assert "<html" not in response.text
    a, _b = skus(picking)
    response = client.post(page, {"code": a, "scan_id": "2"}, HTTP_HX_REQUEST="true")
    assert 'data-scan-result="ok"' in response.text
    assert "1 / 3" in response.text


def test_station_in_chinese(picking, packer, client):
    client.force_login(packer)
    client.cookies["django_language"] = "zh-hans"
    page = reverse("shipping:pack_station_shipment", args=[picking.number])
    with translation.override("en"):  # the request switches to Chinese; the next test does not
        response = client.post(page, {"code": "WRONG", "scan_id": "1"}, HTTP_HX_REQUEST="true")
    assert "WRONG 不在发货单" in response.text
    assert "打包" in response.text


def test_an_item_is_scanned_by_its_sku_or_its_barcode(shipping, packer):
    a = shipping.product(barcode="6901234567892")
    b = shipping.product(barcode="036000291452")
    other = shipping.product(barcode="6901234000014")
    order = shipping.allocated_order(
        (a, 2), (b, 1), stock=[(a, shipping.shanghai, 2), (b, shipping.shanghai, 1)]
    )
    [shipment] = shipping.picked(order)
    assert packing.pack_scan(actor=packer, shipment=shipment, code="6901234567892").ok
    assert packing.pack_scan(actor=packer, shipment=shipment, code=a.sku).ok
    # Another product's barcode: the same clear refusal as a wrong SKU, nothing counted.
    wrong = packing.pack_scan(actor=packer, shipment=shipment, code=other.barcode)
    assert not wrong.ok
    assert wrong.message == f"{other.barcode} is not in shipment {shipment.number}. Put it aside."
    too_many = packing.pack_scan(actor=packer, shipment=shipment, code=a.barcode)
    assert not too_many.ok
    assert "too many" in too_many.message
    assert counts(shipment) == {a.sku: 2, b.sku: 0}
    last = packing.pack_scan(actor=packer, shipment=shipment, code=" 0360 0029 1452 ")
    assert last.packed
    assert fresh(shipment).status == "packed"
