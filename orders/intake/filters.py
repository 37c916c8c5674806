import django_filters
from django.utils.translation import gettext_lazy as _

from oms.filters import SearchFilterSet
from orders.choices import ChannelKind
from orders.intake.models import Channel


class ChannelFilterSet(SearchFilterSet):
    search_fields = ("name", "code")
    kind = django_filters.MultipleChoiceFilter(label=_("Kind"), choices=ChannelKind.choices)
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Channel
        fields = ["q", "kind", "is_active"]
