"""Carriers, their service levels and rate cards."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oms.regions import AREAS, PROVINCES_BY_CODE, REGION_CHOICES
from shipping.choices import ServiceLevel, TrackingKind
from shipping.models.base import MONEY

# A rate card row's destination: a province, or a whole area ("zone") of provinces.
DESTINATION_CHOICES = [*REGION_CHOICES, *((f"zone:{key}", label) for key, label in AREAS.items())]


def destination_keys(province: str) -> tuple[str, str]:
    """The rate card destinations that apply to a province, the most precise first."""
    found = PROVINCES_BY_CODE.get(province)
    return (province, f"zone:{found.area}" if found else "")


class Carrier(models.Model):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60, unique=True)
    active = models.BooleanField(_("active"), default=True)
    supports_cod = models.BooleanField(_("collects cash on delivery"), default=False)
    supports_insurance = models.BooleanField(_("offers insurance"), default=False)
    fragile_goods = models.BooleanField(
        _("fragile goods"), default=False, help_text=_("Takes fragile goods with care.")
    )
    tracking_kind = models.CharField(
        _("tracking"), max_length=12, choices=TrackingKind.choices, default=TrackingKind.MANUAL
    )
    # The tracking integration's settings (shipping.tracking.adapters). The key and the secret
    # are never shown on a page or written to the audit log.
    tracking_endpoint = models.URLField(
        _("tracking API address"),
        blank=True,
        help_text=_("Where queries and subscriptions go, e.g. https://poll.kuaidi100.com."),
    )
    tracking_company = models.CharField(
        _("carrier code at the tracking service"),
        max_length=40,
        blank=True,
        help_text=_("Kuaidi100's company code, e.g. shunfeng; empty: this carrier's code."),
    )
    tracking_customer = models.CharField(_("tracking customer ID"), max_length=64, blank=True)
    tracking_key = models.CharField(_("tracking API key"), max_length=128, blank=True)
    tracking_secret = models.CharField(
        _("callback signing secret"),
        max_length=128,
        blank=True,
        help_text=_("Kuaidi100: the salt of subscriptions; JSON webhook: the HMAC key."),
    )
    tracking_rate_limit = models.PositiveSmallIntegerField(
        _("tracking requests per second"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )

    class Meta:
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("shipping:carrier_detail", args=[self.pk])


class CarrierService(models.Model):
    """A carrier's service level: its volumetric divisor and limits. It covers the
    destinations its rate card rows name."""

    carrier = models.ForeignKey(
        Carrier, verbose_name=_("carrier"), on_delete=models.PROTECT, related_name="services"
    )
    level = models.CharField(_("service"), max_length=10, choices=ServiceLevel.choices)
    active = models.BooleanField(_("active"), default=True)
    volumetric_divisor = models.PositiveIntegerField(_("volumetric divisor"), default=6000)
    max_weight_kg = models.DecimalField(_("max weight (kg)"), max_digits=9, decimal_places=3)
    max_side_cm = models.DecimalField(_("max side (cm)"), max_digits=7, decimal_places=1)

    class Meta:
        verbose_name = _("carrier service")
        verbose_name_plural = _("carrier services")
        ordering = ["carrier__name", "level"]
        constraints = [
            models.UniqueConstraint(fields=["carrier", "level"], name="one_service_per_level"),
            models.CheckConstraint(
                condition=Q(volumetric_divisor__gte=1000, max_weight_kg__gt=0, max_side_cm__gt=0),
                name="carrier_service_limits_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.carrier.name} · {self.get_level_display()}"

    def get_absolute_url(self) -> str:
        return reverse("shipping:carrier_detail", args=[self.carrier_id])


# Field checks that name the field in a form or an import report (the constraints below
# hold the same rules in the database).
NON_NEGATIVE = [MinValueValidator(0)]
POSITIVE = [MinValueValidator(Decimal("0.001"))]
PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class Rate(models.Model):
    """One rate card row: a service from an origin province to a destination province or
    zone, its transit working days and prices."""

    service = models.ForeignKey(
        CarrierService, verbose_name=_("service"), on_delete=models.CASCADE, related_name="rates"
    )
    origin = models.CharField(_("origin province"), max_length=2, choices=REGION_CHOICES)
    destination = models.CharField(
        _("destination province or zone"), max_length=16, choices=DESTINATION_CHOICES
    )
    transit_days = models.PositiveSmallIntegerField(_("transit working days"))
    first_weight_kg = models.DecimalField(
        _("first weight (kg)"), max_digits=7, decimal_places=3, validators=POSITIVE
    )
    first_fee = models.DecimalField(_("first weight fee"), validators=NON_NEGATIVE, **MONEY)
    step_kg = models.DecimalField(
        _("additional weight step (kg)"), max_digits=7, decimal_places=3, validators=POSITIVE
    )
    step_fee = models.DecimalField(_("fee per step"), validators=NON_NEGATIVE, **MONEY)
    remote_surcharge = models.DecimalField(
        _("remote-area surcharge"), default=0, validators=NON_NEGATIVE, **MONEY
    )
    cod_fixed_fee = models.DecimalField(
        _("COD fixed fee"), default=0, validators=NON_NEGATIVE, **MONEY
    )
    cod_fixed_up_to = models.DecimalField(
        _("COD fixed fee up to"), default=0, validators=NON_NEGATIVE, **MONEY
    )
    cod_percent = models.DecimalField(
        _("COD %"), default=0, max_digits=5, decimal_places=2, validators=PERCENT
    )
    cod_cap = models.DecimalField(_("COD fee cap"), default=0, validators=NON_NEGATIVE, **MONEY)
    insurance_percent = models.DecimalField(
        _("insurance %"), default=0, max_digits=5, decimal_places=2, validators=PERCENT
    )
    insurance_minimum = models.DecimalField(
        _("insurance minimum"), default=0, validators=NON_NEGATIVE, **MONEY
    )

    class Meta:
        verbose_name = _("rate")
        verbose_name_plural = _("rate card")
        ordering = ["service", "origin", "destination"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "origin", "destination"], name="one_rate_per_lane"
            ),
            models.CheckConstraint(
                condition=Q(
                    first_weight_kg__gt=0,
                    step_kg__gt=0,
                    first_fee__gte=0,
                    step_fee__gte=0,
                    remote_surcharge__gte=0,
                    cod_fixed_fee__gte=0,
                    cod_fixed_up_to__gte=0,
                    cod_percent__gte=0,
                    cod_percent__lte=100,
                    cod_cap__gte=0,
                    insurance_percent__gte=0,
                    insurance_percent__lte=100,
                    insurance_minimum__gte=0,
                ),
                name="rate_figures_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.origin}→{self.destination}"
