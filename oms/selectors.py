from django.db.models import QuerySet

from oms.models import AuditLog


def audit_log() -> QuerySet[AuditLog]:
    return AuditLog.objects.select_related("actor")
