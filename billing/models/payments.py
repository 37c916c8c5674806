"""Money received from customers and paid back to them.

- `Payment`: one receipt (positive amount) or refund (negative amount). Its idempotency key is
  unique: the same key again returns the same payment.
- `PaymentAllocation`: how much of a payment settles which invoice. What a receipt has not
  allocated (`unapplied`) is the customer's credit, usable on later invoices.
- `PaymentRelease`: what a credit note on a paid invoice gave back to a receipt (its allocation
  shrank, its unapplied grew); a refund of the credit note pays back at most that.
- `Installment`: when an invoice's money is due. Every issued invoice has at least one (the
  whole total at its due date); aging reads the installments, never the invoice's due date.

Invariants (kept by billing.payments under row locks, in this order: customer, invoices by id,
payments by id):
- receipt: 0 ≤ unapplied ≤ amount; amount = unapplied + Σ its allocations + Σ its refunds;
- invoice.amount_paid = Σ allocations to it = Σ its installments' amount_paid;
- invoice.amount_credited = Σ its installments' amount_credited; payments fill the earliest
  installment first, credit notes reduce the latest first.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from billing.choices import PaymentKind, PaymentMethod, PaymentSource
from billing.models.documents import MONEY, CreditNote, Invoice
from customers.models import Customer
from shipping.models import Shipment


class Payment(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="payments"
    )
    kind = models.CharField(
        _("kind"), max_length=8, choices=PaymentKind.choices, default=PaymentKind.RECEIPT
    )
    method = models.CharField(_("method"), max_length=14, choices=PaymentMethod.choices)
    source = models.CharField(
        _("source"), max_length=16, choices=PaymentSource.choices, default=PaymentSource.MANUAL
    )
    # Receipts are positive, refunds negative: Σ amount over a customer is what they paid net.
    amount = models.DecimalField(_("amount"), **MONEY)
    # The part of a receipt not allocated to any invoice nor refunded: the customer's credit.
    unapplied = models.DecimalField(_("unapplied"), default=0, **MONEY)
    # What the money cost us: the carrier's COD fee, the card acquirer's fee.
    fee = models.DecimalField(_("fee"), default=0, **MONEY)
    received_on = models.DateField(_("date"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    payer = models.CharField(_("payer"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # The same key again returns the same payment; with another amount or invoice it is refused.
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    # A refund pays back (part of) this receipt, by its method, for this credit note.
    refund_of = models.ForeignKey(
        "self",
        verbose_name=_("refund of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunds",
    )
    credit_note = models.ForeignKey(
        CreditNote,
        verbose_name=_("credit note"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunds",
    )
    # Cash on delivery: the dispatched shipment whose collection this is.
    shipment = models.ForeignKey(
        Shipment,
        verbose_name=_("shipment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_on", "-id"]
        permissions = [("record_payment", _("Can record payments and refunds"))]
        indexes = [
            models.Index(fields=["customer", "-received_on"], name="payment_customer_newest"),
            models.Index(
                fields=["customer", "id"],
                name="payment_customer_credit",
                condition=Q(unapplied__gt=0),
            ),
            models.Index(fields=["shipment"], name="payment_shipment"),
            # The dashboard's "collected this month": the month's receipts, index-only.
            models.Index(
                fields=["received_on"],
                include=["method", "customer", "amount"],
                condition=Q(kind="receipt"),
                name="receipt_received",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="receipt", amount__gt=0, unapplied__gte=0)
                & Q(unapplied__lte=F("amount"))
                | Q(kind="refund", amount__lt=0, unapplied=0),
                name="payment_amount_sign",
            ),
            models.CheckConstraint(condition=Q(fee__gte=0), name="payment_fee_not_negative"),
            # A credit note is refunded once per receipt that paid its invoice: two refunds of
            # it at the same time, one wins.
            models.UniqueConstraint(
                fields=["credit_note", "refund_of"],
                condition=Q(kind="refund", credit_note__isnull=False),
                name="one_refund_per_credit_note_receipt",
            ),
            # A COD parcel's collection is recorded once, however often its statement comes.
            models.UniqueConstraint(
                fields=["shipment"],
                condition=Q(kind="receipt", method="cod", shipment__isnull=False),
                name="one_cod_receipt_per_shipment",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("billing:payment_detail", args=[self.pk])


class PaymentAllocation(models.Model):
    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="allocations"
    )
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="allocations"
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    created_at = models.DateTimeField(_("allocated"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment allocation")
        verbose_name_plural = _("payment allocations")
        ordering = ["id"]
        indexes = [models.Index(fields=["invoice", "id"], name="allocation_invoice")]
        constraints = [
            # One row per pair: a second allocation of the same payment adds to it.
            models.UniqueConstraint(fields=["payment", "invoice"], name="one_allocation_per_pair"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.invoice_id}: {self.amount}"


class PaymentRelease(models.Model):
    """A credit note reduced a paid invoice: this much of this receipt's allocation to the
    invoice went back to the receipt's unapplied (the customer's credit). Allocations shrink and
    vanish, so without this row a refund could not know which receipt paid what it credits."""

    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="releases"
    )
    credit_note = models.ForeignKey(
        CreditNote,
        verbose_name=_("credit note"),
        on_delete=models.PROTECT,
        related_name="releases",
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    created_at = models.DateTimeField(_("released"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment release")
        verbose_name_plural = _("payment releases")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_note", "payment"], name="one_release_per_credit_note_payment"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="release_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.credit_note_id} → {self.payment_id}: {self.amount}"


class Installment(models.Model):
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.CASCADE, related_name="installments"
    )
    # The invoice's customer (an issued invoice never changes it): aging groups the open
    # installments by customer from the index below alone, never joining the invoices.
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("installment"))
    due_date = models.DateField(_("due"))
    amount = models.DecimalField(_("amount"), **MONEY)
    amount_paid = models.DecimalField(_("paid"), default=0, **MONEY)
    amount_credited = models.DecimalField(_("credited"), default=0, **MONEY)

    class Meta:
        verbose_name = _("installment")
        verbose_name_plural = _("installments")
        ordering = ["invoice", "position"]
        indexes = [
            # Aging reads only what is still open, by due date.
            models.Index(
                fields=["due_date", "invoice"],
                name="installment_open_due",
                condition=Q(amount__gt=F("amount_paid") + F("amount_credited")),
            ),
            # Receivables aging (billing.receivables): per customer, by due date, with the
            # amounts, so PostgreSQL reads only this index, already in customer order.
            models.Index(
                fields=["customer", "due_date"],
                name="installment_open_customer",
                include=["amount", "amount_paid", "amount_credited"],
                condition=Q(amount__gt=F("amount_paid") + F("amount_credited")),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "position"], name="one_installment_per_position"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0, amount_paid__gte=0, amount_credited__gte=0)
                & Q(amount__gte=F("amount_paid") + F("amount_credited")),
                name="installment_settled_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}/{self.position} {self.due_date} {self.amount}"

    @property
    def open_amount(self):
        return self.amount - self.amount_paid - self.amount_credited
