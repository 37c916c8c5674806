"""Tracking events (what carriers, or staff, report about a parcel) and the pushes carriers
send us, kept as received until a worker has applied them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shipping.models.carriers import Carrier
from shipping.models.shipments import Shipment
from shipping.tracking.statuses import (
    CallbackFailure,
    CallbackState,
    TrackingSource,
    TrackingStatus,
)


class TrackingEvent(models.Model):
    """One scan or report. The same event (carrier, tracking number, time and raw code)
    arriving again by push, poll or both is stored once: inserts skip conflicts."""

    shipment = models.ForeignKey(
        Shipment,
        verbose_name=_("shipment"),
        on_delete=models.CASCADE,
        related_name="tracking_events",
    )
    carrier = models.ForeignKey(
        Carrier,
        verbose_name=_("carrier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    tracking_number = models.CharField(_("tracking number"), max_length=40)
    event_time = models.DateTimeField(_("time"))
    # The carrier's own code, as sent (Kuaidi100 "501"); `status` is what it means.
    raw_code = models.CharField(_("carrier code"), max_length=24)
    status = models.CharField(_("status"), max_length=24, choices=TrackingStatus.choices)
    place = models.CharField(_("place"), max_length=120, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=TrackingSource.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        ordering = ["-event_time", "-id"]
        indexes = [
            models.Index(fields=["shipment", "-event_time", "-id"], name="tracking_event_latest"),
        ]
        constraints = [
            # Once per shipment: the shipments of a merged parcel share one tracking number
            # and each follows the parcel's events.
            models.UniqueConstraint(
                fields=["shipment", "carrier", "tracking_number", "event_time", "raw_code"],
                name="one_tracking_event",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_number} {self.event_time:%Y-%m-%d %H:%M} {self.status}"


class ReceivedCallback(models.Model):
    """A carrier's push, stored before it is answered (signature checked) and applied by a
    worker afterwards; a beat job takes up what a worker never finished."""

    carrier = models.ForeignKey(
        Carrier, verbose_name=_("carrier"), on_delete=models.PROTECT, related_name="+"
    )
    # The same delivery sent twice is kept once (Kuaidi100: a hash of param and sign).
    delivery_id = models.CharField(_("delivery"), max_length=64)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    remote_addr = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    payload = models.TextField(_("payload"))
    state = models.CharField(
        _("state"), max_length=10, choices=CallbackState.choices, default=CallbackState.RECEIVED
    )
    failure = models.CharField(
        _("failure"), max_length=16, choices=CallbackFailure.choices, blank=True
    )
    detail = models.TextField(_("detail"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    events_stored = models.PositiveIntegerField(_("events stored"), default=0)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        verbose_name = _("received callback")
        verbose_name_plural = _("received callbacks")
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["received_at"],
                name="callback_unprocessed",
                condition=Q(state="received"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["carrier", "delivery_id"], name="one_callback_row"),
        ]

    def __str__(self) -> str:
        return f"{self.carrier_id} {self.delivery_id[:12]}"
