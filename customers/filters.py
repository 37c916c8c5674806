import django_filters
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from customers.choices import CustomerGroup, CustomerKind, CustomerTier, PaymentTerms, RfmSegment
from customers.models import Customer
from oms.filters import SearchFilterSet
from oms.regions import REGION_CHOICES


class CustomerFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "contact_person", "phone", "email")

    kind = django_filters.ChoiceFilter(label=_("Type"), choices=CustomerKind.choices)
    group = django_filters.MultipleChoiceFilter(label=_("Group"), choices=CustomerGroup.choices)
    tier = django_filters.MultipleChoiceFilter(label=_("Tier"), choices=CustomerTier.choices)
    rfm_segment = django_filters.MultipleChoiceFilter(
        label=_("Segment"), choices=RfmSegment.choices
    )
    region = django_filters.MultipleChoiceFilter(label=_("Region"), choices=REGION_CHOICES)
    payment_terms = django_filters.ChoiceFilter(
        label=_("Payment terms"), choices=PaymentTerms.choices
    )
    salesperson = django_filters.ModelChoiceFilter(
        label=_("Salesperson"),
        queryset=get_user_model().objects.filter(groups__name="sales").order_by("username"),
    )
    tag = django_filters.CharFilter(
        label=_("Tag"), field_name="tags", lookup_expr="contains", method="by_tag"
    )
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Customer
        fields = [
            "q",
            "kind",
            "group",
            "tier",
            "rfm_segment",
            "region",
            "payment_terms",
            "salesperson",
            "tag",
            "is_active",
        ]

    def by_tag(self, queryset, name, value):
        return queryset.filter(tags__contains=[value.strip()]) if value.strip() else queryset
