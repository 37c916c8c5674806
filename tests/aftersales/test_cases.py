"""Complaint services: opening, the clock (first response, waiting, resolution), status
changes, escalation once per level, the recall of a lot, and the KPI figures."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from aftersales import case_escalation
from aftersales import case_services as services
from aftersales.case_selectors import case_figures, lot_trace
from aftersales.models import Case, CaseEscalation, CaseEvent
from oms.errors import ServiceError
from oms.models import AuditLog, OutboxMessage
from tests.aftersales.conftest import at
from tests.factories import UserFactory

HOUR = 3600


def test_opening_numbers_the_case_and_sets_its_deadlines(cases, agent):
    customer = cases.customer()
    case = cases.case(
        customer=customer, actor=agent, priority="high", opened_at=at(2026, 11, 27, 17)
    )
    assert re.fullmatch(r"CASE-\d{4}-\d{6}", case.number)
    assert case.response_due_at == at(2026, 11, 30, 12)
    assert case.resolution_due_at == at(2026, 12, 2, 14)
    assert case.sla_due_at == case.response_due_at  # nobody answered yet
    assert case.sla_warn_at == at(2026, 11, 30, 11, 12)
    assert [e.kind for e in case.events.all()] == ["opened"]
    assert AuditLog.objects.filter(action="case.open", object_id=str(case.pk)).exists()


def test_bad_input_is_refused_and_nothing_is_written(cases, agent):
    customer, other = cases.customer(), cases.customer()
    order = cases.order(other, (cases.product(), 1))
    warehouse_user = UserFactory(role="warehouse")
    for kwargs, field in (
        ({"order": order}, "order"),
        ({"category": "nonsense"}, "category"),
        ({"priority": "whenever"}, "priority"),
        ({"subject": "   "}, "subject"),
        ({"assignee": warehouse_user}, "assignee"),
    ):
        with pytest.raises(ValidationError) as error:
            cases.case(customer=customer, actor=agent, **kwargs)
        assert field in error.value.message_dict
    assert not Case.objects.exists()


def test_the_first_staff_note_is_the_first_response(cases, agent):
    case = cases.case(actor=agent, priority="high", opened_at=at(2026, 11, 27, 17))
    services.case_add_note(
        actor=agent, case=case, body="客户说灯不亮", kind="customer", at=at(2026, 11, 30, 9, 30)
    )
    case.refresh_from_db()
    assert case.first_response_at is None  # the customer's words are not our answer
    services.case_add_note(actor=agent, case=case, body="已回复", at=at(2026, 11, 30, 10))
    case.refresh_from_db()
    assert case.first_response_at == at(2026, 11, 30, 10)
    assert case.response_seconds == 2 * HOUR  # Friday 17-18 and Monday 9-10
    assert case.sla_due_at == case.resolution_due_at  # now the resolution counts
    with pytest.raises(ValidationError):
        services.case_add_note(actor=agent, case=case, body="  ")


def test_waiting_for_the_customer_stops_the_clock(cases, agent):
    case = cases.case(actor=agent, priority="high", opened_at=at(2026, 11, 30, 10))
    services.case_add_note(actor=agent, case=case, body="请提供照片", at=at(2026, 11, 30, 10, 30))
    services.case_set_status(actor=agent, case=case, status="waiting", at=at(2026, 11, 30, 11))
    case.refresh_from_db()
    assert (case.sla_due_at, case.sla_warn_at) == (None, None)
    assert case.sla_paused_at == at(2026, 11, 30, 11)
    before = case.resolution_due_at
    # The customer answers the next day at 11:00: nine office hours went by.
    services.case_set_status(actor=agent, case=case, status="open", at=at(2026, 12, 1, 11))
    case.refresh_from_db()
    assert case.paused_seconds == 9 * HOUR
    assert case.sla_paused_at is None
    assert case.resolution_due_at == before + timedelta(days=1)  # 9 office hours = one day
    assert case.sla_due_at == case.resolution_due_at
    services.case_set_status(actor=agent, case=case, status="resolved", at=at(2026, 12, 1, 12))
    case.refresh_from_db()
    # Opened 10:00, resolved the next day 12:00: 11 office hours less 9 waited.
    assert case.resolution_seconds == 2 * HOUR
    assert case.resolved_within_sla is True
    assert case.sla_due_at is None


def test_resolving_late_reopening_and_closing(cases, agent):
    case = cases.case(actor=agent, priority="urgent", opened_at=at(2026, 11, 30, 9))
    services.case_set_status(actor=agent, case=case, status="resolved", at=at(2026, 12, 2, 9))
    case.refresh_from_db()
    assert case.resolved_within_sla is False  # 8 office hours allowed, 18 used
    services.case_set_status(
        actor=agent, case=case, status="open", note="客户说还不亮", at=at(2026, 12, 2, 10)
    )
    case.refresh_from_db()
    assert (case.resolved_at, case.resolved_within_sla) == (None, None)
    assert case.paused_seconds == HOUR  # the hour it stood resolved does not count
    services.case_set_status(actor=agent, case=case, status="closed", at=at(2026, 12, 2, 11))
    case.refresh_from_db()
    assert (case.status, case.closed_at, case.resolved_at) == (
        "closed",
        at(2026, 12, 2, 11),
        at(2026, 12, 2, 11),
    )
    with pytest.raises(ServiceError):
        services.case_set_status(actor=agent, case=case, status="open")
    with pytest.raises(ServiceError):
        services.case_add_note(actor=agent, case=case, body="再补充")
    statuses = [
        (e.from_value, e.to_value) for e in CaseEvent.objects.filter(case=case, kind="status")
    ]
    assert statuses == [("open", "resolved"), ("resolved", "open"), ("open", "closed")]


def test_assigning_only_to_who_works_on_cases(cases, agent, boss):
    case = cases.case(actor=agent)
    services.case_assign(actor=boss, case=case, assignee=agent)
    assert Case.objects.get().assignee == agent
    with pytest.raises(ValidationError):
        services.case_assign(actor=boss, case=case, assignee=UserFactory(role="sales"))
    assert Case.objects.get().assignee == agent


def test_escalation_warns_once_per_level(cases, agent, boss):
    UserFactory(username="team", email="team@example.com", role="customer_service")
    case = cases.case(actor=agent, priority="high", opened_at=at(2026, 11, 30, 9), assignee=agent)
    # 4 h to answer: the warning at 80 % is 12:12, the deadline 13:00.
    assert case_escalation.cases_escalate(now=at(2026, 11, 30, 12)) == 0
    assert case_escalation.cases_escalate(now=at(2026, 11, 30, 12, 15)) == 1
    assert case_escalation.cases_escalate(now=at(2026, 11, 30, 12, 30)) == 0  # once
    assert case_escalation.cases_escalate(now=at(2026, 11, 30, 13, 5)) == 1  # past: once more
    assert case_escalation.cases_escalate(now=at(2026, 11, 30, 17)) == 0
    levels = list(CaseEscalation.objects.values_list("target", "level").order_by("level"))
    assert levels == [("response", 1), ("response", 2)]
    messages = list(
        OutboxMessage.objects.filter(dedupe_key__startswith="case-escalation:").order_by("pk")
    )
    assert len(messages) == 2
    # The assignee and the managers; the rest of the team only when nobody is assigned.
    assert messages[0].recipients == ["agent@example.com", "boss@example.com"]
    assert case.number in messages[1].subject
    # Answered: the resolution clock has its own two levels.
    services.case_add_note(actor=agent, case=case, body="处理中", at=at(2026, 11, 30, 14))
    assert case_escalation.cases_escalate(now=at(2026, 12, 2, 17)) == 1
    assert case_escalation.cases_escalate(now=at(2026, 12, 2, 17)) == 0
    assert CaseEscalation.objects.count() == 3
    assert CaseEvent.objects.filter(case=case, kind="escalation").count() == 3


def test_no_escalation_while_the_clock_stands_or_without_an_assignee_to_the_team(
    cases, agent, boss
):
    waiting = cases.case(actor=agent, priority="urgent", opened_at=at(2026, 11, 30, 9))
    services.case_set_status(
        actor=agent, case=waiting, status="waiting", at=at(2026, 11, 30, 9, 30)
    )
    unassigned = cases.case(actor=agent, priority="urgent", opened_at=at(2026, 11, 30, 9))
    assert case_escalation.cases_escalate(now=at(2026, 12, 5, 9)) == 1
    escalation = CaseEscalation.objects.get()
    assert (escalation.case, escalation.level) == (unassigned, 2)  # straight to missed
    assert escalation.recipients == ["agent@example.com", "boss@example.com"]


def test_recall_opens_one_case_per_customer_once(cases, agent, boss):
    first, second, third = cases.customer(), cases.customer(), cases.customer()
    lamp = cases.product()
    cases.dispatched(first, lot="L-42", product=lamp)
    cases.dispatched(first, lot="L-42", product=lamp)  # two parcels, one customer
    cases.dispatched(second, lot="L-42", product=lamp)
    cases.dispatched(third, lot="L-7", product=lamp)
    # The second customer complained already about the lot.
    own = cases.case(customer=second, actor=agent, lot="L-42")
    assert lot_trace(boss, "L-42").count() == 3
    assert lot_trace(boss, " L-42 ").count() == 3

    result = services.cases_open_for_lot(actor=boss, lot="L-42")
    assert [c.customer for c in result.opened] == [first]
    assert result.already_open == 1
    recall = result.opened[0]
    assert (recall.recall_lot, recall.lot, recall.product) == ("L-42", "L-42", lamp)
    again = services.cases_open_for_lot(actor=boss, lot="L-42")
    assert (again.opened, again.already_open) == ([], 2)
    assert set(Case.objects.all()) == {own, recall}
    with pytest.raises(ServiceError):
        services.cases_open_for_lot(actor=boss, lot="NO-SUCH-LOT")
    with pytest.raises(ValidationError):
        services.cases_open_for_lot(actor=boss, lot="  ")


def test_kpi_share_resolved_within_sla_in_30_days(cases, agent, boss):
    from django.utils import timezone

    now = timezone.now()
    for hours_used, priority in ((1, "urgent"), (2, "urgent"), (200, "urgent")):
        opened = now - timedelta(days=10)
        case = cases.case(actor=agent, priority=priority, opened_at=opened)
        resolved_at = services.sla.add_working_seconds(
            opened,
            hours_used * HOUR,
            services.sla.calendar_for(opened, hours_used * HOUR),
            services.sla.office_day(),
        )
        services.case_set_status(actor=agent, case=case, status="resolved", at=resolved_at)
    old = cases.case(actor=agent, opened_at=now - timedelta(days=60))
    services.case_set_status(actor=agent, case=old, status="resolved", at=now - timedelta(days=59))
    cases.case(actor=agent, priority="urgent", opened_at=now - timedelta(days=5))  # overdue
    cases.case(actor=agent)  # inside its SLA
    figures = case_figures(boss, now=now)
    assert (figures.resolved, figures.resolved_in_time, figures.within_sla_percent) == (3, 2, 67)
    assert (figures.open, figures.overdue) == (2, 1)
