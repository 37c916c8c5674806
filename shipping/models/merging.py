"""Merged parcels: the shipments of several orders of one customer leaving as one parcel.

Each order keeps its own shipment (its status, stock issue and accounting follow the order);
the merged parcel groups them physically: one label, one tracking number, one dispatch."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from customers.models import Customer
from inventory.models import Warehouse
from shipping.choices import ServiceLevel

MERGED_PARCEL_NUMBER_SEQUENCE = "shipping_merged_parcel_number"


class MergedParcelStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("merged parcel", "Open")
    DISPATCHED = "dispatched", pgettext_lazy("merged parcel", "Dispatched")
    UNMERGED = "unmerged", pgettext_lazy("merged parcel", "Unmerged")


class MergedParcel(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=MergedParcelStatus.choices,
        default=MergedParcelStatus.OPEN,
    )
    # What the carrier's paperwork says, once dispatched (the members carry the same).
    carrier = models.CharField(_("carrier"), max_length=60, blank=True)
    service = models.CharField(
        _("service"), max_length=10, choices=ServiceLevel.choices, blank=True
    )
    tracking_number = models.CharField(_("tracking number"), max_length=40, blank=True)
    parcels = models.PositiveSmallIntegerField(_("parcels"), default=1)
    weight_kg = models.DecimalField(
        _("weight (kg)"), max_digits=9, decimal_places=3, null=True, blank=True
    )
    length_cm = models.DecimalField(
        _("length (cm)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    width_cm = models.DecimalField(
        _("width (cm)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    height_cm = models.DecimalField(
        _("height (cm)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    unmerged_at = models.DateTimeField(_("unmerged"), null=True, blank=True)

    class Meta:
        verbose_name = _("merged parcel")
        verbose_name_plural = _("merged parcels")
        ordering = ["-id"]
        permissions = [("merge_shipment", _("Can merge and split shipments"))]
        constraints = [
            models.UniqueConstraint(
                fields=["carrier", "tracking_number"],
                condition=~Q(tracking_number=""),
                name="one_merged_parcel_per_tracking_number",
            ),
            models.CheckConstraint(condition=Q(parcels__gte=1), name="merged_parcel_parcels"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("shipping:parcel", args=[self.number])
