from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class InvoiceStatus(models.TextChoices):
    # Made by the automatic path for a customer whose fapiao details are missing or invalid:
    # no number yet (numbers are gapless and belong to issued invoices); finance completes the
    # customer and issues it.
    HELD = "held", pgettext_lazy("invoice status", "Needs fapiao details")
    ISSUED = "issued", pgettext_lazy("invoice status", "Issued")
    PARTLY_CREDITED = "part_credited", pgettext_lazy("invoice status", "Partly credited")
    CREDITED = "credited", pgettext_lazy("invoice status", "Credited")


class CreditReason(models.TextChoices):
    AMENDMENT = "amendment", _("Order amended")
    CANCELLATION = "cancellation", _("Order cancelled")
    REMAINDER = "remainder", _("Undispatched remainder cancelled")
    MANUAL = "manual", _("Correction by finance")
    RETURN = "return", _("Goods returned")


# Gapless series (oms.numbering): one counter per series and year.
INVOICE_SERIES = "INV"
CREDIT_NOTE_SERIES = "CN"


INVOICE_STATUS_TONES = {
    InvoiceStatus.HELD: "amber",
    InvoiceStatus.ISSUED: "blue",
    InvoiceStatus.PARTLY_CREDITED: "orange",
    InvoiceStatus.CREDITED: "grey",
}


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer (对公转账)")
    ALIPAY = "alipay", _("Alipay")
    WECHAT_PAY = "wechat_pay", _("WeChat Pay")
    CARD = "card", _("Card")
    CASH = "cash", _("Cash")
    # Collected by the carrier at the door; recorded when its remittance statement is imported.
    COD = "cod", _("Cash on delivery")
    # Paid with the customer's credit: the unapplied part of earlier payments. Only refunds
    # "kept as credit" and credit applications use it; it brings no new money.
    CUSTOMER_CREDIT = "credit", _("Customer credit")
    # The buyer paid on the platform (a shop, a marketplace), which pays us out later.
    PLATFORM = "platform", _("Collected by the platform")


class PaymentKind(models.TextChoices):
    RECEIPT = "receipt", pgettext_lazy("payment kind", "Receipt")
    REFUND = "refund", pgettext_lazy("payment kind", "Refund")


class PaymentSource(models.TextChoices):
    MANUAL = "manual", _("Entered by finance")
    COD_REMITTANCE = "cod_remittance", _("COD remittance statement")
    BANK_STATEMENT = "bank_statement", _("Bank statement")
    CHANNEL = "channel", _("Paid on the sales channel")


PAYMENT_SEQUENCE = "billing_payment_number"

# Invoices that still count: held, issued, or partly credited.
OPEN_STATUSES = (InvoiceStatus.HELD, InvoiceStatus.ISSUED, InvoiceStatus.PARTLY_CREDITED)
