"""Stocktake sessions and their count lines."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from inventory.choices import (
    StockCountStatus,
)
from inventory.models.catalogue import Category, Product
from inventory.models.stock import StockLevel, StockMovement, Warehouse


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
