"""Business rules: price lists, promotions, shipping fees and approval rules."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from customers.choices import CustomerGroup, CustomerTier
from inventory.models import Category, Product
from oms.regions import REGION_CHOICES
from oms.roles import ROLE_CHOICES
from orders.choices import (
    ApprovalCondition,
    PromotionKind,
    PromotionScope,
)
from orders.models.base import MONEY, strip_required


class PriceList(models.Model):
    """Prices for one customer group, with quantity breaks."""

    name = models.CharField(_("name"), max_length=100)
    customer_group = models.CharField(
        _("customer group"), max_length=12, choices=CustomerGroup.choices
    )
    prices_include_tax = models.BooleanField(
        _("prices include tax"), default=True, help_text=_("Chinese retail prices usually do.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["customer_group", "-is_active", "name"]
        constraints = [
            # Next season's list can be prepared while this one is in use; one is active.
            models.UniqueConstraint(
                fields=["customer_group"],
                condition=Q(is_active=True),
                name="one_active_price_list_per_group",
                violation_error_message=_("Another active price list serves this group."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orders:price_list_detail", args=[self.pk])

    def clean(self) -> None:
        errors = strip_required(self, "name")
        if errors:
            raise ValidationError(errors)


class PriceListItem(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="+"
    )
    min_quantity = models.PositiveIntegerField(
        _("from quantity"), default=1, validators=[MinValueValidator(1)]
    )
    unit_price = models.DecimalField(_("unit price"), validators=[MinValueValidator(0)], **MONEY)

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "product", "min_quantity"], name="one_price_per_break"
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0, min_quantity__gte=1), name="price_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} ≥{self.min_quantity}: {self.unit_price}"


class Promotion(models.Model):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=8, choices=PromotionKind.choices)
    value = models.DecimalField(_("value"), validators=[MinValueValidator(0)], **MONEY)
    scope = models.CharField(_("applies to"), max_length=8, choices=PromotionScope.choices)
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    customer_tier = models.CharField(
        _("customer tier"), max_length=10, choices=CustomerTier.choices, blank=True
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    stackable = models.BooleanField(
        _("stacks with other promotions"),
        default=False,
        help_text=_("Otherwise only the best promotion applies."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="promotion_dates_in_order"
            ),
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(value__lte=100),
                name="promotion_percent_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orders:promotion_edit", args=[self.pk])

    def clean(self) -> None:
        errors = strip_required(self, "name")
        if self.value is not None:
            if self.value <= 0:
                errors["value"] = _("Enter a value above 0.")
            elif self.kind == PromotionKind.PERCENT and self.value > 100:
                errors["value"] = _("A percentage can be at most 100.")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The promotion cannot end before it starts.")
        # The scope decides which target counts; the other targets are cleared, not kept.
        if self.scope == PromotionScope.PRODUCT and self.product_id is None:
            errors["product"] = _("Enter the SKU of the product.")
        if self.scope == PromotionScope.CATEGORY and self.category_id is None:
            errors["category"] = _("Choose the category.")
        if self.scope == PromotionScope.TIER and not self.customer_tier:
            errors["customer_tier"] = _("Choose the customer tier.")
        if self.scope != PromotionScope.PRODUCT:
            self.product = None
        if self.scope != PromotionScope.CATEGORY:
            self.category = None
        if self.scope != PromotionScope.TIER:
            self.customer_tier = ""
        if errors:
            raise ValidationError(errors)


class ShippingRule(models.Model):
    """A shipping fee by region and weight; the most specific matching rule wins."""

    name = models.CharField(_("name"), max_length=100)
    region = models.CharField(
        _("region"),
        max_length=2,
        choices=REGION_CHOICES,
        blank=True,
        help_text=_("Empty: every region."),
    )
    max_weight_kg = models.DecimalField(
        _("up to weight (kg)"), max_digits=9, decimal_places=3, null=True, blank=True
    )
    base_fee = models.DecimalField(_("base fee"), **MONEY)
    per_kg_fee = models.DecimalField(_("fee per kg"), default=0, **MONEY)
    free_above = models.DecimalField(
        _("free from order amount"),
        null=True,
        blank=True,
        help_text=_("Empty: never free."),
        **MONEY,
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("shipping fee rule")
        verbose_name_plural = _("shipping fee rules")
        ordering = ["region", "max_weight_kg"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orders:shipping_rule_edit", args=[self.pk])

    def clean(self) -> None:
        errors = strip_required(self, "name")
        for name in ("base_fee", "per_kg_fee"):
            value = getattr(self, name)
            if value is not None and value < 0:
                errors[name] = _("Enter an amount of 0 or more.")
        if self.max_weight_kg is not None and self.max_weight_kg <= 0:
            errors["max_weight_kg"] = _("Enter a weight above 0, or leave it empty for any weight.")
        if self.free_above is not None and self.free_above <= 0:
            errors["free_above"] = _("Enter an amount above 0, or leave it empty.")
        if errors:
            raise ValidationError(errors)


class ApprovalRule(models.Model):
    name = models.CharField(_("name"), max_length=100)
    condition = models.CharField(_("condition"), max_length=20, choices=ApprovalCondition.choices)
    threshold = models.DecimalField(
        _("amount"), null=True, blank=True, help_text=_("For 'order amount at least'."), **MONEY
    )
    required_role = models.CharField(_("approved by"), max_length=20, choices=ROLE_CHOICES)
    level = models.PositiveSmallIntegerField(
        _("level"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
        help_text=_("Lower levels decide first."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("approval rule")
        verbose_name_plural = _("approval rules")
        ordering = ["level", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(condition="amount_at_least") | Q(threshold__gt=0),
                name="amount_rule_has_threshold",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orders:approval_rule_edit", args=[self.pk])

    def clean(self) -> None:
        errors = strip_required(self, "name")
        if self.condition == ApprovalCondition.AMOUNT_AT_LEAST:
            if self.threshold is None or self.threshold <= 0:
                errors["threshold"] = _("Enter the amount from which orders need this approval.")
        else:
            # Only the amount rule reads an amount; a leftover one would only mislead.
            self.threshold = None
        if errors:
            raise ValidationError(errors)
