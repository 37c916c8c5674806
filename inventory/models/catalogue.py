"""The catalogue: categories, tax classes with their dated rates, and products."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from inventory.barcodes import (
    BARCODE_LENGTH,
    barcode_kind,
    normalise_barcode,
    validate_barcode,
)
from inventory.choices import (
    Unit,
)


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TaxClass(models.Model):
    """A VAT class (standard 13 %, reduced 9 %, ...): products name one, and its rate is the
    TaxRate valid on the order's date. Finance keeps them; a new rate is a new row from a date,
    so orders priced before it keep theirs (their lines store the rate they were priced with)."""

    code = models.CharField(
        _("code"),
        max_length=10,
        unique=True,
        error_messages={"unique": _("A tax class with this code already exists.")},
        help_text=_("Short and fixed: products and imports refer to it, e.g. standard."),
    )
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Only active classes can be chosen for products.")
    )

    class Meta:
        verbose_name = _("tax class")
        verbose_name_plural = _("tax classes")
        ordering = ["code"]

    def __str__(self) -> str:
        if self.name_en and get_language().startswith("en"):
            return self.name_en
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("inventory:tax_class_detail", args=[self.pk])


class TaxRate(models.Model):
    tax_class = models.ForeignKey(
        TaxClass, verbose_name=_("tax class"), on_delete=models.PROTECT, related_name="rates"
    )
    rate = models.DecimalField(
        _("rate"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(0)],
        help_text=_("As a fraction: 0.13 for 13 %."),
    )
    valid_from = models.DateField(_("valid from"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("tax rate")
        verbose_name_plural = _("tax rates")
        ordering = ["tax_class", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["tax_class", "valid_from"],
                name="one_tax_rate_per_class_and_day",
                violation_error_message=_("This class already has a rate from that day."),
            ),
            models.CheckConstraint(
                condition=Q(rate__gte=0, rate__lt=1), name="tax_rate_between_0_and_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tax_class_id} {self.rate} from {self.valid_from}"


class Product(models.Model):
    sku = models.CharField(
        _("SKU"),
        max_length=40,
        unique=True,
        error_messages={"unique": _("A product with this SKU already exists.")},
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    model = models.CharField(_("model"), max_length=60, blank=True)
    spec = models.CharField(_("specification"), max_length=120, blank=True)
    colour = models.CharField(_("colour"), max_length=40, blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
    )
    unit = models.CharField(_("unit"), max_length=5, choices=Unit.choices, default=Unit.PIECE)
    weight_kg = models.DecimalField(
        _("weight (kg)"),
        max_digits=9,
        decimal_places=3,
        default=0,
        validators=[MinValueValidator(0)],
    )
    volume_m3 = models.DecimalField(
        _("volume (m³)"),
        max_digits=9,
        decimal_places=4,
        default=0,
        validators=[MinValueValidator(0)],
    )
    standard_cost = models.DecimalField(
        _("standard cost"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    # By code, in the column that held the code before tax classes were rows.
    tax_class = models.ForeignKey(
        TaxClass,
        verbose_name=_("tax class"),
        to_field="code",
        db_column="tax_class",
        on_delete=models.PROTECT,
        related_name="+",
        default="standard",
    )
    made_to_order = models.BooleanField(
        _("made to order"),
        default=False,
        help_text=_("Produced for each order instead of stocked."),
    )
    # How the goods are packed: printed prominently on packing lists and labels.
    fragile = models.BooleanField(
        _("fragile"), default=False, help_text=_("Printed as FRAGILE on packing lists and labels.")
    )
    packing_note = models.CharField(
        _("packing note"),
        max_length=200,
        blank=True,
        help_text=_("How to pack it, printed on the packing list."),
    )
    # What the pack station's scanner reads besides the SKU (inventory/barcodes.py).
    barcode = models.CharField(
        _("barcode"),
        max_length=BARCODE_LENGTH,
        blank=True,
        default="",
        help_text=_(
            "EAN-13, UPC-A or another code on the goods; EAN and UPC check digits are checked."
        ),
    )
    # Replenishment (inventory.replenishment): how long an order from the supplier takes to
    # arrive, and the pack it comes in (suggested quantities are whole packs).
    lead_time_days = models.PositiveSmallIntegerField(
        _("lead time (days)"),
        default=14,
        validators=[MaxValueValidator(365)],
        help_text=_("Days from ordering to having the goods in stock."),
    )
    pack_size = models.PositiveIntegerField(
        _("pack size"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(100_000)],
        help_text=_("Ordered in multiples of this many units."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]
        permissions = [
            ("change_product_pricing", _("Can change standard cost, tax class and made-to-order"))
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_kg__gte=0, volume_m3__gte=0, standard_cost__gte=0),
                name="product_measures_non_negative",
            ),
            models.UniqueConstraint(
                fields=["barcode"],
                condition=~Q(barcode=""),
                name="product_barcode_unique_when_set",
                violation_error_message=_("Another product has this barcode already."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("inventory:product_detail", args=[self.pk])

    @property
    def barcode_kind(self) -> str:
        """EAN-13, UPC-A, EAN-8, GTIN-14, other, or "" (inventory/barcodes.py)."""
        return barcode_kind(self.barcode)

    def clean(self) -> None:
        # One spelling for what people type, scan and read out: no spaces, upper case.
        raw = self.sku or ""
        self.sku = raw.strip().upper()
        if raw and not self.sku:  # all spaces; an empty value is caught by the field itself
            raise ValidationError({"sku": _("This field cannot be blank.")})
        self.barcode = normalise_barcode(self.barcode)
        try:
            validate_barcode(self.barcode)
        except ValidationError as error:
            raise ValidationError({"barcode": error.messages}) from None
        # The pack station takes either at the same prompt: a barcode reading as another
        # product's SKU would be ambiguous.
        if (
            self.barcode
            and Product.objects.filter(sku__iexact=self.barcode).exclude(pk=self.pk).exists()
        ):
            raise ValidationError(
                {"barcode": _("%(code)s is another product's SKU.") % {"code": self.barcode}}
            )
