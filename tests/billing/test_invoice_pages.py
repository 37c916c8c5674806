"""The invoice pages and documents: list with CSV, detail with the tax summary and the credit
notes, the chain on the order page, and the PDF read back with pdftotext in both languages."""

import subprocess
from decimal import Decimal

import pytest
from django.utils import translation

from billing import services
from customers.models import Customer
from orders import services as order_services
from tests.billing.conftest import taxpayer_id
from tests.helpers import page_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(billing):
    lamp, shade = billing.product("99.90"), billing.product("20.00", tax_class_id="reduced")
    billing.stock(lamp, billing.shanghai, 10)
    billing.stock(shade, billing.shanghai, 10)
    customer = billing.customer(
        kind="business",
        payment_terms="prepaid",
        credit_limit=Decimal(100000),
        fapiao_type="special",
        fapiao_title="杭州明辉灯饰有限公司",
        taxpayer_id=taxpayer_id(3),
        fapiao_address="杭州市西湖区文三路 90 号",
        fapiao_phone="0571-88880000",
        fapiao_bank="工商银行杭州文三路支行",
        fapiao_account="1202020209000012345",
    )
    order = order_services.order_submit(
        actor=None, order=billing.order(customer, (lamp, 2), (shade, 3))
    )
    [made] = services.order_bill(order_id=order.pk)
    services.credit_note_create(actor=None, invoice=made, quantities={2: 1}, note="一个灯罩破损")
    return made


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_list_detail_and_order_chain(client_for, invoice):
    client = client_for("finance")
    listing = client.get("/invoices/?q=" + invoice.number).content.decode()
    assert invoice.number in listing
    assert invoice.order.number in listing
    csv = b"".join(client.get("/invoices/?export=csv").streaming_content).decode()
    assert invoice.number in csv
    assert "杭州明辉灯饰有限公司" not in csv.split("\n")[0]
    detail = client.get(f"/invoices/{invoice.pk}/").content.decode()
    assert "13 %" in detail
    assert "9 %" in detail
    assert "CN-" in detail
    assert "1202020209000012345" in detail
    order_page = client.get(invoice.order.get_absolute_url()).content.decode()
    assert invoice.number in order_page
    assert "CN-" in order_page


def test_the_list_reads_a_fixed_number_of_statements(client_for, invoice, billing):
    client = client_for("finance")
    before = len(page_queries(client, "/invoices/"))
    lamp = billing.product("5.00")
    billing.stock(lamp, billing.shanghai, 10)
    for seed in range(3):
        customer = billing.customer(
            kind="business", taxpayer_id=taxpayer_id(10 + seed), payment_terms="prepaid"
        )
        order = order_services.order_submit(actor=None, order=billing.order(customer, (lamp, 1)))
        services.order_bill(order_id=order.pk)
    assert len(page_queries(client, "/invoices/")) == before


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Invoice", "Buyer", "Seller", "Taxpayer id", "Tax rate", "Amount due"]),
        ("zh-hans", ["发票", "购买方", "销售方", "纳税人识别号", "税率", "应付金额"]),
    ],
)
def test_the_invoice_pdf_carries_the_fapiao_details(client_for, invoice, tmp_path, language, words):
    client = client_for("finance")
    response = client.get(
        f"/invoices/{invoice.pk}/print/?format=pdf", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    for word in [
        *words,
        invoice.number,
        invoice.taxpayer_id,
        "杭州明辉灯饰有限公司",
        "1202020209000012345",
    ]:
        assert word in text, (word, text)
    with translation.override(language):
        total = f"{invoice.total:,.2f}"
    assert total in text
    print_view = client.get(f"/invoices/{invoice.pk}/print/", HTTP_ACCEPT_LANGUAGE=language)
    assert invoice.number in print_view.content.decode()


def test_the_credit_note_pdf(client_for, invoice, tmp_path):
    note = invoice.credit_notes.get()
    response = client_for("finance").get(f"/credit-notes/{note.pk}/print/?format=pdf")
    text = pdf_text(response.content, tmp_path)
    assert note.number in text
    assert invoice.number in text
    assert "Credit note" in text


def test_a_held_invoice_prints_as_not_valid(client_for, billing, tmp_path):
    lamp = billing.product("10.00")
    billing.stock(lamp, billing.shanghai, 5)
    customer = billing.customer(
        kind="business", payment_terms="prepaid", credit_limit=Decimal(1000)
    )
    order = order_services.order_submit(actor=None, order=billing.order(customer, (lamp, 1)))
    [held] = services.order_bill(order_id=order.pk)
    client = client_for("finance")
    text = pdf_text(client.get(f"/invoices/{held.pk}/print/?format=pdf").content, tmp_path)
    assert "Not valid as an invoice" in text
    response = client.post(f"/invoices/{held.pk}/issue/", follow=True)
    assert "no taxpayer id" in response.content.decode()
    Customer.objects.filter(pk=customer.pk).update(taxpayer_id=taxpayer_id(9))
    response = client.post(f"/invoices/{held.pk}/issue/", follow=True)
    held.refresh_from_db()
    assert held.number
    assert held.number in response.content.decode()
