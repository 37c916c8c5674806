"""The escalation beat job run by a real Celery worker process: the warning reaches the
assignee and the managers by e-mail once, however often the job runs."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from aftersales.case_tasks import escalate_cases
from aftersales.models import CaseEscalation
from oms.choices import OutboxStatus
from oms.models import OutboxMessage
from oms.roles import sync_role_groups
from tests.aftersales.conftest import Cases
from tests.factories import UserFactory
from tests.oms.test_outbox_worker import (  # noqa: F401 - fixture
    celery_worker_process,
    sent_mail,
    task_outcome,
    wait_for,
)


@pytest.mark.django_db(transaction=True)
def test_the_worker_escalates_a_late_case_once(celery_worker_process, tmp_path):  # noqa: F811
    mail_dir = celery_worker_process
    log = tmp_path / "worker.log"
    sync_role_groups(Group, Permission)
    agent = UserFactory(username="agent", email="agent@example.com", role="customer_service")
    UserFactory(username="boss", email="boss@example.com", role="manager")
    cases = Cases()
    case = cases.case(
        actor=agent,
        priority="urgent",
        subject="灯具频闪",
        assignee=agent,
        opened_at=timezone.now() - timedelta(days=10),
    )

    first = escalate_cases.delay()
    assert wait_for(lambda: task_outcome(log, first.id)), log.read_text()[-3000:]
    assert task_outcome(log, first.id).endswith(": 1")
    assert wait_for(lambda: OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 1), (
        log.read_text()[-3000:]
    )
    mail = sent_mail(mail_dir)
    assert "agent@example.com" in mail
    assert "boss@example.com" in mail
    assert case.number in mail

    again = escalate_cases.delay()
    assert wait_for(lambda: task_outcome(log, again.id)), log.read_text()[-3000:]
    assert task_outcome(log, again.id).endswith(": 0")
    assert CaseEscalation.objects.count() == 1
    assert OutboxMessage.objects.count() == 1
    assert len(list(mail_dir.glob("*.log"))) == 1
