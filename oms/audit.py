"""The audit-log page: FilterSet and Table."""

import django_filters
import django_tables2 as tables
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from oms.filters import SearchFilterSet
from oms.models import AuditLog
from oms.registry import audited_model_choices
from oms.tables import BaseTable, DateTimeColumn


class AuditLogFilterSet(SearchFilterSet):
    search_fields = ("object_repr", "action", "actor__username")

    object_type = django_filters.ChoiceFilter(
        label=_("Object type"),
        choices=audited_model_choices,  # registered by the apps
    )

    class Meta:
        model = AuditLog
        fields = ["q", "object_type"]


class AuditLogTable(BaseTable):
    created_at = DateTimeColumn()
    actor = tables.Column(accessor="actor__username", verbose_name=_("By"))
    action = tables.Column()
    object_repr = tables.Column()
    changes = tables.Column(orderable=False)

    class Meta(BaseTable.Meta):
        model = AuditLog
        fields = ("created_at", "actor", "action", "object_repr", "changes")

    def render_changes(self, value):
        return format_html_join(
            ", ", "<code>{}</code>: {}", ((k, _change_text(v)) for k, v in value.items())
        )

    def value_changes(self, value):
        return ", ".join(f"{k}: {_change_text(v)}" for k, v in value.items())


def _change_text(value) -> str:
    return f"{value[0]} → {value[1]}" if isinstance(value, list) and len(value) == 2 else str(value)
