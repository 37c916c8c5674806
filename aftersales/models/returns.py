"""Returns (RMA): a customer sends delivered goods back; staff approve, receive and inspect
them; the resolutions (refund, exchange, repair) settle them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.return_choices import (
    Disposition,
    ReturnEventKind,
    ReturnReason,
    ReturnSource,
    ReturnStatus,
    WantedResolution,
)
from aftersales.storage import private_storage_callable

REASON_TEXT_LENGTH = 2000
NOTE_LENGTH = 1000


class ReturnRequest(models.Model):
    # RMA-2026-000001, given at approval (a refused request never takes a number).
    number = models.CharField(_("RMA number"), max_length=20, unique=True, null=True, blank=True)
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("order"),
        on_delete=models.PROTECT,
        related_name="return_requests",
    )
    # The order's customer, kept here so the customer page and the lists need no join.
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="return_requests",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ReturnStatus.choices, default=ReturnStatus.REQUESTED
    )
    source = models.CharField(_("source"), max_length=10, choices=ReturnSource.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=ReturnReason.choices)
    reason_text = models.TextField(_("description"), blank=True, max_length=REASON_TEXT_LENGTH)
    resolution = models.CharField(
        _("wanted resolution"), max_length=10, choices=WantedResolution.choices
    )
    # Staff accepted a request outside the return rules; the note says why (and is audited).
    rules_overridden = models.BooleanField(_("rules overridden"), default=False)
    override_note = models.TextField(_("override note"), blank=True)
    instructions = models.TextField(_("return instructions"), blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    # The customer's way back: carrier and tracking number of the return parcel.
    return_carrier = models.ForeignKey(
        "shipping.Carrier",
        verbose_name=_("return carrier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    return_tracking_number = models.CharField(
        _("return tracking number"), max_length=40, blank=True
    )
    return_shipped_at = models.DateTimeField(_("sent back"), null=True, blank=True)
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        verbose_name=_("received at"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The complaint this return came from. PROTECT: a case is closed, never deleted, and a
    # return's link to the complaint that led to it is part of its history.
    case = models.ForeignKey(
        "aftersales.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="returns",
    )
    # The one-time key of the form that sent the request: a second submit finds the first.
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    inspected_at = models.DateTimeField(_("inspected"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        ordering = ["-id"]
        permissions = [
            ("approve_returnrequest", _("Can approve or reject returns")),
            ("receive_returnrequest", _("Can receive returned goods")),
            ("inspect_returnrequest", _("Can inspect returned goods")),
            ("override_return_rules", _("Can accept returns outside the return rules")),
        ]
        indexes = [
            models.Index(fields=["status", "-id"], name="return_status"),
            models.Index(fields=["order"], name="return_order"),
            models.Index(fields=["customer", "-id"], name="return_customer"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["requested", "rejected", "cancelled"])
                | Q(number__isnull=False),
                name="approved_return_has_number",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("aftersales:return_detail", args=[self.reference])

    @property
    def reference(self) -> str:
        """How people name it in URLs and on the phone: the RMA number once it has one."""
        return self.number or str(self.pk)


class ReturnLine(models.Model):
    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        "orders.OrderLine",
        verbose_name=_("order line"),
        on_delete=models.PROTECT,
        related_name="return_lines",
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    disposition = models.CharField(
        _("disposition"), max_length=12, choices=Disposition.choices, blank=True
    )
    disposition_note = models.TextField(_("inspection note"), blank=True)
    # The ledger row(s) the disposition wrote (restock and quarantine: the return into stock;
    # scrap: the write-off after it). One per line: the restock is written once.
    stock_movement = models.ForeignKey(
        "inventory.StockMovement",
        verbose_name=_("ledger row"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    inspected_at = models.DateTimeField(_("inspected"), null=True, blank=True)
    inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspected by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        ordering = ["request", "order_line__line_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "order_line"], name="one_return_line_per_order_line"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="return_quantity_positive"),
            models.CheckConstraint(
                condition=Q(disposition="") | Q(inspected_at__isnull=False),
                name="return_disposition_when_inspected",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.quantity} × {self.order_line_id}"


def _photo_path(instance: "ReturnPhoto", filename: str) -> str:
    # The name never comes from the user: the file lives under a random name.
    import secrets

    return f"returns/{instance.request_id}/{secrets.token_hex(16)}.{instance.extension}"


class ReturnPhoto(models.Model):
    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(storage=private_storage_callable, upload_to=_photo_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(_("size"))
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("return photo")
        verbose_name_plural = _("return photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def extension(self) -> str:
        return {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}.get(
            self.content_type, "bin"
        )


class ReturnEvent(models.Model):
    """The return's timeline: every step, who took it, from which status to which."""

    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ReturnEventKind.choices)
    from_status = models.CharField(
        _("from"), max_length=12, choices=ReturnStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=12, choices=ReturnStatus.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("return event")
        verbose_name_plural = _("return events")
        ordering = ["id"]
        indexes = [models.Index(fields=["request", "id"], name="return_event_timeline")]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind}"
