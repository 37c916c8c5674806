"""The escalation beat job: a case whose current deadline is nearly used or past warns its
assignee (or the customer service team) and the managers by e-mail through the outbox, once
per deadline and level. The deadlines themselves are kept by case_services."""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Case as When_
from django.db.models import CharField, Exists, IntegerField, OuterRef, Value, When
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales import sla
from aftersales.case_services import current_target
from aftersales.models import Case, CaseEscalation, CaseEvent, CaseEventKind, EscalationLevel
from oms.services import outbox_enqueue, role_emails

logger = logging.getLogger(__name__)


def _escalation_recipients(case: Case) -> list[str]:
    """The assignee (or, for a case nobody took yet, the customer service team) and the
    managers."""
    assignee = case.assignee
    own = [assignee.email] if assignee is not None and assignee.email else []
    team = [] if own else role_emails("customer_service")
    return sorted(set(own + team + role_emails("manager")))


def _due_escalations(now: datetime):
    """Cases whose current deadline reached its warning or passed, without an escalation of
    that deadline at that level (or a higher one) yet: one query."""
    target = When_(
        When(first_response_at__isnull=True, then=Value(sla.RESPONSE)),
        default=Value(sla.RESOLUTION),
        output_field=CharField(),
    )
    level = When_(
        When(sla_due_at__lte=now, then=Value(EscalationLevel.BREACH)),
        default=Value(EscalationLevel.WARNING),
        output_field=IntegerField(),
    )
    done = CaseEscalation.objects.filter(
        case=OuterRef("pk"), target=OuterRef("due_target"), level__gte=OuterRef("due_level")
    )
    return (
        Case.objects.filter(sla_warn_at__lte=now)
        .annotate(due_target=target, due_level=level)
        .exclude(Exists(done))
        .order_by("sla_due_at", "pk")
    )


def cases_escalate(*, now: datetime | None = None) -> int:
    """The beat job: warn the assignee and the managers once when a case's current deadline
    is `OMS_CASE_ESCALATE_PERCENT` used, and once more when it is past. Returns the number of
    escalations sent. The (case, deadline, level) key is inserted under the case's lock, so
    overlapping runs send each level once."""
    now = now or timezone.now()
    sent = 0
    for pk in list(_due_escalations(now).values_list("pk", flat=True)):
        try:
            sent += _escalate(pk, now)
        except Exception:  # one broken case must not stop the others' warnings
            logger.exception("escalating case %s failed", pk)
    return sent


def _escalate(pk: int, now: datetime) -> int:
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("customer", "assignee")
            .get(pk=pk)
        )
        due = case.sla_due_at
        if due is None or case.sla_warn_at is None or case.sla_warn_at > now:
            return 0
        target = current_target(case)
        level = EscalationLevel.BREACH if due <= now else EscalationLevel.WARNING
        if CaseEscalation.objects.filter(case=case, target=target, level__gte=level).exists():
            return 0
        recipients = _escalation_recipients(case)
        CaseEscalation.objects.create(
            case=case,
            target=target,
            level=level,
            due_at=due,
            recipients=recipients,
            created_at=now,
        )
        CaseEvent.objects.create(
            case=case,
            kind=CaseEventKind.ESCALATION,
            from_value=target,
            to_value=str(int(level)),
            created_at=now,
        )
        if recipients:
            subject, body, html_body = _escalation_message(case, target, level)
            outbox_enqueue(
                dedupe_key=f"case-escalation:{case.pk}:{target}:{int(level)}",
                recipients=recipients,
                subject=subject,
                body=body,
                html_body=html_body,
            )
    return 1


def _back_office_url(path: str) -> str:
    """An absolute link for an e-mail a worker sends (no request to ask for the host)."""
    base = settings.OMS_PUBLIC_URL.rstrip("/") or f"http://{settings.OMS_BIND}"
    return base + path


def _escalation_message(case: Case, target: str, level: int) -> tuple[str, str, str]:
    """The staff e-mail in the installation's language; what customers typed is escaped in
    the HTML part by the template."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "case": case,
            "target": target,
            "breach": level == EscalationLevel.BREACH,
            "percent": settings.OMS_CASE_ESCALATE_PERCENT,
            "url": _back_office_url(case.get_absolute_url()),
            "company": settings.OMS_COMPANY_NAME,
        }
        if level == EscalationLevel.BREACH:
            subject = _("%(case)s missed its SLA: %(subject)s")
        else:
            subject = _("%(case)s has used %(percent)s %% of its SLA: %(subject)s")
        subject = subject % {
            "case": case.number,
            "subject": case.subject,
            "percent": settings.OMS_CASE_ESCALATE_PERCENT,
        }
        body = render_to_string("aftersales/email/case_escalation.txt", context)
        html_body = render_to_string("aftersales/email/case_escalation.html", context)
    return subject, body, html_body
