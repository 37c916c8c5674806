"""Overdue reminders and what finance decides about them.

- `Reminder`: one per invoice and level (1 friendly, 2 firm, 3 final notice), written by the
  daily job (billing.dunning) with the outbox message that carried it. The unique constraint
  (invoice, level) is what makes a level go out once, even when two runs overlap.
- `DunningSettings`: one row, the days overdue at which each level goes out; finance edits it.
- `CustomerDunning`: per customer, whether finance paused its reminders, and whether its credit
  hold was put by the final notice (an automatic hold is lifted when nothing is overdue any
  more; a hold finance set by hand stays until finance lifts it).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from billing.models.documents import MONEY, Invoice
from customers.models import Customer
from oms.models import OutboxMessage


class ReminderLevel(models.IntegerChoices):
    FRIENDLY = 1, pgettext_lazy("reminder level", "1 · Friendly reminder")
    FIRM = 2, pgettext_lazy("reminder level", "2 · Firm reminder")
    FINAL = 3, pgettext_lazy("reminder level", "3 · Final notice")


class Reminder(models.Model):
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="reminders"
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="reminders"
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=ReminderLevel.choices)
    sent_at = models.DateTimeField(_("sent"))
    days_overdue = models.PositiveIntegerField(_("days overdue"))
    open_amount = models.DecimalField(_("open"), **MONEY)
    # The e-mail (or SMS) that carried it; several invoices of one customer share one message.
    message = models.ForeignKey(
        OutboxMessage,
        verbose_name=_("message"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at", "-id"]
        permissions = [
            (
                "manage_reminders",
                _("Can pause reminders, lift credit holds and set the reminder days"),
            )
        ]
        indexes = [
            models.Index(fields=["customer", "-sent_at"], name="reminder_customer_newest"),
            models.Index(fields=["-sent_at", "-id"], name="reminder_newest"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "level"], name="one_reminder_per_level"),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=3), name="reminder_level_1_to_3"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice} · {self.level}"


class DunningSettings(models.Model):
    """One row (pk 1): after how many days overdue each level goes out."""

    level1_days = models.PositiveSmallIntegerField(
        _("friendly reminder after (days overdue)"), default=7
    )
    level2_days = models.PositiveSmallIntegerField(
        _("firm reminder after (days overdue)"), default=21
    )
    level3_days = models.PositiveSmallIntegerField(
        _("final notice and credit hold after (days overdue)"), default=45
    )

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(level1_days__gte=1)
                & Q(level2_days__gt=F("level1_days"))
                & Q(level3_days__gt=F("level2_days")),
                name="reminder_days_increase",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Reminder settings"))

    def clean(self) -> None:
        errors = {}
        if self.level1_days is not None and self.level1_days < 1:
            errors["level1_days"] = _("The friendly reminder goes out at least 1 day overdue.")
        if None not in (self.level1_days, self.level2_days) and (
            self.level2_days <= self.level1_days
        ):
            errors["level2_days"] = _("The firm reminder must come after the friendly one.")
        if None not in (self.level2_days, self.level3_days) and (
            self.level3_days <= self.level2_days
        ):
            errors["level3_days"] = _("The final notice must come after the firm reminder.")
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None) -> None:
        # clean() says it in words; the constraint is the database's guard.
        if not any(self.level_errors()):
            super().validate_constraints(exclude)

    def level_errors(self) -> list[bool]:
        return [
            self.level1_days < 1,
            self.level2_days <= self.level1_days,
            self.level3_days <= self.level2_days,
        ]

    def days(self) -> dict[int, int]:
        return {1: self.level1_days, 2: self.level2_days, 3: self.level3_days}


class CustomerDunning(models.Model):
    customer = models.OneToOneField(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="dunning",
    )
    reminders_paused = models.BooleanField(_("reminders paused"), default=False)
    pause_note = models.CharField(_("why paused"), max_length=300, blank=True)
    paused_at = models.DateTimeField(_("paused"), null=True, blank=True)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("paused by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The credit hold the final notice put: lifted by itself once nothing is overdue.
    hold_automatic = models.BooleanField(_("held by the final notice"), default=False)
    hold_since = models.DateTimeField(_("held since"), null=True, blank=True)
    hold_invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("final notice for"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("customer reminder state")
        verbose_name_plural = _("customer reminder states")
        indexes = [
            models.Index(
                fields=["customer"], name="dunning_paused", condition=Q(reminders_paused=True)
            ),
        ]

    def __str__(self) -> str:
        return str(self.customer)
