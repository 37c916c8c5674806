"""What platforms send us: each inbound delivery (a webhook or a pulled order) stored once,
and the mapping of platform SKUs to our products."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orders.intake.models import Channel


class DeliveryKind(models.TextChoices):
    WEBHOOK = "webhook", _("Webhook")
    PULL = "pull", _("Pulled")


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received", _("Waiting to be processed")
    PROCESSED = "processed", _("Processed")
    FAILED = "failed", _("Failed")
    WAITING_FOR_MAPPING = "waiting_for_mapping", _("Waiting for SKU mapping")


class InboundError(models.TextChoices):
    """Why a delivery did not become a new order, stored as a code with parameters
    (`error_params`) and worded when read (`orders.intake.inbound_errors`)."""

    NOT_JSON = "not_json", _("Not JSON")
    BAD_PAYLOAD = "bad_payload", _("Bad payload")
    UNKNOWN_SKU = "unknown_sku", _("Unknown SKU")
    DUPLICATE = "duplicate", _("Duplicate (order already taken)")
    REFUSED = "refused", _("Order refused")
    UNEXPECTED = "unexpected", _("Unexpected error")


class InboundDelivery(models.Model):
    channel = models.ForeignKey(
        Channel,
        verbose_name=_("channel"),
        on_delete=models.PROTECT,
        related_name="inbound_deliveries",
    )
    # The platform's delivery id (a webhook's id header; a pulled order's id and modified time).
    delivery_id = models.CharField(_("delivery id"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=DeliveryKind.choices)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.RECEIVED,
    )
    # Why the delivery failed, waits or placed no new order (a duplicate), as a code; its
    # parameters (field names, SKUs, the refusal in each language) in error_params.
    error_code = models.CharField(
        _("error"), max_length=20, choices=InboundError.choices, blank=True, db_index=True
    )
    error_params = models.JSONField(_("error details"), default=dict, blank=True)
    # The platform's SKUs no product answers to (status waiting_for_mapping).
    unmapped_skus = ArrayField(models.CharField(max_length=64), default=list, blank=True)
    external_id = models.CharField(_("order id on the platform"), max_length=64, blank=True)
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    received_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbound delivery")
        verbose_name_plural = _("inbound deliveries")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "delivery_id"], name="one_inbound_delivery_per_id"
            )
        ]
        indexes = [models.Index(fields=["status", "received_at"], name="inbound_status_idx")]

    def __str__(self) -> str:
        return f"{self.channel_id} {self.delivery_id}"

    def get_absolute_url(self) -> str:
        return reverse("orders:inbound_detail", args=[self.pk])


class SkuMapping(models.Model):
    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.CASCADE, related_name="sku_mappings"
    )
    platform_sku = models.CharField(_("platform SKU"), max_length=64)
    product = models.ForeignKey(
        "inventory.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("SKU mapping")
        verbose_name_plural = _("SKU mappings")
        ordering = ["channel", "platform_sku"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "platform_sku"], name="one_mapping_per_platform_sku"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel_id} {self.platform_sku} → {self.product_id}"
