"""Statements that bring money in from outside: a carrier's cash-on-delivery remittance and the
bank's account statement. Each file is kept with its lines, so finance can see later what a
line became (a payment, an unknown parcel, a duplicate)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from billing.models.documents import MONEY, Invoice
from billing.models.payments import Payment
from customers.models import Customer
from shipping.models import Carrier, Shipment


class ImportedFile(models.Model):
    file_name = models.CharField(_("file"), max_length=200)
    # The file's SHA-256: the same file again is recognised before anything is read.
    digest = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        abstract = True


class CodRemittance(ImportedFile):
    carrier = models.ForeignKey(
        Carrier, verbose_name=_("carrier"), on_delete=models.PROTECT, related_name="+"
    )
    recorded = models.PositiveIntegerField(_("payments recorded"), default=0)
    total_collected = models.DecimalField(_("collected"), default=0, **MONEY)
    total_fees = models.DecimalField(_("carrier fees"), default=0, **MONEY)

    class Meta:
        verbose_name = _("COD remittance")
        verbose_name_plural = _("COD remittances")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["carrier", "digest"], name="one_remittance_per_file")
        ]

    def __str__(self) -> str:
        return f"{self.carrier} · {self.file_name}"

    def get_absolute_url(self) -> str:
        return reverse("billing:cod_remittance_detail", args=[self.pk])


class RemittanceOutcome(models.TextChoices):
    MATCHED = "matched", _("Matched")
    AMOUNT_DIFFERS = "differs", _("Amount differs")
    UNKNOWN = "unknown", _("Unknown tracking number")
    NOT_COD = "not_cod", _("Not a COD parcel")
    DUPLICATE = "duplicate", _("Twice in the file")
    ALREADY_RECORDED = "recorded", _("Recorded before")
    INVALID = "invalid", pgettext_lazy("import row", "Invalid")


# Rows that become payments; the others are reported and written nowhere else.
PAYING_OUTCOMES = (RemittanceOutcome.MATCHED, RemittanceOutcome.AMOUNT_DIFFERS)


class CodRemittanceLine(models.Model):
    remittance = models.ForeignKey(CodRemittance, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField(_("line"))
    tracking_number = models.CharField(_("tracking number"), max_length=40)
    collected = models.DecimalField(_("collected"), null=True, **MONEY)
    fee = models.DecimalField(_("fee"), null=True, **MONEY)
    remitted_on = models.DateField(_("remitted"), null=True)
    outcome = models.CharField(_("result"), max_length=10, choices=RemittanceOutcome.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    shipment = models.ForeignKey(
        Shipment, verbose_name=_("shipment"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("COD remittance line")
        verbose_name_plural = _("COD remittance lines")
        ordering = ["remittance", "line_no"]

    def __str__(self) -> str:
        return f"{self.remittance_id}/{self.line_no} {self.tracking_number}"


class BankStatement(ImportedFile):
    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["digest"], name="one_bank_statement_per_file")
        ]

    def __str__(self) -> str:
        return self.file_name

    def get_absolute_url(self) -> str:
        return reverse("billing:bank_statement_detail", args=[self.pk])


# Why a bank line was matched as it was (BankStatementLine.match_reason).
MATCH_REASONS = {
    "invoice": _("Invoice number in the reference"),
    "order": _("Order number in the reference"),
    "payer_amount": _("Payer and open amount"),
    "payer": _("Payer"),
}


class BankLineStatus(models.TextChoices):
    OPEN = "open", _("To match")
    CONFIRMED = "confirmed", _("Recorded as payment")
    IGNORED = "ignored", _("Ignored")


class BankStatementLine(models.Model):
    statement = models.ForeignKey(BankStatement, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField(_("line"))
    booked_on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **MONEY)
    payer = models.CharField(_("payer"), max_length=200, blank=True)
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    # The same bank line in two overlapping statements is one line: date, amount, payer,
    # reference and its occurrence among identical lines.
    fingerprint = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=BankLineStatus.choices, default=BankLineStatus.OPEN
    )
    suggested_customer = models.ForeignKey(
        Customer,
        verbose_name=_("suggested customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    suggested_invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("suggested invoice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Why the suggestion was made (a code: invoice number in the reference, order number,
    # payer and amount); empty when nothing matched.
    match_reason = models.CharField(max_length=20, blank=True)
    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("bank statement line")
        verbose_name_plural = _("bank statement lines")
        ordering = ["statement", "line_no"]
        indexes = [
            models.Index(fields=["booked_on"], name="bank_line_open", condition=Q(status="open"))
        ]

    def __str__(self) -> str:
        return f"{self.booked_on} {self.amount} {self.payer}"

    @property
    def match_reason_label(self) -> str:
        return str(MATCH_REASONS.get(self.match_reason, ""))
