"""A shipment's documents: pick list, packing list, delivery note and shipping label, read
back from the PDF (pdftotext for the words, zbarimg for the barcodes) in both languages."""

import subprocess

import pytest
from pypdf import PdfReader

from inventory.services import product_save, stock_receive
from shipping import services
from shipping.models import ShipmentLine
from tests.factories import UserFactory

LABEL_WIDTH_PT, LABEL_HEIGHT_PT = 100 / 25.4 * 72, 150 / 25.4 * 72


@pytest.fixture
def shipment(shipping):
    lamp = shipping.product(sku="CL-0501", name="星空吸顶灯 48W 金色")
    product_save(
        actor=None,
        product=lamp,
        data={"fragile": True, "packing_note": "每件单独气泡膜包裹 bubble-wrap"},
    )
    hook = shipping.product(sku="HK-0102", name="挂钩 Hook")
    for product, bin_location in ((lamp, "B-07"), (hook, "A-02")):
        stock_receive(
            actor=None,
            product=product,
            warehouse=shipping.shanghai,
            quantity=30,
            bin_location=bin_location,
        )
    order = shipping.allocated_order((lamp, 3), (hook, 12))
    [shipment] = shipping.picked(order)
    lot = {line.pk: "LOT-2611" for line in shipment.lines.filter(product=lamp)}
    return services.shipment_pack(actor=None, shipment=shipment, lots=lot)


def pdf_of(client, url, tmp_path):
    response = client.get(url + "?format=pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "document.pdf"
    path.write_bytes(response.content)
    return path


def text_of(path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def barcodes_in(path, tmp_path) -> list[str]:
    """What a scanner reads off the PDF's pages (zbarimg on a 200 dpi rendering)."""
    subprocess.run(["pdftoppm", "-r", "200", "-png", str(path), str(tmp_path / "page")], check=True)
    found = []
    for png in sorted(tmp_path.glob("page*.png")):
        out = subprocess.run(["zbarimg", "-q", str(png)], capture_output=True, text=True)
        found += out.stdout.split()
    return found


def test_packing_list_prints_lines_lots_and_fragile_prominently(client_for, shipment, tmp_path):
    client = client_for("warehouse")
    url = f"/shipments/{shipment.number}/documents/packing-list/"
    text = text_of(pdf_of(client, url, tmp_path))
    assert "Packing list" in text
    assert f"PL-{shipment.number}" in text
    assert "CL-0501" in text
    assert "HK-0102" in text
    assert "LOT-2611" in text
    assert "FRAGILE · Handle with care" in text  # the banner over the table
    assert "bubble-wrap" in text
    assert "15" in text  # units in all
    assert "Page 1 of 1" in text
    html = client.get(url).content.decode()
    assert "data-print" in html
    assert "<script>" not in html  # the print button's script is a file, not inline
    assert f"CODE-128:{shipment.number}" in barcodes_in(pdf_of(client, url, tmp_path), tmp_path)


def test_documents_speak_the_readers_chinese(client_for, shipment, tmp_path):
    client = client_for("warehouse")
    client.cookies["django_language"] = "zh-hans"
    base = f"/shipments/{shipment.number}/documents/"
    packing = text_of(pdf_of(client, base + "packing-list/", tmp_path))
    assert "装箱单" in packing
    assert "易碎" in packing
    assert "星空吸顶灯 48W 金色" in packing
    assert "每件单独气泡膜包裹" in packing
    note = text_of(pdf_of(client, base + "delivery-note/", tmp_path))
    assert "送货单" in note
    assert "签收" in note


def test_pick_list_walks_the_bins(client_for, shipment, tmp_path):
    text = text_of(
        pdf_of(
            client_for("warehouse"), f"/shipments/{shipment.number}/documents/pick-list/", tmp_path
        )
    )
    assert "A-02" in text
    assert "B-07" in text
    # A-02 (the hooks) comes before B-07 (the lamps), whatever the order's line order.
    assert text.index("HK-0102") < text.index("CL-0501")
    assert "FRAGILE" in text


def test_delivery_note_has_the_recipient_and_a_place_to_sign(client_for, shipment, tmp_path):
    text = text_of(
        pdf_of(
            client_for("sales"), f"/shipments/{shipment.number}/documents/delivery-note/", tmp_path
        )
    )
    order = shipment.order
    assert order.ship_recipient in text
    assert order.number in text
    assert "Received by (signature)" in text
    assert "HK-0102" in text
    assert "12" in text
    assert "LOT-2611" not in text  # lots are the warehouse's business


def test_label_is_a6_with_a_barcode_and_qr_per_parcel(client_for, shipment, shipping, tmp_path):
    client = client_for("warehouse")
    url = f"/shipments/{shipment.number}/documents/label/"
    # Before dispatch the barcode carries the shipment number.
    assert f"CODE-128:{shipment.number}" in barcodes_in(pdf_of(client, url, tmp_path), tmp_path)
    services.shipment_dispatch(
        actor=None, shipment=shipment, details=shipping.details("SF7788990011", parcels=2)
    )
    (tmp_path / "dispatched").mkdir()
    path = pdf_of(client, url, tmp_path / "dispatched")
    reader = PdfReader(path)
    assert len(reader.pages) == 2  # one label per parcel
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(LABEL_WIDTH_PT, abs=1)
        assert float(page.mediabox.height) == pytest.approx(LABEL_HEIGHT_PT, abs=1)
    text = text_of(path)
    assert "SF Express" in text
    assert "Parcel 1 of 2" in text
    assert "Parcel 2 of 2" in text
    assert "SF7788990011" in text
    assert "FRAGILE" in text
    assert shipment.order.ship_recipient in text
    codes = barcodes_in(path, tmp_path / "dispatched")
    assert codes.count("CODE-128:SF7788990011") == 2
    # The QR code opens the customer's order page, at the address the label was printed from.
    shipment.order.refresh_from_db()
    page = f"http://testserver/track/{shipment.order.public_token}/"
    assert codes.count(f"QR-Code:{page}") == 2
    assert client.get(page.removeprefix("http://testserver")).status_code == 200


def test_unknown_document_or_shipment_is_a_404(client_for, shipment):
    client = client_for("warehouse")
    assert client.get(f"/shipments/{shipment.number}/documents/invoice/").status_code == 404
    assert client.get("/shipments/SH-0000-000000/documents/label/").status_code == 404
    assert client.get("/shipments/SH-0000-000000/documents/label/?format=pdf").status_code == 404


def test_documents_need_a_signed_in_user_with_the_right(client, shipment):
    url = f"/shipments/{shipment.number}/documents/packing-list/"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    client.force_login(UserFactory(username="nobody"))
    assert client.get(url).status_code == 403
    assert client.get(url + "?format=pdf").status_code == 403


def test_text_typed_by_users_cannot_reach_files_or_markup(client_for, shipment, tmp_path):
    ShipmentLine.objects.filter(shipment=shipment).update(
        lot='<img src="file:///etc/passwd"><script>x</script>'
    )
    client = client_for("warehouse")
    url = f"/shipments/{shipment.number}/documents/packing-list/"
    html = client.get(url).content.decode()
    assert "<script>x" not in html
    assert "&lt;img" in html
    text = text_of(pdf_of(client, url, tmp_path))
    assert "passwd" in text  # printed as the text it is (wrapped in its cell), nothing loaded
