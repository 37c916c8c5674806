"""The pack station's scan sessions: what the packer has scanned for a shipment so far, kept
on the server so a reload or a second device neither loses nor doubles a count."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shipping.models.shipments import Shipment


class PackSession(models.Model):
    shipment = models.OneToOneField(
        Shipment, verbose_name=_("shipment"), on_delete=models.CASCADE, related_name="+"
    )
    # {shipment line id: units scanned}; {line id: lot typed or scanned}.
    counts = models.JSONField(_("scanned"), default=dict, blank=True)
    lots = models.JSONField(_("lots"), default=dict, blank=True)
    # The last scans' one-time ids: a scan sent twice (a double Enter, a resent form) counts once.
    recent_scans = models.JSONField(default=list, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("pack session")
        verbose_name_plural = _("pack sessions")

    def __str__(self) -> str:
        return f"{self.shipment_id}"
