"""The shipping fee bears VAT like the goods it goes with (价外费用): the order's shipping_tax
at the highest rate of its lines, carried by the invoice that carries the fee (in its tax
total and its tax summary), credited with the fee, printed on the PDF; the documents add up
to the order to the cent."""

import subprocess
from decimal import Decimal

import pytest

from billing import services
from billing.choices import InvoiceStatus
from billing.models import CreditNote
from oms.tables import format_money
from orders import services as order_services
from orders.models import ShippingRule
from shipping.models import Shipment

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def rule(db):
    return ShippingRule.objects.create(name="standard", base_fee=D("12.00"))


def confirmed(billing, customer, *lines):
    for product, _quantity in lines:
        billing.stock(product, billing.shanghai, 10)
    return order_services.order_submit(actor=None, order=billing.order(customer, *lines))


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def adds_up(doc) -> None:
    assert doc.total == doc.subtotal + doc.tax_total + doc.shipping_fee


def test_one_rate_the_order_taxes_its_shipping(billing, rule):
    lamp = billing.product("99.90")
    order = confirmed(billing, billing.business(payment_terms="prepaid"), (lamp, 2))
    line = order.lines.get()
    assert order.shipping_fee == D("12.00")
    assert order.shipping_tax_rate == D("0.13")
    assert order.shipping_tax == D("1.56")
    assert order.tax_total == line.tax_amount + D("1.56")
    assert order.total == line.line_total + D("12.00") + D("1.56")
    adds_up(order)


def test_mixed_rates_the_invoice_carries_the_shipping_tax_to_the_cent(billing, rule):
    lamp, shade = billing.product("99.90"), billing.product("20.00", tax_class_id="reduced")
    order = confirmed(billing, billing.business(payment_terms="prepaid"), (lamp, 1), (shade, 3))
    assert order.shipping_tax_rate == D("0.13")  # the highest rate of the lines
    assert order.shipping_tax == D("1.56")
    [invoice] = services.order_bill(order_id=order.pk)
    assert (
        invoice.subtotal,
        invoice.tax_total,
        invoice.shipping_fee,
        invoice.shipping_tax,
        invoice.shipping_tax_rate,
        invoice.total,
    ) == (
        order.subtotal,
        order.tax_total,
        order.shipping_fee,
        order.shipping_tax,
        order.shipping_tax_rate,
        order.total,
    )
    adds_up(invoice)
    summary = {row["rate"]: row for row in services_tax_summary(invoice)}
    lamp_line = invoice.lines.get(order_line_no=1)
    assert summary[D("0.1300")]["net"] == lamp_line.net_amount + D("12.00")
    assert summary[D("0.1300")]["tax"] == lamp_line.tax_amount + D("1.56")
    assert sum(row["tax"] for row in summary.values()) == invoice.tax_total
    assert sum(row["total"] for row in summary.values()) == invoice.total
    assert services.order_bill(order_id=order.pk) == []  # nothing more to write


def services_tax_summary(doc):
    from billing.selectors import tax_summary

    return tax_summary(list(doc.lines.all()), doc)


def test_a_credit_note_for_the_shipping_refunds_its_tax(billing, rule):
    lamp, shade = billing.product("99.90"), billing.product("20.00", tax_class_id="reduced")
    order = confirmed(billing, billing.business(payment_terms="prepaid"), (lamp, 1), (shade, 3))
    [invoice] = services.order_bill(order_id=order.pk)
    note = services.credit_note_create(
        actor=None, invoice=invoice, quantities={2: 1}, shipping=True, note="运费退回"
    )
    assert (note.shipping_fee, note.shipping_tax, note.shipping_tax_rate) == (
        D("12.00"),
        D("1.56"),
        D("0.1300"),
    )
    shade_line = note.lines.get()
    assert note.tax_total == shade_line.tax_amount + D("1.56")
    adds_up(note)
    rest = services.credit_note_create(
        actor=None, invoice=invoice, quantities={1: 1, 2: 2}, note="全部退回"
    )
    assert rest.shipping_tax == 0
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CREDITED
    assert note.total + rest.total == order.total  # to the cent


def test_a_cancelled_order_credits_the_shipping_tax(billing, rule, run_hooks):
    lamp = billing.product("99.90")
    with run_hooks():
        order = confirmed(billing, billing.business(payment_terms="prepaid"), (lamp, 2))
    [invoice] = billing.invoices(order)
    assert invoice.shipping_tax == D("1.56")
    with run_hooks():
        order_services.order_cancel(actor=None, order=order, reason="customer changed mind")
    [note] = CreditNote.objects.filter(invoice=invoice)
    assert (note.shipping_fee, note.shipping_tax, note.total) == (
        invoice.shipping_fee,
        invoice.shipping_tax,
        invoice.total,
    )


def test_an_amendment_keeps_the_shipping_tax_on_the_invoice(billing, rule, run_hooks):
    lamp, shade = billing.product("99.90"), billing.product("15.50")
    with run_hooks():
        order = confirmed(billing, billing.business(payment_terms="prepaid"), (lamp, 5), (shade, 4))
    [invoice] = billing.invoices(order)
    with run_hooks():
        order_services.order_amend(actor=None, order=order, changes={1: 3, 2: 4})
    order.refresh_from_db()
    [note] = CreditNote.objects.filter(invoice=invoice)
    assert (note.shipping_fee, note.shipping_tax) == (0, 0)  # the same fee, the same tax
    assert invoice.total - note.total == order.total
    assert invoice.shipping_tax == order.shipping_tax == D("1.56")


def test_on_account_the_first_shipments_invoice_carries_the_shipping_tax(
    billing, rule, run_hooks, settings
):
    settings.OMS_ROUNDING = "ROUND_HALF_UP"
    lamp = billing.product("33.33", tax_class_id="reduced")
    billing.stock(lamp, billing.shanghai, 2)  # two warehouses: two shipments
    billing.stock(lamp, billing.guangzhou, 5)
    customer = billing.business(payment_terms="net_30")
    order = order_services.order_submit(actor=None, order=billing.order(customer, (lamp, 7)))
    assert (order.shipping_tax_rate, order.shipping_tax) == (D("0.09"), D("1.08"))
    first, second = billing.picked(order)
    with run_hooks():
        billing.dispatch(first, tracking="SF1")
    with run_hooks():
        billing.dispatch(Shipment.objects.get(pk=second.pk), tracking="SF2")
    invoices = billing.invoices(order)
    assert [(i.shipping_fee, i.shipping_tax) for i in invoices] == [
        (D("12.00"), D("1.08")),
        (0, 0),
    ]
    for invoice in invoices:
        adds_up(invoice)
    assert sum(i.total for i in invoices) == order.total
    assert sum(i.tax_total for i in invoices) == order.tax_total


def test_the_pdfs_print_the_shipping_tax(client_for, billing, rule, tmp_path):
    lamp, shade = billing.product("99.90"), billing.product("20.00", tax_class_id="reduced")
    order = confirmed(billing, billing.business(payment_terms="prepaid"), (lamp, 1), (shade, 3))
    [invoice] = services.order_bill(order_id=order.pk)
    client = client_for("finance")
    page = client.get(f"/invoices/{invoice.pk}/").content.decode()
    assert "Total, with shipping ¥12.00 and its tax ¥1.56" in page
    pdf = client.get(f"/invoices/{invoice.pk}/print/?format=pdf").content
    (tmp_path / "invoice.pdf").write_bytes(pdf)  # kept to look at
    text = pdf_text(pdf, tmp_path)
    [shipping_row] = [row for row in text.splitlines() if "Shipping" in row]
    assert shipping_row.split()[1:] == ["13", "%", "¥12.00", "¥1.56", "¥13.56"], shipping_row
    lamp_line = invoice.lines.get(order_line_no=1)
    rate_rows = [row.split() for row in text.splitlines() if row.split()[:2] == ["13", "%"]]
    # the line's row of the tax summary: the lamp and the shipping at 13 %
    assert [
        "13",
        "%",
        format_money(lamp_line.net_amount + 12),
        format_money(lamp_line.tax_amount + D("1.56")),
        format_money(lamp_line.total + D("13.56")),
    ] in rate_rows, text
    assert format_money(invoice.tax_total) in text
    assert format_money(invoice.total) in text
    note = services.credit_note_create(
        actor=None, invoice=invoice, quantities={}, shipping=True, note="运费退回"
    )
    text = pdf_text(client.get(f"/credit-notes/{note.pk}/print/?format=pdf").content, tmp_path)
    [shipping_row] = [row for row in text.splitlines() if "Shipping" in row]
    assert shipping_row.split()[1:] == ["13", "%", "¥12.00", "¥1.56", "¥13.56"], shipping_row
    assert "13.56" in text.split("Amount due")[1]


def test_the_order_pages_show_the_shipping_tax(client_for, billing, rule):
    lamp = billing.product("99.90")
    order = confirmed(billing, billing.business(payment_terms="prepaid"), (lamp, 2))
    page = client_for("sales").get(order.get_absolute_url()).content.decode()
    assert "Tax on shipping at 13 % ¥1.56" in page
    assert "on shipping ¥1.56" in page


def test_the_customers_page_charges_the_shipping_with_its_tax(client, billing, rule):
    lamp = billing.product("99.90")
    order = confirmed(billing, billing.business(payment_terms="prepaid"), (lamp, 2))
    page = client.get(f"/track/{order_services.order_public_token(order)}/").content.decode()
    items = order.total - D("13.56")
    assert items == order.lines.get().line_total
    assert format_money(items) in page  # the items as charged
    assert format_money(D("13.56")) in page  # the shipping as charged: 12.00 + 1.56
    assert format_money(order.total) in page
