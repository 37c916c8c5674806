"""The kernel's settings pages: the working-day calendar and the customer message templates
(their FilterSet, Tables and Forms; the views are in oms/views.py)."""

import django_filters
import django_tables2 as tables
from django import forms
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from oms.choices import MessageLanguage
from oms.filters import SearchFilterSet
from oms.forms import BootstrapFormMixin, date_input
from oms.models import MessageTemplate
from oms.registry import message_event_choices, registry
from oms.tables import (
    ActionsColumn,
    BaseTable,
    DateColumn,
    DateTimeColumn,
    RowAction,
    fast_format_html,
)
from oms.workdays import SATURDAY

# --- the working-day calendar --------------------------------------------------------------


def _make_day(*, working: bool, label, icon: str) -> RowAction:
    """The row button that turns a day the other way (oms.views.CalendarDaySetView)."""
    return RowAction(
        label,
        "oms.change_calendarday",
        lambda day: reverse("calendar_day_set"),
        icon=icon,
        post=True,
        shown=lambda day: day.is_working_day != working,
        data=lambda day: {"date": day.date.isoformat(), "working": "1" if working else "0"},
    )


class CalendarDayTable(BaseTable):
    """One year's days that differ from a plain Monday-to-Friday week (oms.workdays)."""

    date = DateColumn(verbose_name=_("Date"), orderable=False)
    weekday = tables.Column(verbose_name=_("Weekday"), accessor="date", orderable=False)
    is_working_day = tables.Column(verbose_name=_("Status"), orderable=False)
    name = tables.Column(verbose_name=_("Name"), orderable=False)
    edited = tables.Column(verbose_name=_("Source"), orderable=False)
    actions = ActionsColumn(
        [
            _make_day(working=False, label=_("Make it a day off"), icon="x-circle"),
            _make_day(working=True, label=_("Make it a working day"), icon="briefcase"),
        ]
    )

    class Meta(BaseTable.Meta):
        empty_text = _("No holidays or make-up working days in this year.")

    def render_weekday(self, value):
        return date_format(value, "l")

    def value_weekday(self, value):
        return date_format(value, "l")

    def render_is_working_day(self, value):
        if value:
            return fast_format_html('<span class="badge tone-blue">{}</span>', _("Working day"))
        return fast_format_html('<span class="badge tone-green">{}</span>', _("Day off"))

    def value_is_working_day(self, value):
        return str(_("Working day") if value else _("Day off"))

    def render_edited(self, value, record):
        if not value:
            return _("Official calendar")
        if record.official_working_day == (record.weekday < SATURDAY):  # plain-week status
            return _("Added here")
        if record.official_working_day:
            return _("Changed here (officially a working day)")
        return _("Changed here (officially a day off)")

    def value_edited(self, value, record):
        return str(self.render_edited(value, record))


class CalendarDayForm(BootstrapFormMixin, forms.Form):
    date = forms.DateField(label=_("Date"), widget=date_input())
    working = forms.TypedChoiceField(
        label=_("Make it"),
        choices=[("0", _("A day off (holiday)")), ("1", _("A working day (make-up day)"))],
        coerce=lambda value: value == "1",
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("Optional, e.g. Company outing or 春节调休."),
    )

    def clean_date(self):
        day = self.cleaned_data["date"]
        if not 2000 <= day.year <= 2100:
            raise forms.ValidationError(_("Enter a date between 2000 and 2100."))
        return day


# --- customer message templates ------------------------------------------------------------


class MessageTemplateFilterSet(SearchFilterSet):
    search_fields = ("subject", "body", "sms_body", "event_code")

    event_code = django_filters.ChoiceFilter(label=_("Event"), choices=message_event_choices)
    language = django_filters.ChoiceFilter(label=_("Language"), choices=MessageLanguage.choices)
    is_customised = django_filters.BooleanFilter(label=_("Edited"))

    class Meta:
        model = MessageTemplate
        fields = ["q", "event_code", "language", "is_customised"]


def event_label(code: str) -> str:
    event = registry.message_events.get(code)
    return str(event.label) if event else code


class MessageTemplateTable(BaseTable):
    event = tables.Column(
        verbose_name=_("Event"),
        accessor="event_code",
        order_by=("event_code", "language"),
        linkify=lambda record: reverse("message_template_edit", args=[record.pk]),
    )
    language = tables.Column()
    essential = tables.Column(verbose_name=_("Essential"), accessor="event_code", orderable=False)
    subject = tables.Column()
    sms_body = tables.Column(orderable=False)
    is_customised = tables.Column(verbose_name=_("Edited"))
    updated_at = DateTimeColumn()
    updated_by = tables.Column(accessor="updated_by__username", verbose_name=_("By"))

    class Meta(BaseTable.Meta):
        model = MessageTemplate
        fields = (
            "event",
            "language",
            "essential",
            "subject",
            "sms_body",
            "is_customised",
            "updated_at",
            "updated_by",
        )

    def render_event(self, value):
        return fast_format_html(
            '{} <code class="small text-muted">{}</code>', event_label(value), value
        )

    def value_event(self, value):
        return event_label(value)

    def render_essential(self, value):
        event = registry.message_events.get(value)
        if event is None:
            return "—"
        return _("Essential") if event.essential else _("Optional")

    def render_is_customised(self, value):
        if value:
            return fast_format_html('<span class="badge tone-amber">{}</span>', _("Edited"))
        return _("Default")

    def value_is_customised(self, value):
        return str(_("Edited") if value else _("Default"))

    def value_essential(self, value):
        return str(self.render_essential(value))


class MessageTemplateForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["subject", "body", "sms_body"]
        widgets = {
            "subject": forms.Textarea(attrs={"rows": 1}),  # full width: it holds variables
            "body": forms.Textarea(attrs={"rows": 10}),
            "sms_body": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "subject": _("One line. Variables in double braces, e.g. {{ order_number }}."),
            "body": _("Plain text; the HTML version of the e-mail is made from it, escaped."),
            "sms_body": _(
                "Short: 70 Chinese or 160 Latin characters make one SMS; a longer text goes "
                "as several parts. Empty: no SMS for this event (customers who prefer SMS get "
                "nothing)."
            ),
        }
