"""Demand forecasts per product and warehouse."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from inventory.models.catalogue import Product
from inventory.models.stock import Warehouse


class DemandForecast(models.Model):
    """The weekly demand forecast of one product in one warehouse (inventory.replenishment),
    refreshed nightly and on demand, with the reorder point it gives."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="forecasts"
    )
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.CASCADE, related_name="+"
    )
    computed_at = models.DateTimeField(_("computed"))
    # Monday of the first forecast week; `history` ends the week before.
    first_week = models.DateField(_("first forecast week"))
    history = models.JSONField(_("weekly sales"), default=list)
    forecast = models.JSONField(_("weekly forecast"), default=list)
    alpha = models.DecimalField(_("level smoothing"), max_digits=4, decimal_places=2)
    beta = models.DecimalField(_("trend smoothing"), max_digits=4, decimal_places=2)
    sigma = models.DecimalField(_("spread of forecast errors"), max_digits=12, decimal_places=3)
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (days)"))
    service_level = models.DecimalField(_("service level"), max_digits=4, decimal_places=3)
    lead_time_demand = models.DecimalField(
        _("demand over lead time"), max_digits=12, decimal_places=2
    )
    safety_stock = models.DecimalField(_("safety stock"), max_digits=12, decimal_places=2)
    reorder_point = models.IntegerField(_("reorder point"))
    review_demand = models.DecimalField(
        _("demand over review period"), max_digits=12, decimal_places=2
    )

    class Meta:
        verbose_name = _("demand forecast")
        verbose_name_plural = _("demand forecasts")
        ordering = ["product__sku", "warehouse__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "warehouse"], name="one_demand_forecast_per_place"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}"
