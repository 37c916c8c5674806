"""What customers were told: the outbox as staff read it.

The list at /messages/ (FilterSet + Table, `?customer=<id>` or `?order=<id>`), and the
"Communication log" cards on the customer and order pages, newest first. A row says what
was sent, when, by which channel, and whether it went out; a message not sent or failed
says why, in the reader's language where the reason is one the kernel writes itself.

The kernel knows customers and orders only by their model labels (`recipient_ref`,
`about_refs` on `OutboxMessage`), never by importing their apps.
"""

from __future__ import annotations

import re
from typing import Any

import django_filters
import django_tables2 as tables
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from oms.choices import MessageChannel, OutboxStatus
from oms.filters import SearchFilterSet, date_from_filter, date_until_filter
from oms.models import OutboxMessage
from oms.registry import message_event_choices, registry, resolve_reference
from oms.tables import BaseTable, DateTimeColumn, compact_table, fast_format_html, table_card
from oms.templatetags.oms import status_badge_html
from oms.types import AnyUser

VIEW_PERMISSION = "oms.view_outboxmessage"
CUSTOMER_LABEL = "customers.customer"
ORDER_LABEL = "orders.order"
# How many messages a detail page's card shows before "All".
PANEL_ROWS = 10

STATUS_TONES = {
    OutboxStatus.PENDING: "amber",
    OutboxStatus.SENT: "green",
    OutboxStatus.FAILED: "red",
    OutboxStatus.SKIPPED: "grey",
}


def _ref(label: str, pk: Any) -> str:
    return f"{label}:{pk}"


def visible_to(user: AnyUser, rows: QuerySet[OutboxMessage]) -> QuerySet[OutboxMessage]:
    """The rows the user may read, by every registered scope (oms.registry.message_scopes)."""
    for scope in registry.message_scopes:
        rows = scope(user, rows)
    return rows


def customer_messages(customer_id: int) -> QuerySet[OutboxMessage]:
    """Every message to the customer, newest first (the partial recipient index)."""
    return OutboxMessage.objects.filter(recipient_ref=_ref(CUSTOMER_LABEL, customer_id)).order_by(
        "-created_at", "-pk"
    )


def order_messages(order_id: int) -> QuerySet[OutboxMessage]:
    """Every message about the order, newest first (the GIN index on about_refs)."""
    return OutboxMessage.objects.filter(
        about_refs__contains=[_ref(ORDER_LABEL, order_id)]
    ).order_by("-created_at", "-pk")


def customer_messages_for(user: AnyUser) -> QuerySet[OutboxMessage]:
    """Messages to the customers the user may see (not staff digests or other systems')."""
    rows = OutboxMessage.objects.filter(recipient_ref__startswith=CUSTOMER_LABEL + ":")
    return visible_to(user, rows)


# The reasons oms.messaging writes for a message it did not send, worded for staff.
_REASONS: list[tuple[re.Pattern[str], Any]] = [
    (
        re.compile(r"^opted out of non-essential messages$"),
        gettext_lazy("The customer opted out of messages that are not essential."),
    ),
    (
        re.compile(r"^no e-mail address or phone number$"),
        gettext_lazy("The customer has neither an e-mail address nor a phone number."),
    ),
    (
        re.compile(r"^no (?P<channel>email|sms) template in (?P<language>[\w-]+)$"),
        gettext_lazy("No %(channel)s text for this event in %(language)s."),
    ),
    (
        re.compile(r"^too long for SMS: (?P<detail>.*)$", re.S),
        gettext_lazy("Too long for an SMS: %(detail)s"),
    ),
    (
        re.compile(r"^template does not render: (?P<detail>.*)$", re.S),
        gettext_lazy("The template does not render: %(detail)s"),
    ),
]


def reason_text(message: OutboxMessage) -> str:
    """Why a message was not sent or failed, in the reader's language where the kernel wrote
    the reason; a mail server's or SMS gateway's own error as it came."""
    if message.status not in (OutboxStatus.SKIPPED, OutboxStatus.FAILED) or not message.last_error:
        return ""
    for pattern, words in _REASONS:
        match = pattern.match(message.last_error)
        if match:
            params = match.groupdict()
            if "channel" in params:
                params["channel"] = str(MessageChannel(params["channel"]).label)
            return str(words) % params if params else str(words)
    return message.last_error


def event_text(code: str) -> str:
    event = registry.message_events.get(code)
    return str(event.label) if event else code


class MessageFilterSet(SearchFilterSet):
    search_fields = ("subject", "event_code")

    customer = django_filters.NumberFilter(label=gettext_lazy("Customer"), method="for_customer")
    order = django_filters.NumberFilter(label=gettext_lazy("Order"), method="about_order")
    event_code = django_filters.ChoiceFilter(
        label=gettext_lazy("Event"), choices=message_event_choices
    )
    channel = django_filters.ChoiceFilter(
        label=pgettext_lazy("message", "Channel"), choices=MessageChannel.choices
    )
    status = django_filters.ChoiceFilter(label=gettext_lazy("Status"), choices=OutboxStatus.choices)
    created_from = date_from_filter(gettext_lazy("From"))
    created_until = date_until_filter(gettext_lazy("Until"))

    class Meta:
        model = OutboxMessage
        fields = ["q", "customer", "order", "event_code", "channel", "status"]

    @staticmethod
    def _key(value: Any) -> int | None:
        """A row id from the query string; anything else matches nothing."""
        if value is None or value != int(value) or not 0 < value < 2**63:
            return None
        return int(value)

    def for_customer(self, queryset, name, value):
        key = self._key(value)
        if key is None:
            return queryset.none()
        return queryset.filter(recipient_ref=_ref(CUSTOMER_LABEL, key))

    def about_order(self, queryset, name, value):
        key = self._key(value)
        if key is None:
            return queryset.none()
        return queryset.filter(about_refs__contains=[_ref(ORDER_LABEL, key)])


class MessageTable(BaseTable):
    created_at = DateTimeColumn(
        verbose_name=gettext_lazy("Written"), attrs={"td": {"class": "text-nowrap"}}
    )
    event_code = tables.Column(verbose_name=gettext_lazy("Event"))
    subject = tables.Column(verbose_name=gettext_lazy("Subject"))
    channel = tables.Column(verbose_name=pgettext_lazy("message", "Channel"))
    recipients = tables.Column(verbose_name=gettext_lazy("To"), orderable=False)
    status = tables.Column(verbose_name=gettext_lazy("Status"))
    sent_at = DateTimeColumn(
        verbose_name=gettext_lazy("Sent"), attrs={"td": {"class": "text-nowrap"}}
    )
    reason = tables.Column(
        verbose_name=gettext_lazy("Why not sent"), accessor="last_error", orderable=False
    )

    class Meta(BaseTable.Meta):
        model = OutboxMessage
        fields = (
            "created_at",
            "event_code",
            "subject",
            "channel",
            "recipients",
            "status",
            "sent_at",
            "reason",
        )
        empty_text = gettext_lazy("No message matches these filters.")

    def render_event_code(self, value):
        return event_text(value)

    def value_event_code(self, value):
        return event_text(value)

    def render_recipients(self, value, record):
        text = ", ".join(value or ())
        if not text:
            return "—"
        url = resolve_reference(record.recipient_ref) if record.recipient_ref else None
        if url:
            return fast_format_html('<a href="{}">{}</a>', url, text)
        return text

    def value_recipients(self, value):
        return ", ".join(value or ())

    def render_status(self, record):
        # The record's code: the table's fast cells pass the choice's label as the value.
        status = record.status
        return status_badge_html(
            "outbox", status, record.get_status_display(), STATUS_TONES.get(status, "grey")
        )

    def value_status(self, value, record):
        return record.get_status_display()

    def render_reason(self, value, record):
        text = reason_text(record)
        if not text:
            return "—"
        return fast_format_html('<span class="small text-break">{}</span>', text)

    def value_reason(self, value, record):
        return reason_text(record)


def _card(request: HttpRequest, rows: QuerySet[OutboxMessage], filters: dict[str, Any]) -> dict:
    table = compact_table(
        MessageTable,
        list(rows[:PANEL_ROWS]),
        columns=("created_at", "status", "channel", "subject", "reason"),
        request=request,
    )
    table.empty_text = _("Nothing sent yet.")
    return table_card(
        _("Communication log"), table, reverse("message_list") + "?" + urlencode(filters)
    )


def customer_panel(request: HttpRequest, customer: Any) -> dict:
    """The customer page's card: the latest messages to the customer."""
    rows = visible_to(request.user, customer_messages(customer.pk))
    return _card(request, rows, {"customer": customer.pk})


def order_panel(request: HttpRequest, order: Any) -> dict | None:
    """The order page's card: the latest messages about the order (none: no card)."""
    rows = visible_to(request.user, order_messages(order.pk))
    if not rows.exists():
        return None
    return _card(request, rows, {"order": order.pk})
