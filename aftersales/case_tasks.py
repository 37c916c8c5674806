"""Complaint jobs. Imported by case_registrations, so workers know the task without an
aftersales/tasks.py (Celery's autodiscovery looks only there)."""

from aftersales import case_escalation
from oms.tasks import retrying_task


@retrying_task(time_limit=600, soft_time_limit=540)
def escalate_cases() -> int:
    """The beat job: warn about cases near or past their SLA, once per level."""
    return case_escalation.cases_escalate()
