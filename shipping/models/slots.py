"""Delivery time slots: a weekly pattern per warehouse, the dated slots written down once a
day is booked or changed by staff, and the bookings of orders."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from inventory.models import Warehouse
from orders.models import Order

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


# The en dash between the times of a slot ("09:00" EN_DASH "12:00").
EN_DASH = "\u2013"


def slot_label(starts, ends) -> str:
    return f"{starts:%H:%M}{EN_DASH}{ends:%H:%M}"


class SlotPattern(models.Model):
    """One slot of a warehouse's usual week: every working day of that weekday has it."""

    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS)
    starts = models.TimeField(pgettext_lazy("slot time", "from"))
    ends = models.TimeField(pgettext_lazy("slot time", "until"))
    capacity = models.PositiveIntegerField(_("capacity (orders)"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("slot pattern")
        verbose_name_plural = _("slot patterns")
        ordering = ["warehouse__code", "weekday", "starts"]
        constraints = [
            models.UniqueConstraint(
                fields=["warehouse", "weekday", "starts"], name="one_pattern_slot_per_start"
            ),
            models.CheckConstraint(
                condition=Q(ends__gt=F("starts"), capacity__gte=1, weekday__lte=6),
                name="slot_pattern_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.warehouse.code} {self.get_weekday_display()} {slot_label(self.starts, self.ends)}"

    def get_absolute_url(self) -> str:
        return reverse("shipping:slot_pattern_edit", args=[self.pk])


class DeliveryDay(models.Model):
    """A warehouse's day whose slots are written down (DeliverySlot rows): once an order
    booked a slot of it or staff changed it (closed it, opened a day off, changed a capacity).
    A day without a row follows the pattern and the working-day calendar."""

    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    closed = models.BooleanField(_("closed"), default=False)
    # Staff changed the day: it keeps its slots when the pattern changes.
    changed = models.BooleanField(_("changed by staff"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("delivery day")
        verbose_name_plural = _("delivery days")
        ordering = ["warehouse", "date"]
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "date"], name="one_delivery_day"),
        ]

    def __str__(self) -> str:
        return f"{self.warehouse_id} {self.date}"


class DeliverySlot(models.Model):
    """One dated slot of one warehouse. `booked` counts its bookings; a booking locks the row,
    so two people booking the last place cannot both get it."""

    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    starts = models.TimeField(pgettext_lazy("slot time", "from"))
    ends = models.TimeField(pgettext_lazy("slot time", "until"))
    capacity = models.PositiveIntegerField(_("capacity (orders)"))
    booked = models.PositiveIntegerField(_("booked"), default=0)

    class Meta:
        verbose_name = _("delivery slot")
        verbose_name_plural = _("delivery slots")
        ordering = ["warehouse", "date", "starts"]
        permissions = [
            ("arrange_delivery", _("Can arrange deliveries of orders (time slot, store pickup)")),
            ("plan_delivery_slots", _("Can plan delivery slots (week pattern, days, capacity)")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["warehouse", "date", "starts"], name="one_delivery_slot_per_start"
            ),
            models.CheckConstraint(
                condition=Q(ends__gt=F("starts"), booked__lte=F("capacity")),
                name="delivery_slot_not_overbooked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.label}"

    @property
    def label(self) -> str:
        return slot_label(self.starts, self.ends)

    @property
    def free(self) -> int:
        return self.capacity - self.booked


class SlotBooking(models.Model):
    """An order's delivery slot at one warehouse (one per order and warehouse the order ships
    from). Deleting the booking gives its place back."""

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="+"
    )
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    slot = models.ForeignKey(
        DeliverySlot, verbose_name=_("slot"), on_delete=models.PROTECT, related_name="bookings"
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    by_customer = models.BooleanField(_("chosen by the customer"), default=False)
    booked_at = models.DateTimeField(_("booked"), auto_now=True)

    class Meta:
        verbose_name = _("slot booking")
        verbose_name_plural = _("slot bookings")
        ordering = ["slot__date", "slot__starts", "order_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "warehouse"], name="one_slot_per_order_warehouse"
            ),
        ]
        indexes = [models.Index(fields=["slot", "order"], name="slot_booking_slot")]

    def __str__(self) -> str:
        return f"{self.order_id} → {self.slot}"
