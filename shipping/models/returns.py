"""Returned parcels booked back into the warehouse."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shipping.choices import ReturnResolution
from shipping.models.shipments import Shipment


class ReturnReceipt(models.Model):
    """A returned parcel booked back in: one per shipment (the ledger rows it wrote carry the
    shipment's number), then what the desk decided for the goods."""

    shipment = models.OneToOneField(
        Shipment,
        verbose_name=_("shipment"),
        on_delete=models.PROTECT,
        related_name="return_receipt",
    )
    received_at = models.DateTimeField(_("booked in"), auto_now_add=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked in by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    units = models.PositiveIntegerField(_("units"))
    resolution = models.CharField(
        _("decision"),
        max_length=10,
        choices=ReturnResolution.choices,
        default=ReturnResolution.WAITING,
    )
    resolved_at = models.DateTimeField(_("decided"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The shipments that took the goods out again (none until sent again; several when they
    # were allocated in several warehouses).
    reshipments = models.ManyToManyField(Shipment, related_name="+", blank=True)

    class Meta:
        verbose_name = _("returned parcel receipt")
        verbose_name_plural = _("returned parcel receipts")
        ordering = ["-id"]
        indexes = [models.Index(fields=["resolution", "-id"], name="return_receipt_resolution")]

    def __str__(self) -> str:
        return f"{self.shipment_id} returned"
