"""Invoices and credit notes. An issued invoice never changes (a database trigger refuses it):
what was wrong is corrected by a credit note, with its own gapless series."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from billing.choices import CreditReason, InvoiceStatus
from customers.choices import FapiaoType, PaymentTerms
from customers.models import Customer
from orders.models import Order
from shipping.models import Shipment

MONEY = {"max_digits": 14, "decimal_places": 2}


class BuyerDetails(models.Model):
    """What a tax document says about the buyer: copied from the customer when it is issued,
    so a later change of the customer never changes a document."""

    fapiao_type = models.CharField(
        _("invoice type"), max_length=10, choices=FapiaoType.choices, default=FapiaoType.GENERAL
    )
    buyer_name = models.CharField(_("invoice title (抬头)"), max_length=200, blank=True)
    taxpayer_id = models.CharField(_("taxpayer id"), max_length=18, blank=True)
    buyer_address = models.CharField(_("registered address"), max_length=200, blank=True)
    buyer_phone = models.CharField(_("registered phone"), max_length=30, blank=True)
    buyer_bank = models.CharField(_("bank"), max_length=100, blank=True)
    buyer_account = models.CharField(_("bank account"), max_length=40, blank=True)

    class Meta:
        abstract = True

    BUYER_FIELDS = (
        "fapiao_type",
        "buyer_name",
        "taxpayer_id",
        "buyer_address",
        "buyer_phone",
        "buyer_bank",
        "buyer_account",
    )

    def copy_buyer_of(self, document: "BuyerDetails") -> None:
        """The buyer as another document printed it (a credit note: its invoice's)."""
        for field in self.BUYER_FIELDS:
            setattr(self, field, getattr(document, field))

    def copy_buyer(self, customer: Customer) -> None:
        self.fapiao_type = customer.fapiao_type
        self.buyer_name = customer.invoice_title
        self.taxpayer_id = customer.taxpayer_id
        self.buyer_address = customer.fapiao_address
        self.buyer_phone = customer.fapiao_phone
        self.buyer_bank = customer.fapiao_bank
        self.buyer_account = customer.fapiao_account


class Amounts(models.Model):
    subtotal = models.DecimalField(_("net"), default=0, **MONEY)
    tax_total = models.DecimalField(_("tax"), default=0, **MONEY)
    shipping_fee = models.DecimalField(_("shipping"), default=0, **MONEY)
    # The VAT on shipping_fee (included in tax_total) and its rate: the order's
    # (orders.pricing.shipping_tax_rate). Documents written before it have 0.
    shipping_tax = models.DecimalField(_("shipping tax"), default=0, **MONEY)
    shipping_tax_rate = models.DecimalField(
        _("shipping tax rate"), max_digits=5, decimal_places=4, default=0
    )
    total = models.DecimalField(_("total"), default=0, **MONEY)

    class Meta:
        abstract = True

    @property
    def shipping_with_tax(self) -> Decimal:
        return self.shipping_fee + self.shipping_tax


class Invoice(BuyerDetails, Amounts):
    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="invoices"
    )
    # Orders on account and cash on delivery are invoiced per shipment at dispatch; a prepaid
    # order once, for the whole order, at confirmation.
    shipment = models.ForeignKey(
        Shipment,
        verbose_name=_("shipment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="invoices"
    )
    status = models.CharField(
        _("status"), max_length=14, choices=InvoiceStatus.choices, default=InvoiceStatus.HELD
    )
    hold_reason = models.CharField(_("why held"), max_length=300, blank=True)
    payment_terms = models.CharField(
        _("payment terms"), max_length=10, choices=PaymentTerms.choices
    )
    issue_date = models.DateField(_("date"), null=True, blank=True)
    due_date = models.DateField(_("due"), null=True, blank=True)
    amount_credited = models.DecimalField(_("credited"), default=0, **MONEY)
    # Σ of the payment allocations to this invoice, kept by billing.payments under the invoice's
    # row lock; the prepaid dispatch guard and the order's payment_status read it.
    amount_paid = models.DecimalField(_("paid"), default=0, **MONEY)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issue_date", "-id"]
        permissions = [("issue_invoice", _("Can issue invoices and credit notes"))]
        indexes = [
            models.Index(fields=["order", "id"], name="invoice_order"),
            models.Index(fields=["customer", "-issue_date"], name="invoice_customer_newest"),
            models.Index(fields=["status", "-id"], name="invoice_status_newest"),
            # The dashboard's DSO: credit sales of the last 90 days, an index-only scan.
            models.Index(
                fields=["issue_date"],
                include=["status", "payment_terms", "customer", "total"],
                name="invoice_issued",
            ),
        ]
        constraints = [
            # One invoice per dispatched shipment: a hook run twice issues it once.
            models.UniqueConstraint(
                fields=["shipment"],
                condition=Q(shipment__isnull=False),
                name="one_invoice_per_shipment",
            ),
            # Held invoices have no number; every other one has its number and date.
            models.CheckConstraint(
                condition=Q(status="held", number__isnull=True, issue_date__isnull=True)
                | (~Q(status="held") & Q(number__isnull=False, issue_date__isnull=False)),
                name="invoice_number_when_issued",
            ),
            models.CheckConstraint(
                condition=Q(amount_credited__gte=0, amount_credited__lte=F("total")),
                name="invoice_credited_within_total",
            ),
            # A credit note on a paid invoice first releases the payment it no longer needs
            # (it becomes the customer's credit), so paid + credited never exceeds the total.
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0, amount_paid__lte=F("total") - F("amount_credited")),
                name="invoice_settled_within_total",
            ),
            models.CheckConstraint(
                condition=Q(total=F("subtotal") + F("tax_total") + F("shipping_fee")),
                name="invoice_total_adds_up",
            ),
        ]

    def __str__(self) -> str:
        return self.number or str(_("Invoice (held) for %(order)s") % {"order": self.order_id})

    def get_absolute_url(self) -> str:
        return reverse("billing:invoice_detail", args=[self.pk])

    @property
    def open_amount(self) -> Decimal:
        """What the invoice still asks for: its total less credit notes and payments."""
        return self.total - self.amount_credited - self.amount_paid


class DocumentLine(models.Model):
    position = models.PositiveSmallIntegerField(_("line"))
    order_line_no = models.PositiveSmallIntegerField(_("order line"))
    sku = models.CharField(_("SKU"), max_length=40)
    description = models.CharField(_("description"), max_length=250)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    discount = models.DecimalField(_("discount"), default=0, **MONEY)
    tax_rate = models.DecimalField(_("tax rate"), max_digits=5, decimal_places=4)
    net_amount = models.DecimalField(_("net"), **MONEY)
    tax_amount = models.DecimalField(_("tax"), **MONEY)
    total = models.DecimalField(_("total"), **MONEY)

    class Meta:
        abstract = True
        ordering = ["position"]


class InvoiceLine(DocumentLine):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")

    class Meta(DocumentLine.Meta):
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "position"], name="one_invoice_line_per_position"
            ),
            models.CheckConstraint(
                condition=Q(total=F("net_amount") + F("tax_amount")), name="invoice_line_adds_up"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}/{self.position} {self.quantity} × {self.sku}"


class CreditNote(BuyerDetails, Amounts):
    """A correction of an issued invoice: positive amounts that reduce what it asks for."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="credit_notes"
    )
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="credit_notes"
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="credit_notes"
    )
    reason = models.CharField(_("reason"), max_length=14, choices=CreditReason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    issue_date = models.DateField(_("date"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        ordering = ["-issue_date", "-id"]
        indexes = [models.Index(fields=["invoice", "id"], name="credit_note_invoice")]
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="credit_note_positive"),
            models.CheckConstraint(
                condition=Q(total=F("subtotal") + F("tax_total") + F("shipping_fee")),
                name="credit_note_total_adds_up",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("billing:credit_note_detail", args=[self.pk])


class CreditNoteLine(DocumentLine):
    credit_note = models.ForeignKey(CreditNote, on_delete=models.CASCADE, related_name="lines")

    class Meta(DocumentLine.Meta):
        verbose_name = _("credit note line")
        verbose_name_plural = _("credit note lines")
        constraints = [
            models.UniqueConstraint(
                fields=["credit_note", "position"], name="one_credit_line_per_position"
            ),
            models.CheckConstraint(
                condition=Q(total=F("net_amount") + F("tax_amount")), name="credit_line_adds_up"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.credit_note_id}/{self.position} {self.quantity} × {self.sku}"
