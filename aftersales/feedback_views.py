"""Customer ratings: the staff list (/ratings/), the cards on the order and customer pages,
and the rating form on the customer's order page (/track/<token>/rating/)."""

from __future__ import annotations

from typing import Any

import django_filters
import django_tables2 as tables
from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales import feedback
from aftersales.models import OrderFeedback
from aftersales.models.feedback import COMMENT_MAX_LENGTH
from oms.filters import SearchFilterSet, date_from_filter, date_until_filter
from oms.generic import ObjectListView
from oms.tables import BaseTable, DateTimeColumn, compact_table, table_card
from orders.models import Order
from shipping.public_views import PublicOrderView, render_order_page

SECTION = "rating"
RATING_CHOICES = [(n, str(n)) for n in range(5, 0, -1)]


def stars(rating: int) -> str:
    return "★" * rating + "☆" * (5 - rating)


# Staff ---------------------------------------------------------------------------------------


class FeedbackFilterSet(SearchFilterSet):
    search_fields = ("order__number", "order__customer__name", "order__customer__code", "comment")
    rating = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Rating"),
        choices=RATING_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    with_comment = django_filters.BooleanFilter(
        label=gettext_lazy("With a comment"), method="filter_with_comment"
    )
    given_from = date_from_filter(gettext_lazy("Given from"))
    given_until = date_until_filter(gettext_lazy("Given until"))

    class Meta:
        model = OrderFeedback
        fields = ["rating"]

    def filter_with_comment(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(comment="") if value else queryset.filter(comment="")


class FeedbackTable(BaseTable):
    order = tables.Column(
        accessor="order__number",
        verbose_name=gettext_lazy("Order"),
        linkify=lambda record: record.order.get_absolute_url(),
        order_by=("order__number",),
    )
    customer = tables.Column(
        accessor="order__customer__name",
        verbose_name=gettext_lazy("Customer"),
        linkify=lambda record: record.order.customer.get_absolute_url(),
        order_by=("order__customer__name",),
    )
    rating = tables.Column(attrs={"td": {"class": "text-nowrap"}})
    comment = tables.Column(attrs={"td": {"class": "oms-pre-line"}})
    created_at = DateTimeColumn()
    edits = tables.Column(
        verbose_name=gettext_lazy("Changed"), attrs={"td": {"class": "text-nowrap"}}
    )

    class Meta(BaseTable.Meta):
        model = OrderFeedback
        fields = ("order", "customer", "rating", "comment", "created_at", "edits")
        order_by = ("-created_at",)
        empty_text = gettext_lazy("No ratings match these filters.")

    def render_rating(self, value):
        return format_html(
            '<span class="oms-stars" aria-hidden="true">{}</span> <span>{}/5</span>',
            stars(value),
            value,
        )

    def value_rating(self, value):
        return value

    def render_edits(self, value, record):
        if not value:
            return "—"
        return DateTimeColumn().render(record.updated_at)

    def value_edits(self, value):
        return value


class FeedbackListView(ObjectListView):
    permission_required = feedback.VIEW_PERMISSION
    filterset_class = FeedbackFilterSet
    table_class = FeedbackTable
    title = gettext_lazy("Customer ratings")
    export_name = "ratings"

    def get_queryset(self):
        return feedback.feedback_visible_to(self.request.user)

    def get_summary(self, queryset):
        return _("What customers said about their delivered orders, from the order's page.")


def order_feedback_panel(request: HttpRequest, order: Order) -> dict[str, Any] | None:
    """The order page's card: the customer's rating, when there is one."""
    found = feedback.order_feedback(order.pk)
    if found is None:
        return None
    return {"feedback": found, "stars": stars(found.rating)}


def customer_feedback_panel(request: HttpRequest, customer) -> dict[str, Any] | None:
    rows = feedback.feedback_visible_to(request.user).filter(order__customer=customer)[:10]
    if not rows:
        return None
    table = compact_table(
        FeedbackTable, rows, columns=("order", "rating", "comment", "created_at"), request=request
    )
    more = reverse("aftersales:feedback_list") + "?" + urlencode({"q": customer.code})
    return table_card(gettext_lazy("Customer ratings"), table, more)


# The customer ------------------------------------------------------------------------------


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("Your rating"),
        choices=RATING_CHOICES,
        coerce=int,
        error_messages={"required": gettext_lazy("Choose from one to five stars.")},
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment (optional)"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": COMMENT_MAX_LENGTH}),
    )


def rating_section(order: Order, request: HttpRequest) -> dict[str, Any] | None:
    """The rating form once the order is delivered, filled with the rating given before."""
    if not feedback.may_rate(order):
        return None
    given = feedback.order_feedback(order.pk)
    form = getattr(request, "public_bound_forms", {}).get(SECTION) or RatingForm(
        initial={"rating": given.rating, "comment": given.comment} if given else None
    )
    return {
        "form": form,
        "given": given,
        "stars": [(n, gettext_lazy("%(n)s of 5 stars") % {"n": n}) for n, _label in RATING_CHOICES],
        "chosen": str(form["rating"].value() or ""),
    }


class RatingView(PublicOrderView):
    http_method_names = ["post"]

    def post_order(self, request: HttpRequest, order: Order) -> HttpResponse:
        form = RatingForm(request.POST)
        if not feedback.may_rate(order):
            return render_order_page(
                request,
                order,
                refused=_("You can rate the order once it has been delivered."),
                status=400,
            )
        if form.is_valid():
            try:
                feedback.feedback_give(
                    actor=None,
                    order=order,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        for message in errors:
                            form.add_error(field if field in form.fields else None, message)
                else:
                    for message in exc.messages:
                        form.add_error(None, message)
            else:
                return self.saved(order, SECTION)
        return render_order_page(request, order, bound_forms={SECTION: form}, status=400)


rating_view = RatingView.as_public_view()
