from collections.abc import Sequence
from typing import Any, TypeVar

from django.db.models import F, IntegerField, Model, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from oms.models import AuditLog, FileJob, MessageTemplate

M = TypeVar("M", bound=Model)


def audit_log() -> QuerySet[AuditLog]:
    return AuditLog.objects.select_related("actor")


def differs_from_sum(
    parents: QuerySet[M],
    children: QuerySet | Sequence[QuerySet],
    *,
    link: str,
    amount: str,
    field: str,
    total_name: str,
) -> QuerySet[M]:
    """Rows whose `field` is not the sum of their children's `amount` (the stock ledger against
    on_hand, allocations and work orders' component reservations against reserved); several
    kinds of children, all with `link` and `amount`, are added up. The sum is annotated as
    `total_name`."""
    kinds = [children] if isinstance(children, QuerySet) else list(children)
    sums = [
        Coalesce(
            Subquery(
                kind.filter(**{link: OuterRef("pk")})
                .values(link)
                .annotate(t=Sum(amount))
                .values("t"),
                output_field=IntegerField(),
            ),
            0,
        )
        for kind in kinds
    ]
    total: Any = sums[0]
    for more in sums[1:]:
        total = total + more
    return parents.annotate(**{total_name: total}).exclude(**{field: F(total_name)})


def file_job_for(user, pk) -> FileJob | None:
    """An export the user may see: their own, or anybody's for an administrator."""
    jobs = FileJob.objects.all()
    if not (user.is_superuser or user.has_perm("oms.view_filejob")):
        jobs = jobs.filter(user=user)
    return jobs.filter(pk=pk).first()


def message_templates() -> QuerySet[MessageTemplate]:
    return MessageTemplate.objects.select_related("updated_by")
