"""Back-office pages of the sales channels: list, page, create, edit, switch off and on."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from oms.db import typed_id
from oms.generic import (
    ObjectActionView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ObjectSetActiveView,
    RequirePermissionMixin,
)
from orders.choices import WebhookEvent
from orders.intake import channels as services
from orders.intake import outbound, tokens
from orders.intake.filters import ChannelFilterSet, WebhookDeliveryFilterSet
from orders.intake.forms import ApiTokenForm, ChannelForm
from orders.intake.models import ApiToken, Channel
from orders.intake.outbound_models import WebhookDelivery
from orders.intake.tables import (
    ChannelTable,
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
            f"{reverse('orders:webhook_list')}?{urlencode({'channel': self.object.pk})}"
            if user.has_perm("orders.view_webhookdelivery")
            else ""
        )
        context["tokens"] = self.object.api_tokens.select_related("created_by")
        context["token_form"] = ApiTokenForm() if context["can_change"] else None
        context["api_docs"] = reverse("api:openapi-view")
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
    """What was sent to channels (webhooks and ship confirmations); one channel's with
    ?channel=<pk> (its page links there)."""

    permission_required = "orders.view_webhookdelivery"
    filterset_class = WebhookDeliveryFilterSet
    table_class = WebhookDeliveryTable
    export_name = "webhook-deliveries"
    title = gettext_lazy("Webhook deliveries")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        # Opened from a channel's page (?channel=<pk>): the title names the channel.
        pk = typed_id(request.GET.get("channel", ""))
        channel = Channel.objects.filter(pk=pk).first() if pk is not None else None
        self.one_channel = channel is not None
        if channel is not None:
            self.title = _("Webhooks of %(channel)s") % {"channel": channel}

    def page_table(self, queryset):
        table = super().page_table(queryset)
        if self.one_channel:  # the title names it; every row would repeat it
            table.columns.hide("channel")
        return table

    def get_queryset(self):
        return WebhookDelivery.objects.select_related("channel").order_by("-created_at", "-id")

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


def _new_token_key(token_pk: int) -> str:
    return f"orders.new_api_token.{token_pk}"


class ChannelTokenCreateView(ObjectActionView):
    """Make an API token for the channel, then show it once on its own page (the session
    holds it until that page has shown it)."""

    permission_required = "orders.change_channel"

    def post(self, request, pk: int):
        channel = Channel.objects.filter(pk=pk).first()
        if channel is None:
            raise Http404
        form = ApiTokenForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
            return HttpResponseRedirect(channel.get_absolute_url())
        try:
            row, token = tokens.token_create(
                actor=request.user,
                channel=channel,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(channel.get_absolute_url())
        request.session[_new_token_key(row.pk)] = token
        messages.success(request, _("Token %(name)s is made: copy it now.") % {"name": row})
        return HttpResponseRedirect(
            reverse("orders:channel_token_detail", args=[channel.pk, row.pk])
        )


class ChannelTokenDetailView(LoginRequiredMixin, RequirePermissionMixin, TemplateView):
    """A new token's page: the token itself the first time, never again."""

    permission_required = "orders.change_channel"
    template_name = "orders/channel_token.html"

    def get(self, request, pk: int, token_pk: int):
        row = ApiToken.objects.select_related("channel").filter(pk=token_pk, channel_id=pk).first()
        if row is None:
            raise Http404
        token = request.session.pop(_new_token_key(row.pk), None)
        response = self.render_to_response({"channel": row.channel, "row": row, "token": token})
        response["Cache-Control"] = "no-store"  # the token is in this page only
        return response


class ChannelTokenRevokeView(ObjectActionView):
    permission_required = "orders.change_channel"

    def perform(self, request, pk: int, token_pk: int):
        row = ApiToken.objects.filter(pk=token_pk, channel_id=pk).first()
        if row is None:
            raise Http404
        tokens.token_revoke(actor=request.user, token=row)
        return _("Token %(name)s is revoked: requests with it are refused.") % {"name": row}

    def get_redirect_url(self, request, pk: int, token_pk: int):
        return Channel.objects.get(pk=pk).get_absolute_url()
