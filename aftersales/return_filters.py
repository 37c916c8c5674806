import django_filters
from django.utils.translation import gettext_lazy as _

from aftersales.models import ReturnRequest
from aftersales.return_choices import ReturnReason, ReturnSource, ReturnStatus, WantedResolution
from oms.filters import SearchFilterSet, date_from_filter, date_until_filter


class ReturnFilterSet(SearchFilterSet):
    search_fields = ("number", "order__number", "customer__name", "customer__code")

    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=ReturnStatus.choices)
    reason = django_filters.MultipleChoiceFilter(label=_("Reason"), choices=ReturnReason.choices)
    resolution = django_filters.MultipleChoiceFilter(
        label=_("Wanted resolution"), choices=WantedResolution.choices
    )
    resolved_as = django_filters.MultipleChoiceFilter(
        label=_("Resolved as"),
        field_name="resolution_record__kind",
        choices=WantedResolution.choices,
    )
    source = django_filters.ChoiceFilter(label=_("Source"), choices=ReturnSource.choices)
    customer = django_filters.NumberFilter(
        label=_("Customer"), field_name="customer_id", min_value=1, max_value=2**31 - 1
    )
    requested_from = date_from_filter(_("Requested from"))
    requested_until = date_until_filter(_("Requested until"))

    class Meta:
        model = ReturnRequest
        fields = [
            "q",
            "status",
            "reason",
            "resolution",
            "resolved_as",
            "source",
            "customer",
            "requested_from",
            "requested_until",
        ]
