from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from customers.choices import (
    CustomerGroup,
    CustomerKind,
    CustomerTier,
    FapiaoType,
    PaymentTerms,
    RfmSegment,
)
from oms.choices import MessageChannel, MessageLanguage
from oms.regions import REGION_CHOICES, region_label
from oms.validators import validate_phone, validate_taxpayer_id


class Customer(models.Model):
    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        error_messages={"unique": _("A customer with this code already exists.")},
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("type"), max_length=12, choices=CustomerKind.choices, default=CustomerKind.BUSINESS
    )
    contact_person = models.CharField(_("contact person"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, validators=[validate_phone])
    email = models.EmailField(_("email"), blank=True)
    group = models.CharField(
        _("group"), max_length=12, choices=CustomerGroup.choices, default=CustomerGroup.RETAIL
    )
    tier = models.CharField(
        _("tier"), max_length=10, choices=CustomerTier.choices, default=CustomerTier.STANDARD
    )
    credit_limit = models.DecimalField(
        _("credit limit"),
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("Open orders and unpaid invoices may not exceed this amount. 0 = no credit."),
    )
    payment_terms = models.CharField(
        _("payment terms"),
        max_length=10,
        choices=PaymentTerms.choices,
        default=PaymentTerms.PREPAID,
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customers",
    )
    region = models.CharField(_("region"), max_length=2, choices=REGION_CHOICES)
    tags = ArrayField(
        models.CharField(max_length=30), verbose_name=_("tags"), default=list, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    credit_hold = models.BooleanField(
        _("credit hold"), default=False, help_text=_("No new orders until finance lifts the hold.")
    )
    # A carrier code (shipping's Carrier.code; customers does not import shipping): the carrier
    # choice takes it when one of its services arrives in time.
    preferred_carrier = models.CharField(
        _("preferred carrier"),
        max_length=20,
        blank=True,
        help_text=_("A carrier's code, e.g. SF: chosen whenever it arrives in time."),
    )
    # How the customer hears from us (oms.messaging.notify): in which language, by e-mail or
    # SMS (the other one when this one has no address), and whether only essential messages.
    language = models.CharField(
        _("message language"),
        max_length=10,
        choices=MessageLanguage.choices,
        default=MessageLanguage.ZH_HANS,
    )
    preferred_channel = models.CharField(
        _("preferred channel"),
        max_length=10,
        choices=MessageChannel.choices,
        default=MessageChannel.SMS,
        help_text=_("When the customer has no address for it, messages go the other way."),
    )
    opt_out_non_essential = models.BooleanField(
        _("essential messages only"),
        default=False,
        help_text=_(
            "The customer gets only what they need (pickup codes, payments due), no courtesy "
            "updates."
        ),
    )
    # Fapiao (VAT invoice) details, kept by finance: the defaults every invoice copies. A
    # business needs its taxpayer id (统一社会信用代码); a special invoice (专用发票) also the
    # registered address, phone, bank and account, printed on it for the buyer's input tax.
    fapiao_type = models.CharField(
        _("invoice type"), max_length=10, choices=FapiaoType.choices, default=FapiaoType.GENERAL
    )
    fapiao_title = models.CharField(
        _("invoice title (抬头)"),
        max_length=200,
        blank=True,
        help_text=_("The buyer's registered name; the customer's name when empty."),
    )
    taxpayer_id = models.CharField(
        _("taxpayer id"),
        max_length=18,
        blank=True,
        validators=[validate_taxpayer_id],
        help_text=_("The 18-character unified social credit code (统一社会信用代码)."),
    )
    fapiao_address = models.CharField(_("registered address"), max_length=200, blank=True)
    fapiao_phone = models.CharField(_("registered phone"), max_length=30, blank=True)
    fapiao_bank = models.CharField(_("bank"), max_length=100, blank=True)
    fapiao_account = models.CharField(_("bank account"), max_length=40, blank=True)
    # Written nightly by orders' customer analytics (orders.rfm) through
    # customers.services.customer_segments_write: the RFM segment with its three quintile
    # scores ("545": recency, frequency, monetary) and the net spend of the last 12 months.
    # Database defaults too: bulk SQL loads (bench/, imports) need not name these columns.
    rfm_segment = models.CharField(
        _("segment"),
        max_length=12,
        choices=RfmSegment.choices,
        blank=True,
        default="",
        db_default="",
    )
    rfm_score = models.CharField(
        _("RFM score"), max_length=3, blank=True, default="", db_default=""
    )
    spend_12m = models.DecimalField(
        _("spend in 12 months"), max_digits=14, decimal_places=2, default=0, db_default=0
    )
    segmented_at = models.DateTimeField(_("segmented"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["code"]
        permissions = [
            ("change_credit", _("Can change credit limit, payment terms and credit hold")),
            (
                "view_all_customers",
                _("Can see every customer, also when sales users see only their own"),
            ),
            ("change_fapiao", _("Can change the fapiao (invoice) details")),
        ]
        indexes = [
            GinIndex(fields=["tags"], name="customer_tags_gin"),
            models.Index(fields=["region", "group"]),
            models.Index(fields=["phone"]),
            models.Index(fields=["rfm_segment"], name="customer_rfm_segment"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(credit_limit__gte=0), name="customer_credit_limit_non_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("customers:detail", args=[self.pk])

    def clean(self) -> None:
        # One spelling for what people type, scan and read out: no spaces, upper case.
        raw = self.code or ""
        self.code = raw.strip().upper()
        if raw and not self.code:  # all spaces; an empty value is caught by the field itself
            raise ValidationError({"code": _("This field cannot be blank.")})
        self.taxpayer_id = "".join((self.taxpayer_id or "").split()).upper()
        if self.fapiao_type == FapiaoType.SPECIAL:
            missing = {
                name: _("A special invoice needs this.")
                for name in (
                    "taxpayer_id",
                    "fapiao_address",
                    "fapiao_phone",
                    "fapiao_bank",
                    "fapiao_account",
                )
                if not getattr(self, name).strip()
            }
            if missing:
                raise ValidationError(missing)

    @property
    def invoice_title(self) -> str:
        return self.fapiao_title or self.name

    def fapiao_problem(self) -> str | None:
        """Why no invoice can be issued to this customer now, or None. A business needs a
        valid taxpayer id; a special invoice also its bank details."""
        from django.core.exceptions import ValidationError as Invalid

        needs_id = self.kind == CustomerKind.BUSINESS or self.fapiao_type == FapiaoType.SPECIAL
        if needs_id and not self.taxpayer_id:
            return _(
                "%(customer)s is a business but has no taxpayer id: finance enters it under "
                "the customer's fapiao details."
            ) % {"customer": self}
        if self.taxpayer_id:
            try:
                validate_taxpayer_id(self.taxpayer_id)
            except Invalid:
                return _(
                    "The taxpayer id %(id)s of %(customer)s is not a valid unified social credit "
                    "code: finance corrects it under the customer's fapiao details."
                ) % {"id": self.taxpayer_id, "customer": self}
        if self.fapiao_type == FapiaoType.SPECIAL and not all(
            (self.fapiao_address, self.fapiao_phone, self.fapiao_bank, self.fapiao_account)
        ):
            return _(
                "%(customer)s wants special invoices but its registered address, phone, bank or "
                "account is missing."
            ) % {"customer": self}
        return None

    @property
    def region_name(self) -> str:
        return region_label(self.region)


class Address(models.Model):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="addresses"
    )
    label = models.CharField(_("label"), max_length=50, blank=True, help_text=_("e.g. Head office"))
    recipient = models.CharField(_("recipient"), max_length=100)
    phone = models.CharField(_("phone"), max_length=30, validators=[validate_phone])
    region = models.CharField(_("province"), max_length=2, choices=REGION_CHOICES)
    city = models.CharField(_("city"), max_length=60)
    district = models.CharField(_("district"), max_length=60, blank=True)
    street = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    is_default_shipping = models.BooleanField(_("default shipping address"), default=False)
    is_default_billing = models.BooleanField(_("default billing address"), default=False)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["-is_default_shipping", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(is_default_shipping=True),
                name="one_default_shipping_address",
            ),
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(is_default_billing=True),
                name="one_default_billing_address",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(
                    latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180
                ),
                name="address_coordinates_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.one_line()

    def clean(self) -> None:
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Enter both latitude and longitude, or neither."))

    def one_line(self) -> str:
        parts = [region_label(self.region), self.city, self.district, self.street]
        return " ".join(p for p in parts if p)

    @property
    def region_name(self) -> str:
        return region_label(self.region)


class TierThreshold(models.Model):
    """The 12-month net spend from which a customer reaches a tier; below the lowest
    threshold a customer is standard. Managers edit them; the nightly customer analytics
    moves customers between tiers by them (each change an audit row on the customer)."""

    tier = models.CharField(
        _("tier"),
        max_length=10,
        choices=[c for c in CustomerTier.choices if c[0] != CustomerTier.STANDARD],
        unique=True,
    )
    min_spend = models.DecimalField(
        _("from 12-month spend"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("Net of tax, over the last 12 months."),
    )

    class Meta:
        verbose_name = _("tier threshold")
        verbose_name_plural = _("tier thresholds")
        ordering = ["min_spend"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_spend__gte=0), name="tier_threshold_non_negative"
            )
        ]

    def __str__(self) -> str:
        return str(self.get_tier_display())


class CustomerNote(models.Model):
    """A staff note about a contact with the customer (a call, a visit, a complaint heard):
    who wrote it and when. Notes are added, never edited; the customer page shows the newest."""

    MAX_LENGTH = 2000

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contact_notes"
    )
    text = models.TextField(_("note"), max_length=MAX_LENGTH)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact note")
        verbose_name_plural = _("contact notes")
        indexes = [
            models.Index(fields=["customer", "-created_at", "-id"], name="customer_note_newest")
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(text=""), name="customer_note_not_empty")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.text[:40]}"
