import django_tables2 as tables
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oms.tables import (
    ActionsColumn,
    ActiveColumn,
    BaseTable,
    DateTimeColumn,
    RowAction,
    fast_format_html,
)
from orders.choices import WebhookStatus
from orders.intake.models import Channel
from orders.intake.outbound_models import WebhookDelivery
from orders.intake.platform_carriers import unmapped_text


class ChannelTable(BaseTable):
    name = tables.Column(linkify=True)
    code = tables.Column(attrs={"td": {"class": "font-monospace"}})
    kind = tables.Column()
    prices_include_tax = tables.BooleanColumn(verbose_name=_("Prices include tax"))
    customer_group = tables.Column(verbose_name=_("New buyers join"))
    is_active = ActiveColumn()

    class Meta(BaseTable.Meta):
        model = Channel
        fields = ("name", "code", "kind", "prices_include_tax", "customer_group", "is_active")
        empty_text = _("No channels match these filters.")


STATUS_TONES = {
    WebhookStatus.PENDING: "amber",
    WebhookStatus.SENT: "green",
    WebhookStatus.FAILED: "red",
}


NOWRAP = {"td": {"class": "text-nowrap"}}
# Chinese breaks between any two characters: here only at spaces (a date, then its time).
KEEP_WORDS = {"td": {"class": "oms-keep-words"}}


class WebhookDeliveryTable(BaseTable):
    created_at = DateTimeColumn(verbose_name=_("Queued"), attrs=KEEP_WORDS)
    # One line each: a long channel name is cut short, whole in its title.
    channel = tables.Column(attrs=NOWRAP)
    event = tables.Column(attrs=NOWRAP)
    target = tables.Column(attrs=KEEP_WORDS)
    reference = tables.Column(
        verbose_name=_("Order"),
        linkify=lambda record: reverse("orders:detail", args=[record.reference]),
        attrs={"td": {"class": "font-monospace text-nowrap"}},
    )
    status = tables.Column()
    attempts = tables.Column(attrs={"td": {"class": "text-end"}})
    last_status_code = tables.Column(verbose_name=_("Last answer"), default="—")
    last_error = tables.Column(verbose_name=_("Last error"), attrs={"td": {"class": "small"}})
    next_attempt_at = DateTimeColumn(verbose_name=_("Next attempt"), attrs=KEEP_WORDS)
    sent_at = DateTimeColumn(verbose_name=_("Sent"), attrs=KEEP_WORDS)
    actions = ActionsColumn(
        [
            RowAction(
                _("Resend"),
                "orders.resend_webhookdelivery",
                lambda record: reverse("orders:webhook_resend", args=[record.pk]),
                icon="arrow-repeat",
                post=True,
                shown=lambda record: record.attempts > 0 or record.status == WebhookStatus.FAILED,
            )
        ]
    )

    class Meta(BaseTable.Meta):
        model = WebhookDelivery
        fields = (
            "created_at",
            "channel",
            "event",
            "target",
            "reference",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "next_attempt_at",
            "sent_at",
        )
        empty_text = _("Nothing was sent to channels that matches these filters.")

    def render_status(self, value, record):
        return fast_format_html(
            '<span class="badge tone-{}">{}</span>', STATUS_TONES[record.status], value
        )

    def value_status(self, value, record):
        return record.get_status_display()

    def render_channel(self, value, record):
        name = str(record.channel)
        return fast_format_html(
            '<a class="text-truncate oms-cell-name" href="{}" title="{}">{}</a>',
            record.channel.get_absolute_url(),
            name,
            name,
        )

    def value_channel(self, value, record):
        return str(record.channel)

    def render_last_error(self, value, record):
        return unmapped_text(value) or value

    def value_last_error(self, value, record):
        return unmapped_text(record.last_error) or record.last_error
