"""Wave picking: choose a warehouse's shipments, print one pick list sorted by bin with the
total per bin and its split over the orders; bad selections are refused with a message."""

import io
import subprocess

import pytest
from pypdf import PdfReader

from inventory.services import stock_receive
from shipping import services
from shipping.models import Shipment


@pytest.fixture
def wave(shipping):
    """Three orders in Shanghai sharing two products (bins C-03 and A-01)."""
    lamp = shipping.product(sku="WL-0101", name="床头壁灯 金色", fragile=True)
    bulb = shipping.product(sku="BU-0201", name="LED 灯泡 9W")
    for product, bin_location in ((lamp, "C-03"), (bulb, "A-01")):
        stock_receive(
            actor=None,
            product=product,
            warehouse=shipping.shanghai,
            quantity=100,
            bin_location=bin_location,
        )
    orders = [
        shipping.allocated_order((lamp, 2), (bulb, 5)),
        shipping.allocated_order((lamp, 1)),
        shipping.allocated_order((bulb, 7)),
    ]
    shipments = [shipping.picked(order)[0] for order in orders]
    return orders, shipments


def pdf_text(response, tmp_path) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "wave.pdf"
    path.write_bytes(response.content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_wave_page_lists_what_waits_and_prints_one_pick_list(client_for, wave, shipping, tmp_path):
    orders, shipments = wave
    client = client_for("warehouse")
    page = client.get(f"/shipments/wave/?warehouse={shipping.shanghai.pk}&limit=10")
    assert page.status_code == 200
    html = page.content.decode()
    for shipment in shipments:
        assert f'value="{shipment.number}"' in html
    query = "&".join(f"shipment={s.number}" for s in shipments)
    text = pdf_text(client.get(f"/shipments/wave/pick-list/?{query}&format=pdf"), tmp_path)
    assert "Wave pick list" in text
    # Sorted by bin: A-01 (bulbs, 5 + 7) before C-03 (lamps, 2 + 1), each with its split.
    assert text.index("A-01") < text.index("C-03")
    lines = text.splitlines()

    def row(sku: str) -> str:
        """A row's two lines: SKU, name and quantity, then the units per order."""
        at = next(n for n, line in enumerate(lines) if sku in line)
        return " ".join(lines[at : at + 2])

    bulbs = row("BU-0201")
    assert " 12 " in bulbs
    assert f"{orders[0].number} × 5" in bulbs
    assert f"{orders[2].number} × 7" in bulbs
    lamps = row("WL-0101")
    assert " 3 " in lamps
    assert "FRAGILE" in lamps
    assert "Units 15" in " ".join(text.split())
    html = client.get(f"/shipments/wave/pick-list/?{query}").content.decode()
    assert "data-print" in html
    # The print view's PDF link keeps the wave's shipments.
    assert f'href="?{query.replace("&", "&amp;")}&amp;format=pdf"' in html


def embedded_fonts(pdf: bytes) -> set[str]:
    """The base names of the fonts the pages draw with, without the subset tag."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def test_wave_pick_list_in_chinese_draws_with_one_font_family(client_for, wave, tmp_path):
    """Every character of the rows (bins, names, the × and no-break spaces of the split, the
    FRAGILE mark) is in Noto Sans CJK: no fallback to another family, which would print the
    symbol in another face and embed and subset a second font (U+2610 ☐ falls back to DejaVu)."""
    orders, shipments = wave
    client = client_for("warehouse")
    client.cookies["django_language"] = "zh-hans"
    query = "&".join(f"shipment={s.number}" for s in shipments)
    response = client.get(f"/shipments/wave/pick-list/?{query}&format=pdf")
    text = pdf_text(response, tmp_path)
    assert "波次拣货单" in text
    assert "床头壁灯 金色 【易碎】" in text
    assert f"{orders[1].number} × 1" in text
    assert "第 1 页，共 1 页" in text
    assert embedded_fonts(response.content) == {"Noto-Sans-CJK-SC", "Noto-Sans-CJK-SC-Bold"}


def test_wave_filters_by_priority_and_due_date(client_for, wave, shipping):
    orders, shipments = wave
    orders[1].__class__.objects.filter(pk=orders[1].pk).update(
        priority_score=90, requested_delivery_date="2026-01-05"
    )
    client = client_for("warehouse")
    base = f"/shipments/wave/?warehouse={shipping.shanghai.pk}"
    html = client.get(base + "&min_priority=80").content.decode()
    assert shipments[1].number in html
    assert shipments[0].number not in html
    html = client.get(base + "&due_by=2026-01-31").content.decode()
    assert shipments[1].number in html
    assert shipments[2].number not in html
    # The most urgent first.
    html = client.get(base).content.decode()
    assert html.index(shipments[1].number) < html.index(shipments[0].number)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Choose the shipments to pick."),
        ("?shipment=SH-0000-999999", "No shipment has the number SH-0000-999999."),
        ("?shipment=%3Cscript%3Ex", "No shipment has the number &lt;script&gt;x."),
    ],
)
def test_bad_selections_are_refused_with_a_message(client_for, wave, query, message):
    response = client_for("warehouse").get("/shipments/wave/pick-list/" + query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_packed_shipments_and_mixed_warehouses_are_refused(client_for, wave, shipping):
    _orders, shipments = wave
    client = client_for("warehouse")
    packed = services.shipment_pack(actor=None, shipment=shipments[0])
    response = client.get(f"/shipments/wave/pick-list/?shipment={packed.number}")
    assert response.status_code == 400
    assert "no longer needs picking" in response.content.decode()
    Shipment.objects.filter(pk=shipments[2].pk).update(warehouse=shipping.guangzhou)
    query = f"shipment={shipments[1].number}&shipment={shipments[2].number}"
    response = client.get(f"/shipments/wave/pick-list/?{query}&format=pdf")
    assert response.status_code == 400
    assert "one warehouse" in response.content.decode()


def test_only_pickers_print_waves(client_for, wave):
    _orders, shipments = wave
    url = f"/shipments/wave/pick-list/?shipment={shipments[0].number}"
    assert client_for("sales").get(url).status_code == 403
    assert client_for("sales").get("/shipments/wave/").status_code == 403
