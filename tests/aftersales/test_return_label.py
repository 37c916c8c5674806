"""The return label PDF, read back with pdftotext (and its barcode with zbarimg when the
machine has it), in English and Chinese."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from aftersales import return_services as rs


def pdf_text(content: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", ("RETURN", "Recipient", "Sender")), ("zh-hans", ("退货", "收件人", "寄件人"))],
)
def test_the_return_label_pdf(returns, client_for, language, words, tmp_path):
    order = returns.delivered_order((returns.product(sku="LBL-1"), 2))
    rma = rs.return_approve(actor=None, request=returns.request(order, 2))
    client = client_for("customer_service")
    client.cookies["django_language"] = language
    response = client.get(reverse("aftersales:return_label", args=[rma.number]) + "?format=pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for word in words:
        assert word in text
    assert rma.number in text
    assert order.number in text
    assert returns.shanghai.address in text  # our warehouse receives the parcel
    assert order.ship_recipient in text  # the customer sends it
    assert "LBL-1" in text
    if shutil.which("zbarimg") and shutil.which("pdftoppm"):
        (tmp_path / "label.pdf").write_bytes(response.content)
        subprocess.run(
            ["pdftoppm", "-r", "200", "-png", str(tmp_path / "label.pdf"), str(tmp_path / "p")],
            check=True,
        )
        [png] = tmp_path.glob("p*.png")
        scanned = subprocess.run(["zbarimg", "-q", str(png)], capture_output=True, text=True)
        assert f"CODE-128:{rma.number}" in scanned.stdout


def test_a_return_without_an_rma_number_has_no_label(returns, client_for):
    order = returns.delivered_order((returns.product(), 1))
    rma = returns.request(order, 1)
    client = client_for("customer_service")
    assert client.get(reverse("aftersales:return_label", args=[rma.pk])).status_code == 404
