"""How a return was settled: money back (credit notes and refunds), goods sent again at no
charge (a replacement order), or the customer's goods repaired and sent back (a repair order
whose line is made by a work order). One resolution per return: the database refuses a
second, so a double submit resolves once."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.models.returns import ReturnRequest
from aftersales.return_choices import WantedResolution

MONEY = {"max_digits": 14, "decimal_places": 2}


class ReturnResolution(models.Model):
    request = models.OneToOneField(
        ReturnRequest,
        verbose_name=_("return"),
        on_delete=models.PROTECT,
        related_name="resolution_record",
    )
    kind = models.CharField(_("resolution"), max_length=10, choices=WantedResolution.choices)
    # Staff chose another resolution than the customer asked for, or another shipping rule.
    overridden = models.BooleanField(_("overridden"), default=False)
    shipping_refunded = models.BooleanField(_("shipping fee refunded"), default=False)
    amount_credited = models.DecimalField(_("credited"), default=0, **MONEY)
    amount_refunded = models.DecimalField(_("refunded"), default=0, **MONEY)
    credit_notes = models.ManyToManyField(
        "billing.CreditNote", verbose_name=_("credit notes"), blank=True, related_name="+"
    )
    refunds = models.ManyToManyField(
        "billing.Payment", verbose_name=_("refunds"), blank=True, related_name="+"
    )
    # Exchange and repair: the order that sends the goods (again) at no charge.
    replacement_order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("replacement order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    # The form's one-time key: the same submit again finds this row.
    submission_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("resolved"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("return resolution")
        verbose_name_plural = _("return resolutions")
        ordering = ["-id"]
        permissions = [("resolve_return", _("Can resolve returns (refund, exchange, repair)"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="refund") | Q(replacement_order__isnull=False),
                name="exchange_and_repair_have_an_order",
            ),
            models.CheckConstraint(
                condition=Q(amount_credited__gte=0, amount_refunded__gte=0),
                name="resolution_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} {self.get_kind_display()}"
