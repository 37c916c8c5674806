"""Billing tells the customer when an invoice is issued (its PDF attached, made by the outbox
worker in the customer's language) and when a payment is received: once each, only once the
write commits, essential (opt-out does not stop them)."""

import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail

from billing import services
from billing.choices import InvoiceStatus, PaymentMethod
from billing.messages import notify_invoice_issued, notify_payment_received
from billing.payments import payment_record
from oms.choices import OutboxStatus
from oms.models import OutboxMessage
from orders.choices import ChannelCode
from orders.services import LineRequest, order_place
from tests.billing.test_invoicing import confirmed
from tests.factories import UserFactory
from tests.helpers import rolled_back

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 30)


def prepaid_invoice(billing, run_hooks, **customer):
    customer.setdefault("email", "buyer@example.com")
    customer.setdefault("preferred_channel", "email")
    product = billing.product("120.00")
    with run_hooks():
        order = confirmed(
            billing, billing.business(payment_terms="prepaid", **customer), (product, 2)
        )
    [invoice] = billing.invoices(order)
    return invoice


def invoice_messages():
    return list(OutboxMessage.objects.filter(event_code="invoice.issued"))


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "invoice.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_an_issued_invoice_is_e_mailed_with_its_pdf_once(billing, run_hooks, tmp_path):
    invoice = prepaid_invoice(billing, run_hooks, language="en", opt_out_non_essential=True)
    [message] = invoice_messages()
    # Essential: sent despite the opt-out (the worker ran after the commit, in this process).
    assert message.status == OutboxStatus.SENT
    assert message.subject == f"Invoice {invoice.number} for your order {invoice.order.number}"
    assert "¥240.00" in message.body
    assert f"/track/{invoice.order.public_token}/" in message.body
    assert message.attachments == [
        {"code": "billing.invoice_pdf", "args": {"invoice_id": invoice.pk}}
    ]
    assert message.about_refs == [f"orders.order:{invoice.order_id}"]
    # Billing the order again (the catch-up job) writes no second message.
    services.order_bill(order_id=invoice.order_id)
    assert notify_invoice_issued(invoice) is None
    assert len(invoice_messages()) == 1

    [sent] = [m for m in mail.outbox if m.subject == message.subject]
    [(name, content, mime)] = sent.attachments
    assert (name, mime) == (f"{invoice.number}.pdf", "application/pdf")
    text = pdf_text(content, tmp_path)
    assert invoice.number in text
    assert "Invoice" in text  # in the customer's language


def test_the_chinese_invoice_message_and_pdf(billing, run_hooks, tmp_path):
    invoice = prepaid_invoice(billing, run_hooks, language="zh-hans")
    [message] = invoice_messages()
    assert message.subject == f"订单 {invoice.order.number} 的发票 {invoice.number}"
    assert "发票 PDF 见附件" in message.body
    [sent] = [m for m in mail.outbox if m.subject == message.subject]
    [(_name, content, _mime)] = sent.attachments
    assert "发票" in pdf_text(content, tmp_path)


def test_an_sms_customer_gets_the_invoice_by_e_mail_when_there_is_an_address(billing, run_hooks):
    prepaid_invoice(billing, run_hooks, preferred_channel="sms", language="en")
    [message] = invoice_messages()
    assert message.channel == "email"
    assert message.attachments


def test_a_held_invoice_is_told_when_finance_issues_it(billing, run_hooks):
    customer = billing.customer(
        kind="business", payment_terms="prepaid", email="h@example.com", credit_limit=Decimal(9999)
    )  # no taxpayer id yet: the invoice is held
    product = billing.product("50.00")
    with run_hooks():
        order = confirmed(billing, customer, (product, 1))
    [invoice] = billing.invoices(order)
    assert invoice.status == InvoiceStatus.HELD
    assert not invoice_messages()
    customer.taxpayer_id, customer.fapiao_title = "91310000000000001Y", "上海某公司"
    customer.save()
    services.invoice_issue(actor=UserFactory(username="fin-i", role="finance"), invoice=invoice)
    [message] = invoice_messages()
    invoice.refresh_from_db()
    assert invoice.number in message.subject


def test_an_invoice_rolled_back_tells_nobody(billing):
    product = billing.product("50.00")
    customer = billing.business(
        payment_terms="prepaid", email="r@example.com", preferred_channel="email"
    )
    order = confirmed(billing, customer, (product, 1))  # billed after commit: not yet here
    assert not billing.invoices(order)
    seen = rolled_back(lambda: (services.order_bill(order_id=order.pk), invoice_messages())[1])
    assert len(seen) == 1  # written with the invoice...
    assert not invoice_messages()  # ...and rolled back with it
    services.order_bill(order_id=order.pk)
    assert len(invoice_messages()) == 1


def pay(customer, amount, key, **kwargs):
    return payment_record(
        actor=UserFactory(username=f"fin-{key}", role="finance"),
        customer=customer,
        amount=amount,
        method=PaymentMethod.BANK_TRANSFER,
        received_on=TODAY,
        idempotency_key=key,
        **kwargs,
    )


def test_a_payment_is_acknowledged_once_with_what_it_pays(billing, run_hooks):
    invoice = prepaid_invoice(billing, run_hooks, language="en")
    customer = invoice.customer
    payment = pay(customer, invoice.total + Decimal("10.00"), "k-1")
    [message] = OutboxMessage.objects.filter(event_code="payment.received")
    assert message.subject == "We have received your payment of ¥250.00"
    assert payment.number in message.body
    assert f"invoice {invoice.number} (order {invoice.order.number}): ¥240.00" in message.body
    assert "¥10.00 is kept as credit" in message.body
    assert message.about_refs == [f"orders.order:{invoice.order_id}"]
    # The same request again (a double submit, a retried import): the same payment, no message.
    assert pay(customer, invoice.total + Decimal("10.00"), "k-1").pk == payment.pk
    assert notify_payment_received(payment, {invoice: invoice.total}) is None
    assert OutboxMessage.objects.filter(event_code="payment.received").count() == 1


def test_a_payment_in_chinese_and_a_rolled_back_one(billing, run_hooks):
    invoice = prepaid_invoice(billing, run_hooks, language="zh-hans")
    rolled_back(lambda: pay(invoice.customer, invoice.total, "k-rb"))
    assert not OutboxMessage.objects.filter(event_code="payment.received").exists()
    pay(invoice.customer, invoice.total, "k-zh")
    message = OutboxMessage.objects.get(event_code="payment.received")
    assert message.subject == "已收到您的付款 ¥240.00"
    assert f"发票 {invoice.number}（订单 {invoice.order.number}）：¥240.00" in message.body


def test_a_marketplace_order_is_billed_and_paid_without_a_message(billing, run_hooks):
    customer = billing.business(payment_terms="prepaid", email="m@example.com")
    product = billing.product("80.00")
    billing.stock(product, billing.shanghai, 5)
    with run_hooks():
        order = order_place(
            actor=None,
            customer=customer,
            lines=[LineRequest(product, 1)],
            channel=ChannelCode.MARKETPLACE,
            external_reference="MP-1",
        )
    [invoice] = billing.invoices(order)
    pay(customer, invoice.total, "k-mp")
    assert not OutboxMessage.objects.exists()


def test_a_payment_while_the_broker_is_unreachable_loses_no_message(
    billing, run_hooks, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    """The publish after commit fails: the payment stands, its message waits in the outbox,
    and the periodic flush queues it once the broker is back."""
    from datetime import timedelta

    from django.utils import timezone

    from oms import celery_app
    from oms.tasks import flush_outbox
    from tests.oms.test_broker_publish import broker_unreachable, queued_tasks

    invoice = prepaid_invoice(billing, run_hooks, language="en")
    # From here tasks go to the broker instead of running in this process (run_hooks).
    monkeypatch.setattr(celery_app.conf, "task_always_eager", False)
    queued_tasks("notifications")
    with broker_unreachable(monkeypatch), django_capture_on_commit_callbacks(execute=True):
        payment = pay(invoice.customer, invoice.total, "k-down")
    assert "could not queue oms.tasks.deliver_outbox_message" in caplog.text
    payment.refresh_from_db()
    assert payment.unapplied == 0
    message = OutboxMessage.objects.get(event_code="payment.received")
    assert message.status == OutboxStatus.PENDING
    assert queued_tasks("notifications") == []
    OutboxMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    assert flush_outbox() == 1
    assert queued_tasks("notifications") == [("oms.tasks.deliver_outbox_message", [message.pk])]
