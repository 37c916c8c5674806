from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
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
    AdjustmentReason,
    MovementKind,
    StockCountStatus,
    Unit,
    WorkOrderStage,
)
from oms.regions import REGION_CHOICES, region_label


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


class Warehouse(models.Model):
    code = models.CharField(
        _("code"),
        max_length=10,
        unique=True,
        error_messages={"unique": _("A warehouse with this code already exists.")},
    )
    name = models.CharField(_("name"), max_length=100)
    region = models.CharField(_("province"), max_length=2, choices=REGION_CHOICES)
    city = models.CharField(_("city"), max_length=60)
    address = models.CharField(_("address"), max_length=200)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    is_active = models.BooleanField(_("active"), default=True)
    # Goods kept apart (returned goods waiting for a decision, damaged stock): the stock pages
    # show them, but allocation never takes from a quarantine warehouse and no availability
    # counts it.
    is_quarantine = models.BooleanField(
        _("quarantine"),
        default=False,
        help_text=_("Goods here are not for sale: orders are never allocated from it."),
    )

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180
                ),
                name="warehouse_coordinates_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("inventory:warehouse_detail", args=[self.pk])

    def clean(self) -> None:
        # One spelling for what people type, scan and read out: no spaces, upper case.
        raw = self.code or ""
        self.code = raw.strip().upper()
        if raw and not self.code:  # all spaces; an empty value is caught by the field itself
            raise ValidationError({"code": _("This field cannot be blank.")})

    @property
    def region_name(self) -> str:
        return region_label(self.region)


class StockLevel(models.Model):
    """Stock of one product in one warehouse. on_hand changes only with a ledger row."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="stock_levels"
    )
    warehouse = models.ForeignKey(
        Warehouse,
        verbose_name=_("warehouse"),
        on_delete=models.PROTECT,
        related_name="stock_levels",
    )
    bin_location = models.CharField(_("bin"), max_length=20, blank=True)
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    safety_stock = models.IntegerField(_("safety stock"), default=0)
    # Moving-average cost of the units here (inventory.costing), updated by each receipt
    # under this row's lock; `cost_known` False: no cost recorded yet ("no cost" on pages).
    average_cost = models.DecimalField(
        _("average cost"), max_digits=14, decimal_places=4, default=0
    )
    cost_known = models.BooleanField(_("cost known"), default=False)

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        ordering = ["product__sku", "warehouse__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "warehouse"], name="one_stock_level_per_place"
            ),
            models.CheckConstraint(
                condition=Q(reserved__gte=0), name="stock_reserved_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("on_hand")), name="stock_reserved_within_on_hand"
            ),
            models.CheckConstraint(
                condition=Q(safety_stock__gte=0), name="stock_safety_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(average_cost__gte=0), name="stock_average_cost_non_negative"
            ),
        ]
        permissions = [
            ("receive_stock", _("Can receive stock")),
            ("adjust_stock", _("Can adjust stock")),
            ("transfer_stock", _("Can transfer stock")),
        ]

    def __str__(self) -> str:
        return f"{self.product.sku} @ {self.warehouse.code}"


class StockMovement(models.Model):
    """The stock ledger: append-only (a database trigger refuses UPDATE and DELETE)."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    stock_level = models.ForeignKey(
        StockLevel,
        verbose_name=_("stock level"),
        on_delete=models.PROTECT,
        related_name="movements",
    )
    # Copied from the stock level so the ledger filters without a join; indexed below.
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    warehouse = models.ForeignKey(
        Warehouse,
        verbose_name=_("warehouse"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=12, choices=MovementKind.choices)
    quantity = models.IntegerField(_("quantity"))
    balance_after = models.IntegerField(_("balance"))
    reason = models.CharField(
        _("reason"), max_length=10, choices=AdjustmentReason.choices, blank=True
    )
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    note = models.CharField(_("note"), max_length=250, blank=True)
    # Cost per unit of the movement: a receipt's (or return's, transfer's) cost in, the
    # average out for an issue; empty when no cost was known.
    unit_cost = models.DecimalField(
        _("unit cost"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock ledger")
        # Newest first by id: ids grow with time, and one index per filter serves the page.
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["product", "-id"], name="movement_product_newest"),
            models.Index(fields=["warehouse", "-id"], name="movement_warehouse_newest"),
            models.Index(fields=["stock_level", "id"], name="movement_stock_level"),
            # The ledger's search (inventory.filters): a reference by its start, whatever the
            # case, and words of the note. Built-in PostgreSQL only (no pg_trgm).
            models.Index(
                OpClass(Upper("reference"), name="text_pattern_ops"),
                name="movement_reference_prefix",
            ),
            GinIndex(SearchVector("note", config="simple"), name="movement_note_words"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="movement_quantity_not_zero"),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="movement_balance_non_negative"
            ),
            models.CheckConstraint(
                condition=~Q(kind="adjustment") | ~Q(reason=""), name="adjustment_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity:+d} {self.product_id}@{self.warehouse_id}"


class WorkOrder(models.Model):
    """Production of a made-to-order item. Done means received into stock for its order line."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="work_orders"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    stage = models.CharField(
        _("stage"), max_length=14, choices=WorkOrderStage.choices, default=WorkOrderStage.MATERIALS
    )
    # The order line it is made for. A plain id: inventory does not import the orders app.
    order_line_id = models.BigIntegerField(null=True, blank=True, unique=True)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-id"]
        permissions = [("advance_work_order", _("Can move work orders to their next stage"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="work_order_quantity_positive"
            )
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("inventory:work_order_list") + f"?q={self.number}"


class StockCount(models.Model):
    """A stocktake session of one warehouse (all of it, a bin range or a category).

    Opening it snapshots the expected quantity of each stock row in scope (its lines); counts
    are entered against the lines and posting writes one ledger adjustment per line that
    differs, referenced by the session's number. The count is taken as at the snapshot: see
    inventory.stocktake for how stock moved during the count is kept.
    """

    number = models.CharField(_("number"), max_length=20, unique=True)
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="counts"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=StockCountStatus.choices,
        default=StockCountStatus.OPEN,
    )
    bin_from = models.CharField(_("from bin"), max_length=20, blank=True)
    bin_to = models.CharField(_("to bin"), max_length=20, blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=250, blank=True)
    snapshot_at = models.DateTimeField(_("snapshot taken"))
    # The newest ledger row when the snapshot was taken: later rows of a line's stock row
    # are the movements during the count (inventory.stocktake).
    snapshot_movement_id = models.BigIntegerField(default=0)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    posted_at = models.DateTimeField(_("posted"), null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("stocktake")
        verbose_name_plural = _("stocktakes")
        ordering = ["-id"]
        permissions = [("post_stockcount", _("Can post stocktakes to the stock ledger"))]
        constraints = [
            # Two open counts of one warehouse would adjust the same rows twice.
            models.UniqueConstraint(
                fields=["warehouse"],
                condition=Q(status="open"),
                name="one_open_stock_count_per_warehouse",
                violation_error_message=_("This warehouse already has an open stocktake."),
            )
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("inventory:stocktake_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == StockCountStatus.OPEN


class StockCountLine(models.Model):
    """One stock row of a stocktake: what the books said at the snapshot, what was counted."""

    count = models.ForeignKey(
        StockCount, verbose_name=_("stocktake"), on_delete=models.CASCADE, related_name="lines"
    )
    stock_level = models.ForeignKey(
        StockLevel, verbose_name=_("stock level"), on_delete=models.PROTECT, related_name="+"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    bin_location = models.CharField(_("bin"), max_length=20, blank=True)
    expected = models.IntegerField(_("expected"))
    counted = models.IntegerField(_("counted"), null=True, blank=True)
    # The moving-average cost at the snapshot (the standard cost when none was known yet):
    # what a unit of variance is worth.
    unit_cost = models.DecimalField(_("unit cost"), max_digits=14, decimal_places=4, default=0)
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("counted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    movement = models.OneToOneField(
        StockMovement,
        verbose_name=_("adjustment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("stocktake line")
        verbose_name_plural = _("stocktake lines")
        ordering = ["bin_location", "product__sku"]
        constraints = [
            models.UniqueConstraint(
                fields=["count", "stock_level"], name="one_stock_count_line_per_stock_level"
            ),
            models.CheckConstraint(
                condition=Q(counted__isnull=True) | Q(counted__gte=0),
                name="stock_count_counted_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(expected__gte=0), name="stock_count_expected_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.count_id} {self.product_id}"

    @property
    def variance(self) -> int | None:
        return None if self.counted is None else self.counted - self.expected


class DemandForecast(models.Model):
    """The weekly demand forecast of one product in one warehouse (inventory.replenishment),
    refreshed nightly and on demand, with the reorder point it gives."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="forecasts"
    )
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.CASCADE, related_name="+"
    )
    computed_at = models.DateTimeField(_("computed"))
    # Monday of the first forecast week; `history` ends the week before.
    first_week = models.DateField(_("first forecast week"))
    history = models.JSONField(_("weekly sales"), default=list)
    forecast = models.JSONField(_("weekly forecast"), default=list)
    alpha = models.DecimalField(_("level smoothing"), max_digits=4, decimal_places=2)
    beta = models.DecimalField(_("trend smoothing"), max_digits=4, decimal_places=2)
    sigma = models.DecimalField(_("spread of forecast errors"), max_digits=12, decimal_places=3)
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (days)"))
    service_level = models.DecimalField(_("service level"), max_digits=4, decimal_places=3)
    lead_time_demand = models.DecimalField(
        _("demand over lead time"), max_digits=12, decimal_places=2
    )
    safety_stock = models.DecimalField(_("safety stock"), max_digits=12, decimal_places=2)
    reorder_point = models.IntegerField(_("reorder point"))
    review_demand = models.DecimalField(
        _("demand over review period"), max_digits=12, decimal_places=2
    )

    class Meta:
        verbose_name = _("demand forecast")
        verbose_name_plural = _("demand forecasts")
        ordering = ["product__sku", "warehouse__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "warehouse"], name="one_demand_forecast_per_place"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}"
