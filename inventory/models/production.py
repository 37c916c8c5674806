"""A work order's bill of materials and the stock it reserves for them.

A component line's quantity is the total for the whole work order (not per unit made): it
is what is reserved when production starts and issued when it ends, with no rounding.

Starting production reserves every line on the work order's warehouse's stock row: one open
ComponentReservation per line, and StockLevel.reserved raised by as much in the same
transaction, as an order line's Allocation does. The nightly reservation check counts both
kinds of rows (orders.selectors.reservation_drift). Ending production issues them through
the ledger (the row is kept, marked issued); cancelling releases them (marked released).
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory.models.catalogue import Product
from inventory.models.stock import StockLevel, WorkOrder


class ProductComponent(models.Model):
    """One line of a product's default bill of materials: a component and its quantity per
    unit made. A work order created for the product starts with these lines, each times the
    work order's quantity (inventory.work_orders.work_order_create); the work order's own
    bill of materials then changes on its own."""

    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        related_name="default_components",
    )
    component = models.ForeignKey(
        Product, verbose_name=_("component"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity per unit"))

    class Meta:
        verbose_name = _("default component")
        verbose_name_plural = _("default bill of materials")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "component"], name="one_default_bom_line_per_component"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="default_bom_quantity_positive"
            ),
            models.CheckConstraint(
                condition=~Q(product=models.F("component")), name="default_bom_not_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.component_id} per {self.product_id}"


class WorkOrderComponent(models.Model):
    """One line of a work order's bill of materials."""

    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="components"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("component"), on_delete=models.PROTECT, related_name="+"
    )
    # For the whole work order, not per unit.
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("component")
        verbose_name_plural = _("bill of materials")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["work_order", "product"], name="one_bom_line_per_component"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="bom_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id} for {self.work_order_id}"


class ComponentReservation(models.Model):
    """Stock reserved for a component line while its work order is in production; open (and
    counted in StockLevel.reserved) until it is issued or released."""

    component = models.ForeignKey(
        WorkOrderComponent, on_delete=models.CASCADE, related_name="reservations"
    )
    work_order = models.ForeignKey(
        WorkOrder, on_delete=models.CASCADE, related_name="component_reservations"
    )
    stock_level = models.ForeignKey(StockLevel, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    created_at = models.DateTimeField(_("reserved"), auto_now_add=True)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)

    class Meta:
        verbose_name = _("component reservation")
        verbose_name_plural = _("component reservations")
        constraints = [
            models.UniqueConstraint(
                fields=["component"],
                condition=Q(issued_at__isnull=True, released_at__isnull=True),
                name="one_open_reservation_per_component",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="component_reservation_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(issued_at__isnull=True) | Q(released_at__isnull=True),
                name="component_reservation_issued_or_released",
            ),
        ]
        indexes = [
            models.Index(
                fields=["stock_level"],
                condition=Q(issued_at__isnull=True, released_at__isnull=True),
                name="open_component_reservations",
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × component {self.component_id} @ {self.stock_level_id}"

    @property
    def is_open(self) -> bool:
        return self.issued_at is None and self.released_at is None


class WorkOrderFileStorage(FileSystemStorage):
    """Private files: in OMS_WORK_ORDER_FILE_DIR, outside the web root, with no URL (the
    download view checks the right). Read from the settings when used, so tests can move it."""

    @property  # type: ignore[override]
    def base_location(self) -> str:
        return str(settings.OMS_WORK_ORDER_FILE_DIR)

    @property  # type: ignore[override]
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    @property  # type: ignore[override]
    def base_url(self) -> None:
        return None


def work_order_file_storage() -> FileSystemStorage:
    return WorkOrderFileStorage()


class WorkOrderFile(models.Model):
    """A drawing or specification the customer sent for a made-to-order item."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(storage=work_order_file_storage, upload_to="%Y/%m/", max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=60)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("drawing or specification")
        verbose_name_plural = _("drawings and specifications")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name
