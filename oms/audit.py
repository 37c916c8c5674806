"""The audit-log page: FilterSet and Table, and the wording of what an audit row stores.

Rows keep codes (the action "customer.update", field names, stored values such as a choice's
key or a decimal string). The page and its CSV export word them in the reader's language:
the action through the label its app registered (`register_audit_actions`), each field
through its model's verbose_name, and each value through the field's choices, money, number
and date formats, yes/no; related objects were stored as their text.
"""

from collections.abc import Callable, Mapping
from typing import Any

import django_filters
import django_tables2 as tables
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field, Model
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from oms.exports import INTEGER_TYPES
from oms.filters import SearchFilterSet
from oms.models import AuditLog
from oms.registry import audit_action_choices, audited_model_choices, registry
from oms.tables import BaseTable, DateTimeColumn
from oms.texts import (
    audit_action_label,
    date_text,
    datetime_text,
    labelled,
    list_text,
    money_text,
    number_text,
)

NUMBER_TYPES = INTEGER_TYPES | {"DecimalField", "FloatField"}
EMPTY = "—"


class AuditLogFilterSet(SearchFilterSet):
    search_fields = ("object_repr", "action", "actor__username")

    object_type = django_filters.ChoiceFilter(
        label=gettext_lazy("Object type"),
        choices=audited_model_choices,  # registered by the apps
    )
    action = django_filters.ChoiceFilter(
        label=gettext_lazy("Action"),
        choices=audit_action_choices,  # labels registered by the apps
    )

    class Meta:
        model = AuditLog
        fields = ["q", "object_type", "action"]


class AuditLogTable(BaseTable):
    created_at = DateTimeColumn(attrs={"td": {"class": "text-nowrap"}})
    actor = tables.Column(accessor="actor__username", verbose_name=gettext_lazy("By"))
    action = tables.Column(attrs={"td": {"class": "text-nowrap"}})
    object_repr = tables.Column()
    changes = tables.Column(orderable=False)

    class Meta(BaseTable.Meta):
        model = AuditLog
        fields = ("created_at", "actor", "action", "object_repr", "changes")

    def render_action(self, value):
        return audit_action_label(value)

    def value_action(self, value):
        return audit_action_label(value)

    def render_changes(self, value, record):
        return changes_text(record.object_type, value)

    def value_changes(self, value, record):
        return changes_text(record.object_type, value)


def changes_text(
    object_type: str, changes: Mapping[str, Any] | None, *, labels: Mapping[str, Any] | None = None
) -> str:
    """An audit row's changes as one line of plain text in the current language (the page
    escapes it; the CSV export writes it as it is)."""
    return pgettext("list separator", "; ").join(
        labelled(label, text) for label, text in change_rows(object_type, changes, labels=labels)
    )


def change_rows(
    object_type: str, changes: Mapping[str, Any] | None, *, labels: Mapping[str, Any] | None = None
) -> list[tuple[str, str]]:
    """(field label, "old → new" or the value) for each change of an audit row.

    A change is [old, new], or the value alone when the row was created. Keys that are not
    fields of the model are worded by `labels`, or else shown as they are (a price list's
    SKUs), after the fields.
    """
    model = _model(object_type)
    money = registry.audited_money_fields.get(object_type, frozenset())
    other_values = registry.audited_other_values.get(object_type)
    # Stored JSON (jsonb) keeps no key order: fields are listed in the model's order.
    order = {f.name: i for i, f in enumerate(model._meta.fields)} if model is not None else {}
    rows = []
    for name, value in sorted((changes or {}).items(), key=lambda c: order.get(c[0], len(order))):
        field = _field(model, name)
        if field is not None:
            label = capfirst(str(field.verbose_name))
        else:
            label = str((labels or {}).get(name, name))
        other = other_values if field is None else None
        if _is_pair(field, value):
            text = _("%(before)s → %(after)s") % {
                "before": value_text(field, value[0], money=name in money, other=other),
                "after": value_text(field, value[1], money=name in money, other=other),
            }
        else:
            text = value_text(field, value, money=name in money, other=other)
        rows.append((label, text))
    return rows


def value_text(
    field: Field | None,
    value: Any,
    *,
    money: bool = False,
    other: Callable[[Any], str] | None = None,
) -> str:
    """A value as the audit row stored it (JSON), worded for the reader; `other` words the
    value of a key that is not a field (oms.registry.register_audited_model)."""
    if value is None or value == "" or value == []:
        return EMPTY
    if field is None:
        return other(value) if other is not None else list_text(value)
    if field.choices:
        labels = {str(key): label for key, label in field.flatchoices}
        if isinstance(value, list):
            return list_text([str(labels.get(str(v), v)) for v in value])
        return str(labels.get(str(value), value))
    kind = field.get_internal_type()
    if kind == "BooleanField":
        return str(_("Yes") if value in (True, "True", "true") else _("No"))
    if money:
        return money_text(value)
    if kind in NUMBER_TYPES:
        return number_text(value)
    if kind == "DateField":
        return date_text(value)
    if kind == "DateTimeField":
        return datetime_text(value)
    return list_text(value)


def _is_pair(field: Field | None, value: Any) -> bool:
    if not isinstance(value, list) or len(value) != 2:
        return False
    if field is not None and field.get_internal_type() == "ArrayField":
        return all(isinstance(v, list) for v in value)  # a list field's value is a list
    return True


def _model(object_type: str) -> type[Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model: type[Model] | None, name: str) -> Field | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, Field) else None
