from typing import TypeVar

from django.db.models import F, IntegerField, Model, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from oms.models import AuditLog

M = TypeVar("M", bound=Model)


def audit_log() -> QuerySet[AuditLog]:
    return AuditLog.objects.select_related("actor")


def differs_from_sum(
    parents: QuerySet[M],
    children: QuerySet,
    *,
    link: str,
    amount: str,
    field: str,
    total_name: str,
) -> QuerySet[M]:
    """Rows whose `field` is not the sum of their children's `amount` (the stock ledger against
    on_hand, allocations against reserved); the sum is annotated as `total_name`."""
    total = (
        children.filter(**{link: OuterRef("pk")}).values(link).annotate(t=Sum(amount)).values("t")
    )
    return parents.annotate(
        **{total_name: Coalesce(Subquery(total, output_field=IntegerField()), 0)}
    ).exclude(**{field: F(total_name)})
