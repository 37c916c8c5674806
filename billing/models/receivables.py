"""Receivables kept per customer (billing.receivable_rows keeps them): what the customer's open
installments add up to, and how that splits into the aging buckets as of a day.

The total never depends on the day; the buckets do. A row is right from `as_of` up to the day
before `next_change`, the first day on which one of the customer's open amounts moves into the
next bucket (its due date + 1, 31, 61 or 91 days). billing.receivables reads the buckets of a
row only within that window and computes them from the installments otherwise, so a row that
a day has overtaken is slower to show, never wrong; a nightly job moves the rows on.
"""

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from billing.models.documents import MONEY
from customers.models import Customer

NEVER = date(9999, 12, 31)


class CustomerReceivable(models.Model):
    customer = models.OneToOneField(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    as_of = models.DateField(_("as of"))
    next_change = models.DateField(_("buckets move on"), default=NEVER)
    open_total = models.DecimalField(_("total open"), default=0, **MONEY)
    open_not_due = models.DecimalField(_("not yet due"), default=0, **MONEY)
    open_1_30 = models.DecimalField(_("1-30 days"), default=0, **MONEY)
    open_31_60 = models.DecimalField(_("31-60 days"), default=0, **MONEY)
    open_61_90 = models.DecimalField(_("61-90 days"), default=0, **MONEY)
    open_over_90 = models.DecimalField(_("> 90 days"), default=0, **MONEY)

    class Meta:
        verbose_name = _("customer receivable")
        verbose_name_plural = _("customer receivables")
        indexes = [
            # The page's rows (customers owing something), largest first.
            models.Index(
                fields=["-open_total", "customer"],
                name="receivable_open_total",
                condition=Q(open_total__gt=0),
            ),
            # The nightly job's rows: those a day has overtaken.
            models.Index(
                fields=["next_change"], name="receivable_next_change", condition=Q(open_total__gt=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.open_total} ({self.as_of})"
