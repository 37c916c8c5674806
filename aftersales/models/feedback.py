"""The customer's rating of a delivered order, given on the order's page (/track/<token>/)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orders.models import Order

COMMENT_MAX_LENGTH = 1000


class OrderFeedback(models.Model):
    """One per order: a later rating from the same page changes this one (`edits` counts the
    changes), so customer service always reads the customer's current view."""

    order = models.OneToOneField(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="feedback"
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    # What the customer typed, as typed: every page escapes it.
    comment = models.TextField(_("comment"), blank=True, max_length=COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(_("given"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    edits = models.PositiveSmallIntegerField(_("changes"), default=0)

    class Meta:
        verbose_name = _("customer rating")
        verbose_name_plural = _("customer ratings")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="feedback_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.rating}/5"

    def get_absolute_url(self) -> str:
        return reverse("orders:detail", args=[self.order.number])
