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


# Gapless series (oms.numbering): one counter per series and year.
INVOICE_SERIES = "INV"
CREDIT_NOTE_SERIES = "CN"


INVOICE_STATUS_TONES = {
    InvoiceStatus.HELD: "amber",
    InvoiceStatus.ISSUED: "blue",
    InvoiceStatus.PARTLY_CREDITED: "orange",
    InvoiceStatus.CREDITED: "grey",
}
