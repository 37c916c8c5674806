import django_filters
from django.utils.translation import gettext_lazy as _

from oms.filters import SearchFilterSet
from orders.choices import ChannelKind, WebhookEvent, WebhookStatus, WebhookTarget
from orders.intake.models import Channel
from orders.intake.outbound_models import WebhookDelivery


class ChannelFilterSet(SearchFilterSet):
    search_fields = ("name", "code")
    kind = django_filters.MultipleChoiceFilter(label=_("Kind"), choices=ChannelKind.choices)
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Channel
        fields = ["q", "kind", "is_active"]


class WebhookDeliveryFilterSet(SearchFilterSet):
    search_fields = ("reference", "event_key", "last_error")
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=WebhookStatus.choices)
    event = django_filters.MultipleChoiceFilter(label=_("Event"), choices=WebhookEvent.choices)
    target = django_filters.ChoiceFilter(label=_("Target"), choices=WebhookTarget.choices)
    channel = django_filters.ModelChoiceFilter(
        label=_("Channel"), queryset=Channel.objects.order_by("code")
    )

    class Meta:
        model = WebhookDelivery
        fields = ["q", "channel", "status", "event", "target"]
