"""What we send channels: one row per event and target, written in the transaction of the
change it tells about, sent after commit (orders.intake.outbound)."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orders.choices import ChannelKind, WebhookEvent, WebhookStatus, WebhookTarget
from orders.intake.models import Channel


class WebhookDelivery(models.Model):
    # The receiver's deduplication id (X-OMS-Delivery): the same on every attempt and resend.
    uid = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True, editable=False)
    channel = models.ForeignKey(
        Channel,
        verbose_name=_("channel"),
        on_delete=models.CASCADE,
        related_name="webhook_deliveries",
    )
    target = models.CharField(
        _("target"), max_length=12, choices=WebhookTarget.choices, default=WebhookTarget.WEBHOOK
    )
    event = models.CharField(_("event"), max_length=20, choices=WebhookEvent.choices)
    # One event is queued once per target: "order.shipped:SH-2026-000123".
    event_key = models.CharField(_("event key"), max_length=120)
    # What it is about, for the log: the order's number.
    reference = models.CharField(_("reference"), max_length=40, blank=True)
    # A ship confirmation's path below the channel's endpoint; empty for a webhook.
    path = models.CharField(_("path"), max_length=200, blank=True)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=WebhookStatus.choices, default=WebhookStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        permissions = [("resend_webhookdelivery", _("Can send webhook deliveries again"))]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "target", "event_key"], name="one_delivery_per_event"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_due",
                condition=Q(status="pending"),
            ),
            models.Index(fields=["channel", "-created_at"], name="webhook_channel_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} {self.reference}"


class PlatformCarrier(models.Model):
    """The id a marketplace knows one of our carriers by, per channel kind: JD's logistics
    company id (logiCoprId), Pinduoduo's shipping_id. Keyed by our carrier's code (orders
    imports no shipping model); edited on the carrier's page, read when a ship confirmation
    is built (orders.intake.platform_carriers)."""

    kind = models.CharField(_("channel kind"), max_length=20, choices=ChannelKind.choices)
    carrier_code = models.CharField(_("carrier code"), max_length=20)
    platform_id = models.CharField(_("carrier id on the platform"), max_length=20)

    class Meta:
        verbose_name = _("platform carrier id")
        verbose_name_plural = _("platform carrier ids")
        ordering = ["kind", "carrier_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "carrier_code"], name="one_platform_id_per_kind_and_carrier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.carrier_code} → {self.platform_id}"
