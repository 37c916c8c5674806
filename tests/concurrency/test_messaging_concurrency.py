"""The same customer message and the same calendar day, written at once from several threads,
each with its own connection and real transactions."""

from datetime import date

import pytest
from django.db import transaction

from oms.choices import OutboxStatus
from oms.errors import ServiceError
from oms.messaging import notify
from oms.models import AuditLog, CalendarDay, OutboxMessage
from oms.services import calendar_day_set
from oms.workdays import is_working_day
from tests.concurrency.harness import at_once
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_same_message_from_many_transactions_is_written_once():
    customer = CustomerFactory(email="once@example.com", preferred_channel="email")

    def confirm():
        with transaction.atomic():
            return notify(customer, "order.confirmed", {"order_number": "SO-1"}, key="SO-1")

    results = at_once(confirm)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(1 for r in results if r is not None) == 1
    assert OutboxMessage.objects.get().status == OutboxStatus.PENDING


def test_the_same_day_edited_at_once_is_written_once():
    manager = UserFactory(username="boss", role="manager")

    def day_off():
        return calendar_day_set(actor=manager, day=date(2026, 3, 2), working=False, name="盘点")

    results = at_once(day_off)
    changed = [r for r in results if r is True]
    # One edit wins; the others either saw it done (False) or lost the race with a message.
    assert len(changed) == 1, results
    assert all(r is False or isinstance(r, ServiceError) for r in results if r is not True)
    assert CalendarDay.objects.count() == 1
    assert AuditLog.objects.filter(action="calendar.day_off").count() == 1
    assert not is_working_day(date(2026, 3, 2))
