"""What billing tells customers (oms.messaging.notify; registered in registrations.py): an
invoice was issued (with its PDF attached), a payment was received.

Both are written in the transaction that issues the invoice or records the payment (an outbox
row: a rolled-back write leaves none; the worker sends after commit), once per invoice or
payment (`key`), and both are essential: an invoice is what the customer pays against and
files for tax, a receipt is proof of payment. Not for a shop platform's orders: the platform
bills and tells its buyers itself. The invoice goes by e-mail whenever the customer has an
address (an SMS cannot carry the PDF); the PDF is made by the outbox worker when it sends,
in the customer's language, the same document as the invoice's print view.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.models import Invoice, Payment
from billing.printing import print_context
from oms.documents import render_pdf
from oms.messaging import notify
from oms.models import OutboxMessage
from oms.registry import MessageEvent, MessageText
from oms.tables import format_money
from orders.intake.channels import told_by_platform
from orders.models import Order
from shipping.order_page import order_page_url

INVOICE_PDF = "billing.invoice_pdf"
INVOICE_TEMPLATE = "billing/documents/invoice.html"

GREETING_EN = "Dear {{ customer_name }},\n\n"
GREETING_ZH = "{{ customer_name }}，您好：\n\n"

INVOICE_ISSUED = MessageEvent(
    code="invoice.issued",
    label=gettext_lazy("Invoice issued"),
    essential=True,
    defaults={
        "en": MessageText(
            subject="Invoice {{ invoice_number }} for your order {{ order_number }}",
            body=GREETING_EN + "please find attached invoice {{ invoice_number }} of "
            "{{ issue_date }} for your order {{ order_number }}, {{ total }} in total"
            ", due on {{ due_date }}."
            "{% if order_url %}\n\nYour order: {{ order_url }}{% endif %}\n\n{{ company }}",
            sms="{{ company }}: invoice {{ invoice_number }} ({{ total }}) for order "
            "{{ order_number }}, due {{ due_date }}.",
        ),
        "zh-hans": MessageText(
            subject="订单 {{ order_number }} 的发票 {{ invoice_number }}",
            body=GREETING_ZH + "您的订单 {{ order_number }} 已开具发票 {{ invoice_number }}"
            "（开票日期 {{ issue_date }}，金额 {{ total }}）"
            "，请于 {{ due_date }} 前付款。发票 PDF 见附件。"
            "{% if order_url %}\n\n查看订单：{{ order_url }}{% endif %}\n\n{{ company }}",
            sms="【{{ company }}】订单{{ order_number }}已开具发票{{ invoice_number }}（{{ total }}）"
            "，请于{{ due_date }}前付款。",
        ),
    },
    variables={
        "invoice_number": gettext_lazy("Invoice number"),
        "order_number": gettext_lazy("Order number"),
        "customer_name": gettext_lazy("Customer name"),
        "issue_date": gettext_lazy("Invoice date"),
        "due_date": gettext_lazy("Due date"),
        "total": gettext_lazy("Invoice total with currency"),
        "order_url": gettext_lazy("Link to the customer's order page"),
        "company": gettext_lazy("Your company's name"),
    },
    sample={
        "invoice_number": "INV-2026-000123",
        "order_number": "SO-2026-000123",
        "customer_name": "上海明亮灯饰有限公司",
        "issue_date": date(2026, 12, 1),
        "due_date": date(2026, 12, 31),
        "total": "¥12,345.60",
        "order_url": "https://shop.example.com/track/Hq3v8mJ0cW2nXyZ5aB7dE9fG1hK4lM6p/",
        "company": "明亮灯饰",
    },
)

PAYMENT_RECEIVED = MessageEvent(
    code="payment.received",
    label=gettext_lazy("Payment received"),
    essential=True,
    defaults={
        "en": MessageText(
            subject="We have received your payment of {{ amount }}",
            body=GREETING_EN + "thank you: we received your payment of {{ amount }} on "
            "{{ received_on }} (our reference {{ payment_number }})."
            "{% if invoices %}\n\nIt pays:{% for invoice in invoices %}\n- invoice "
            "{{ invoice.number }}{% if invoice.order %} (order {{ invoice.order }}){% endif %}: "
            "{{ invoice.amount }}{% endfor %}{% endif %}"
            "{% if unapplied %}\n\n{{ unapplied }} is kept as credit on your account for your "
            "next invoices.{% endif %}\n\n{{ company }}",
            sms="{{ company }}: we received your payment of {{ amount }} on {{ received_on }} "
            "({{ payment_number }}). Thank you!",
        ),
        "zh-hans": MessageText(
            subject="已收到您的付款 {{ amount }}",
            body=GREETING_ZH + "我们已于 {{ received_on }} 收到您的付款 {{ amount }}"
            "（收款编号 {{ payment_number }}），谢谢。"
            "{% if invoices %}\n\n本次付款用于：{% for invoice in invoices %}\n- 发票 "
            "{{ invoice.number }}{% if invoice.order %}（订单 {{ invoice.order }}）{% endif %}："
            "{{ invoice.amount }}{% endfor %}{% endif %}"
            "{% if unapplied %}\n\n余额 {{ unapplied }} 已存为您账户的预付款，将用于抵扣后续发票。"
            "{% endif %}\n\n{{ company }}",
            sms="【{{ company }}】已于{{ received_on }}收到您的付款{{ amount }}"
            "（{{ payment_number }}），谢谢。",
        ),
    },
    variables={
        "payment_number": gettext_lazy("Payment number"),
        "customer_name": gettext_lazy("Customer name"),
        "amount": gettext_lazy("Amount received with currency"),
        "received_on": gettext_lazy("Date received"),
        "invoices": gettext_lazy("The invoices it pays: each with number, order and amount"),
        "unapplied": gettext_lazy("What is kept as credit (may be empty)"),
        "company": gettext_lazy("Your company's name"),
    },
    sample={
        "payment_number": "PAY-2026-000045",
        "customer_name": "上海明亮灯饰有限公司",
        "amount": "¥12,345.60",
        "received_on": date(2026, 12, 1),
        "invoices": [
            {"number": "INV-2026-000123", "order": "SO-2026-000123", "amount": "¥12,345.60"}
        ],
        "unapplied": "",
        "company": "明亮灯饰",
    },
)

BILLING_MESSAGES = (INVOICE_ISSUED, PAYMENT_RECEIVED)


def invoice_attachment(invoice_id: int) -> tuple[str, bytes, str]:
    """The invoice's PDF (oms.registry.register_attachment_maker), made when the e-mail is
    sent, in the language the worker set (the customer's)."""
    invoice = (
        Invoice.objects.select_related("order", "customer", "shipment")
        .prefetch_related("lines")
        .get(pk=invoice_id)
    )
    pdf = render_pdf(INVOICE_TEMPLATE, print_context(invoice, _("Invoice")))
    return f"{invoice.number}.pdf", pdf, "application/pdf"


def notify_invoice_issued(invoice: Invoice) -> OutboxMessage | None:
    """Once per invoice, when it has its number (at once, or when finance issues a held one)."""
    order = invoice.order
    if not invoice.number or told_by_platform(order.channel_id):
        return None
    context = {
        "invoice_number": invoice.number,
        "order_number": order.number,
        "customer_name": invoice.customer.name,
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "total": format_money(invoice.total),
        "order_url": order_page_url(order),
    }
    return notify(
        invoice.customer,
        INVOICE_ISSUED.code,
        context,
        key=str(invoice.pk),
        attachments=[{"code": INVOICE_PDF, "args": {"invoice_id": invoice.pk}}],
        about=[order],
    )


def notify_payment_received(
    payment: Payment, settled: dict[Invoice, Any], orders: dict[int, Order] | None = None
) -> OutboxMessage | None:
    """Once per payment (`settled`: invoice -> the amount this payment put on it; `orders`:
    their orders by id when the caller has them). A payment only for a shop platform's orders
    is the platform's to acknowledge."""
    if orders is None:
        orders = {
            order.pk: order
            for order in Order.objects.filter(pk__in={invoice.order_id for invoice in settled})
        }
    if orders and all(told_by_platform(order.channel_id) for order in orders.values()):
        return None
    context = {
        "payment_number": payment.number,
        "customer_name": payment.customer.name,
        "amount": format_money(payment.amount),
        "received_on": payment.received_on,
        "invoices": [
            {
                "number": invoice.number,
                "order": orders[invoice.order_id].number if invoice.order_id in orders else "",
                "amount": format_money(amount),
            }
            for invoice, amount in sorted(settled.items(), key=lambda item: item[0].number or "")
        ],
        "unapplied": format_money(payment.unapplied) if payment.unapplied > 0 else "",
    }
    return notify(
        payment.customer,
        PAYMENT_RECEIVED.code,
        context,
        key=str(payment.pk),
        about=list(orders.values()),
    )
