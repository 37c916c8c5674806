"""Back-office pages of the sales channels: list, page, create, edit, switch off and on."""

from django.http import Http404
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.generic import (
    ObjectActionView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ObjectSetActiveView,
)
from orders.choices import WebhookEvent
from orders.intake import channels as services
from orders.intake import outbound
from orders.intake.filters import ChannelFilterSet, WebhookDeliveryFilterSet
from orders.intake.forms import ChannelForm
from orders.intake.models import Channel
from orders.intake.outbound_models import WebhookDelivery
from orders.intake.tables import (
    ChannelTable,
    ChannelWebhookDeliveryTable,
    WebhookDeliveryTable,
)


class ChannelListView(ObjectListView):
    permission_required = "orders.view_channel"
    filterset_class = ChannelFilterSet
    table_class = ChannelTable
    title = gettext_lazy("Sales channels")
    export_name = "channels"
    actions = [
        (gettext_lazy("New channel"), "orders:channel_create", "orders.add_channel", "plus-lg"),
        (
            gettext_lazy("Webhook deliveries"),
            "orders:webhook_list",
            "orders.view_webhookdelivery",
            "send",
        ),
    ]

    def get_queryset(self):
        return Channel.objects.order_by("-is_active", "name")

    def get_summary(self, queryset):
        return _(
            "Every order comes from a channel: the back office, an import, the API, or a shop "
            "or marketplace store. An order's id is unique within its channel."
        )


class ChannelDetailView(ObjectDetailView):
    permission_required = "orders.view_channel"
    template_name = "orders/channel_detail.html"
    model = Channel

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_change"] = user.has_perm("orders.change_channel")
        events = dict(WebhookEvent.choices)
        context["webhook_events"] = [events.get(code, code) for code in self.object.webhook_events]
        context["deliveries_url"] = (
            reverse("orders:channel_webhooks", args=[self.object.pk])
            if user.has_perm("orders.view_webhookdelivery")
            else ""
        )
        context["orders_url"] = (
            f"{reverse('orders:list')}?{urlencode({'channel': self.object.code})}"
            if user.has_perm("orders.view_order")
            else ""
        )
        return context


class ChannelEditView(ObjectEditView):
    permission_required = "orders.change_channel"
    form_class = ChannelForm
    title = gettext_lazy("Edit channel")
    list_url_name = "orders:channel_list"

    def get_object(self):
        channel = Channel.objects.filter(pk=self.kwargs["pk"]).first()
        if channel is None:
            raise Http404
        return channel

    def get_form_kwargs(self):
        return {"instance": self.object}

    def save(self, form):
        return services.channel_save(
            actor=self.request.user, channel=self.object, data=form.cleaned_data
        )


class ChannelCreateView(ChannelEditView):
    permission_required = "orders.add_channel"
    title = gettext_lazy("New channel")

    def get_object(self):
        return None


class ChannelSetActiveView(ObjectSetActiveView):
    permission_required = "orders.change_channel"
    model = Channel
    service = staticmethod(services.channel_set_active)
    service_object = "channel"


class WebhookDeliveryListView(ObjectListView):
    """What was sent to channels (webhooks and ship confirmations): every channel's, or one
    channel's at channels/<pk>/webhooks/."""

    permission_required = "orders.view_webhookdelivery"
    filterset_class = WebhookDeliveryFilterSet
    table_class = WebhookDeliveryTable
    export_name = "webhook-deliveries"

    def channel(self) -> Channel | None:
        if "pk" not in self.kwargs:
            return None
        channel = Channel.objects.filter(pk=self.kwargs["pk"]).first()
        if channel is None:
            raise Http404
        return channel

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.the_channel = self.channel()
        if self.the_channel is not None:
            self.table_class = ChannelWebhookDeliveryTable
        self.title = (
            _("Webhooks of %(channel)s") % {"channel": self.the_channel}
            if self.the_channel
            else _("Webhook deliveries")
        )

    def get_queryset(self):
        deliveries = WebhookDelivery.objects.select_related("channel").order_by(
            "-created_at", "-id"
        )
        if self.the_channel is not None:
            deliveries = deliveries.filter(channel=self.the_channel)
        return deliveries

    def get_summary(self, queryset):
        return _(
            "Events we told channels about their orders, and ship confirmations to platforms. A "
            "failed delivery is tried again after 1 minute, 5 minutes, 30 minutes, 2 hours and "
            "12 hours; Resend queues it once more."
        )


class WebhookResendView(ObjectActionView):
    permission_required = "orders.resend_webhookdelivery"

    def perform(self, request, **kwargs):
        delivery = WebhookDelivery.objects.filter(pk=kwargs["pk"]).first()
        if delivery is None:
            raise Http404
        outbound.webhook_resend(actor=request.user, delivery=delivery)
        return _("%(delivery)s is queued to be sent again.") % {"delivery": delivery}
