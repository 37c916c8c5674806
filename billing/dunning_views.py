"""Finance's reminder pages: the reminders sent (/reminders/, CSV), the days per level, and the
actions on a customer (pause / resume reminders, lift a credit hold) shown on its page."""

from typing import Any

import django_filters
import django_tables2 as tables
from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing import dunning
from billing.models import CustomerDunning, DunningSettings, Reminder, ReminderLevel
from customers.models import Customer
from customers.selectors import customers_visible_to, of_visible_customers
from oms.choices import OutboxStatus
from oms.filters import SearchFilterSet
from oms.forms import BootstrapFormMixin, date_input
from oms.generic import ObjectActionView, ObjectEditView, ObjectListView, get_object_or_404
from oms.tables import BaseTable, DateTimeColumn, MoneyColumn, format_money
from oms.templatetags.oms import status_badge_html
from oms.types import AnyUser

VIEW = "billing.view_reminder"
MANAGE = "billing.manage_reminders"
LEVEL_TONES = {1: "blue", 2: "orange", 3: "red"}
MESSAGE_TONES = {"pending": "amber", "sent": "green", "failed": "red", "skipped": "grey"}


def page_open_total(table) -> str:
    rows = table.page.object_list if getattr(table, "page", None) else []
    return format_money(sum(getattr(row, "record", row).open_amount for row in rows))


def reminders_visible_to(user: AnyUser) -> QuerySet[Reminder]:
    return of_visible_customers(Reminder.objects.all(), user, "customer")


def level_badge(level: int) -> str:
    return status_badge_html("reminder", str(level), ReminderLevel(level).label, LEVEL_TONES[level])


class ReminderFilterSet(SearchFilterSet):
    search_fields = ("invoice__number", "customer__name", "customer__code")

    level = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Level"), choices=ReminderLevel.choices
    )
    status = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Message"), field_name="message__status", choices=OutboxStatus.choices
    )
    sent_from = django_filters.DateFilter(
        label=gettext_lazy("Sent from"),
        field_name="sent_at__date",
        lookup_expr="gte",
        widget=date_input(),
    )
    sent_until = django_filters.DateFilter(
        label=gettext_lazy("Sent until"),
        field_name="sent_at__date",
        lookup_expr="lte",
        widget=date_input(),
    )

    class Meta:
        model = Reminder
        fields = ["q", "level", "status", "sent_from", "sent_until"]


class ReminderTable(BaseTable):
    invoice = tables.Column(
        accessor="invoice__number",
        verbose_name=gettext_lazy("Invoice"),
        linkify=lambda record: record.invoice.get_absolute_url(),
        attrs={"td": {"class": "text-nowrap"}},
    )
    customer = tables.Column(
        accessor="customer__name",
        verbose_name=gettext_lazy("Customer"),
        linkify=lambda record: record.customer.get_absolute_url(),
        footer=gettext_lazy("Page total"),
    )
    level = tables.Column(verbose_name=gettext_lazy("Level"))
    sent_at = DateTimeColumn(verbose_name=gettext_lazy("Sent"))
    days_overdue = tables.Column(
        verbose_name=gettext_lazy("Days overdue"),
        attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}},
    )
    open_amount = MoneyColumn(verbose_name=gettext_lazy("Open amount"), footer=page_open_total)
    status = tables.Column(
        accessor="message__status", verbose_name=gettext_lazy("Message"), default="—"
    )

    class Meta(BaseTable.Meta):
        model = Reminder
        fields = (
            "invoice",
            "customer",
            "level",
            "sent_at",
            "days_overdue",
            "open_amount",
            "status",
        )
        empty_text = gettext_lazy("No reminders match these filters.")

    def render_level(self, record):
        return level_badge(record.level)

    def value_level(self, value):
        return ReminderLevel(value).label

    def render_status(self, record):
        status = record.message.status if record.message_id else ""
        if not status:
            return "—"
        return status_badge_html(
            "message", status, OutboxStatus(status).label, MESSAGE_TONES.get(status, "grey")
        )

    def value_status(self, value):
        return OutboxStatus(value).label if value else ""


class ReminderListView(ObjectListView):
    permission_required = VIEW
    filterset_class = ReminderFilterSet
    table_class = ReminderTable
    title = gettext_lazy("Reminders")
    export_name = "reminders"
    actions = [(gettext_lazy("Reminder days"), "reminders:settings", MANAGE, "sliders")]

    def get_queryset(self):
        return reminders_visible_to(self.request.user).select_related(
            "invoice", "customer", "message"
        )


class DunningSettingsForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = DunningSettings
        fields = ["level1_days", "level2_days", "level3_days"]


class ReminderSettingsView(ObjectEditView):
    permission_required = MANAGE
    form_class = DunningSettingsForm
    title = gettext_lazy("Reminder days")
    list_url_name = "reminders:list"

    def get_object(self):
        return dunning.dunning_settings()

    def save(self, form):
        return dunning.dunning_settings_update(actor=self.request.user, data=form.cleaned_data)

    def success_message(self, obj):
        return _("Saved the reminder days.")

    def get_success_url(self, obj):
        return reverse("reminders:list")

    def get_cancel_url(self):
        return reverse("reminders:list")


class CustomerActionView(ObjectActionView):
    permission_required = MANAGE

    def customer(self, request, pk) -> Customer:
        return get_object_or_404(
            lambda key: customers_visible_to(request.user).filter(pk=key).first(), pk
        )

    def get_redirect_url(self, request, **kwargs):
        return reverse("customers:detail", args=[kwargs["pk"]])


class PauseView(CustomerActionView):
    def perform(self, request, **kwargs):
        customer = self.customer(request, kwargs["pk"])
        note = request.POST.get("note", "")
        dunning.reminders_pause(actor=request.user, customer=customer, paused=True, note=note)
        return _("Reminders to %(customer)s are paused.") % {"customer": customer}


class ResumeView(CustomerActionView):
    def perform(self, request, **kwargs):
        customer = self.customer(request, kwargs["pk"])
        dunning.reminders_pause(actor=request.user, customer=customer, paused=False)
        return _("Reminders to %(customer)s go out again.") % {"customer": customer}


class LiftHoldView(CustomerActionView):
    def perform(self, request, **kwargs):
        customer = self.customer(request, kwargs["pk"])
        if not customer.credit_hold:
            return _("%(customer)s is not on credit hold.") % {"customer": customer}
        dunning.credit_hold_lift(
            actor=request.user, customer=customer, note=request.POST.get("note", "")
        )
        return _("The credit hold of %(customer)s is lifted.") % {"customer": customer}


def customer_dunning_panel(request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    """The customer page's card: hold and why, reminders paused or not, the latest reminders."""
    state = (
        CustomerDunning.objects.filter(customer=customer)
        .select_related("paused_by", "hold_invoice")
        .first()
    )
    reminders = list(
        Reminder.objects.filter(customer=customer)
        .select_related("invoice", "message")
        .order_by("-sent_at", "-level")[:5]
    )
    if not reminders and state is None and not customer.credit_hold:
        return None
    for reminder in reminders:
        reminder.badge = level_badge(reminder.level)  # type: ignore[attr-defined]
    return {
        "customer": customer,
        "state": state,
        "reminders": reminders,
        "hold_automatic": bool(state and state.hold_automatic and customer.credit_hold),
        "can_manage": request.user.has_perm(MANAGE),
    }
