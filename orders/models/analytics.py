"""Nightly sales summaries: what the dashboard and the sales analytics page read instead of
millions of order lines (orders.analytics fills and reads them).

Two grains, because an order's count does not add up over its products: `DailySales` per
day × channel × province × product × customer group × salesperson (lines, quantity, revenue,
tax, and the orders that bought the product), `DailyOrderSales` per day × channel × province
× customer group × salesperson (orders, revenue, tax). The dimensions are copied in as they
were when the day was summarised (a customer's group or salesperson today), and the rows of a
day are replaced as a whole, so they carry no foreign-key constraints.

`SalesWindow` and its `SalesWindowProduct` rows are the dashboard's top products over the past
days of each chart period (29 and 89 days up to yesterday), the product grain's hundreds of
thousands of rows summed once when the summaries are written instead of on every page: the
page adds today's live figures. A refresh of any day inside a window deletes it, so a window
never disagrees with the summaries (without one the page sums the summaries itself).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from inventory.models import Category, Product
from orders.models.base import MONEY


class DailySales(models.Model):
    day = models.DateField(_("day"))
    channel = models.CharField(_("channel"), max_length=20)
    region = models.CharField(_("province"), max_length=2)
    product = models.ForeignKey(
        Product, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    category = models.ForeignKey(
        Category, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    customer_group = models.CharField(_("customer group"), max_length=12)
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    orders = models.PositiveIntegerField(_("orders"))
    lines = models.PositiveIntegerField(_("lines"))
    quantity = models.BigIntegerField(_("quantity"))
    net_revenue = models.DecimalField(_("net revenue"), **MONEY)
    tax = models.DecimalField(_("tax"), **MONEY)

    class Meta:
        verbose_name = _("daily sales by product")
        verbose_name_plural = _("daily sales by product")
        permissions = [
            ("view_sales_analytics", _("Can see sales analytics")),
            ("refresh_sales_summary", _("Can refresh the sales summaries")),
        ]
        indexes = [
            # The dashboard's top products and every period filter: an index-only scan.
            models.Index(
                fields=["day"],
                name="daily_sales_day",
                include=["product", "net_revenue", "quantity"],
            ),
            models.Index(fields=["product", "day"], name="daily_sales_product_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel} {self.region} {self.product_id}"


class DailyOrderSales(models.Model):
    day = models.DateField(_("day"))
    channel = models.CharField(_("channel"), max_length=20)
    region = models.CharField(_("province"), max_length=2)
    customer_group = models.CharField(_("customer group"), max_length=12)
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    orders = models.PositiveIntegerField(_("orders"))
    net_revenue = models.DecimalField(_("net revenue"), **MONEY)
    tax = models.DecimalField(_("tax"), **MONEY)

    class Meta:
        verbose_name = _("daily sales")
        verbose_name_plural = _("daily sales")
        indexes = [
            models.Index(
                fields=["day"],
                name="daily_order_sales_day",
                include=["channel", "region", "orders", "net_revenue"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel} {self.region}"


class SalesSummaryDay(models.Model):
    """A day whose summaries are written, and when: the page says how fresh they are."""

    day = models.DateField(_("day"), primary_key=True)
    refreshed_at = models.DateTimeField(_("refreshed"))
    orders = models.PositiveIntegerField(_("orders"))

    class Meta:
        verbose_name = _("summarised day")
        verbose_name_plural = _("summarised days")

    def __str__(self) -> str:
        return self.day.isoformat()


class SalesWindow(models.Model):
    """The summaries of the days first_day..last_day summed per product (SalesWindowProduct)."""

    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    refreshed_at = models.DateTimeField(_("refreshed"))

    class Meta:
        verbose_name = _("sales window")
        verbose_name_plural = _("sales windows")
        constraints = [
            models.UniqueConstraint(fields=["first_day", "last_day"], name="one_sales_window")
        ]

    def __str__(self) -> str:
        return f"{self.first_day}..{self.last_day}"


class SalesWindowProduct(models.Model):
    window = models.ForeignKey(
        SalesWindow, on_delete=models.CASCADE, related_name="products", db_index=False
    )
    product = models.ForeignKey(
        Product, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    orders = models.PositiveIntegerField(_("orders"))
    net_revenue = models.DecimalField(_("net revenue"), **MONEY)

    class Meta:
        verbose_name = _("sales window product")
        verbose_name_plural = _("sales window products")
        indexes = [
            # The dashboard reads a window's rows only: an index-only scan.
            models.Index(
                fields=["window"],
                name="sales_window_rows",
                include=["product", "orders", "net_revenue"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.window_id} {self.product_id}"
