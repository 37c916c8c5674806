"""Stock: warehouses, stock levels (on hand, reserved), the ledger of movements, and work
orders for made-to-order goods."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from inventory.choices import (
    AdjustmentReason,
    MovementKind,
    WorkOrderStage,
)
from inventory.models.catalogue import Product
from oms.regions import REGION_CHOICES, region_label


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
    # Purchasing (or a manager) confirms the bill of materials' components are in hand or on
    # their way; production cannot start before, when there is a bill of materials.
    materials_confirmed_at = models.DateTimeField(_("materials confirmed"), null=True, blank=True)
    materials_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("materials confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-id"]
        permissions = [
            ("advance_work_order", _("Can move work orders to their next stage")),
            ("confirm_work_order_materials", _("Can confirm a work order's materials")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="work_order_quantity_positive"
            )
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("inventory:work_order_detail", args=[self.pk])

    @property
    def bom_editable(self) -> bool:
        """The bill of materials changes only before production starts."""
        return self.stage == WorkOrderStage.MATERIALS
