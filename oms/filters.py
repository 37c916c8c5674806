from functools import reduce
from operator import or_

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oms.forms import BootstrapFormMixin, date_input


class SearchFilterSet(django_filters.FilterSet):
    """A FilterSet with a free-text `q` over `search_fields` (case-insensitive contains)."""

    search_fields: tuple[str, ...] = ()

    q = django_filters.CharFilter(label=_("Search"), method="search")

    def get_form_class(self):
        return type(
            f"{type(self).__name__}Form", (BootstrapFormMixin, super().get_form_class()), {}
        )

    def search(self, queryset, name, value):
        value = value.strip()
        if not value or not self.search_fields:
            return queryset
        return queryset.filter(
            reduce(or_, (Q(**{f"{f}__icontains": value}) for f in self.search_fields))
        )


def date_from_filter(label, field_name: str = "created_at") -> django_filters.DateFilter:
    """The lower end of a date range over a timestamp: from the start of that day."""
    return django_filters.DateFilter(
        label=label, field_name=field_name, lookup_expr="date__gte", widget=date_input()
    )


def date_until_filter(label, field_name: str = "created_at") -> django_filters.DateFilter:
    """The upper end of a date range over a timestamp: up to the end of that day."""
    return django_filters.DateFilter(
        label=label, field_name=field_name, lookup_expr="date__lte", widget=date_input()
    )
