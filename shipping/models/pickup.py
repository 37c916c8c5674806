"""Store pickup (自提): the points where customers collect their goods, the orders collected
there, and the codes that prove who may take a parcel."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from inventory.models import Warehouse
from oms.regions import REGION_CHOICES
from orders.models import Order


class PickupPointKind(models.TextChoices):
    WAREHOUSE = "warehouse", _("Warehouse")
    STORE = "store", _("Store")


class PickupPoint(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=PickupPointKind.choices, default=PickupPointKind.STORE
    )
    # The warehouse whose counter it is (kind warehouse), or that supplies the store.
    warehouse = models.ForeignKey(
        Warehouse,
        verbose_name=_("warehouse"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The warehouse whose counter this is, or that supplies the store."),
    )
    region = models.CharField(_("province"), max_length=2, choices=REGION_CHOICES)
    city = models.CharField(_("city"), max_length=60)
    address = models.CharField(_("address"), max_length=200)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    opening_hours = models.CharField(
        _("opening hours"),
        max_length=200,
        help_text=_("As customers should read them, e.g. Mon-Sat 09:00-18:00."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("pickup point")
        verbose_name_plural = _("pickup points")
        ordering = ["-active", "name"]
        permissions = [("hand_over_pickup", _("Can hand over parcels at a pickup desk"))]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("shipping:pickup_point_edit", args=[self.pk])

    @property
    def one_line(self) -> str:
        return f"{self.get_region_display()} {self.city} {self.address}"


class OrderPickup(models.Model):
    """The order is collected at a pickup point instead of delivered by a carrier; its
    shipments take the point when they are created."""

    order = models.OneToOneField(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="+"
    )
    point = models.ForeignKey(
        PickupPoint, verbose_name=_("pickup point"), on_delete=models.PROTECT, related_name="+"
    )
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chosen by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    chosen_at = models.DateTimeField(_("chosen"), auto_now=True)

    class Meta:
        verbose_name = _("order pickup")
        verbose_name_plural = _("order pickups")

    def __str__(self) -> str:
        return f"{self.order_id} @ {self.point_id}"


class PickupCode(models.Model):
    """A code sent to the customer when a parcel is ready for pickup. Only its keyed digest
    is kept (oms: HMAC with the secret key), so the table tells nobody the codes; an open code
    is unique, and it works once."""

    shipment = models.ForeignKey(
        "shipping.Shipment", on_delete=models.CASCADE, related_name="pickup_codes"
    )
    point = models.ForeignKey(
        PickupPoint, verbose_name=_("pickup point"), on_delete=models.PROTECT, related_name="+"
    )
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handed over by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("pickup code")
        verbose_name_plural = _("pickup codes")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["digest"],
                condition=Q(used_at__isnull=True, revoked_at__isnull=True),
                name="pickup_code_open_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shipment_id} code"


class PickupAttempt(models.Model):
    """A code typed at a pickup desk: wrong ones count against the person and the point, so
    codes cannot be guessed in bulk."""

    point = models.ForeignKey(PickupPoint, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["user", "at"], name="pickup_attempt_user"),
            models.Index(fields=["point", "at"], name="pickup_attempt_point"),
        ]

    def __str__(self) -> str:
        return f"{self.point_id} {self.at:%Y-%m-%d %H:%M}"
