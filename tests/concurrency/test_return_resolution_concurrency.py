"""Refunds and resolutions of returns under contention, each thread with its own connection
and transaction: two refunds of one credit note at once (one wins, the other is told), the
same key from many threads (one refund, everyone gets it), two resolutions of one return at
once (one resolution, one refund)."""

from contextlib import nullcontext
from decimal import Decimal

import pytest

from aftersales.models import ReturnResolution
from aftersales.resolutions import return_resolve
from billing.choices import PaymentKind
from billing.models import Payment
from billing.returns import credit_notes_refund, order_credit_returned
from oms.celery import app as celery_app
from oms.errors import ServiceError
from tests.aftersales.resolutions.conftest import Resolutions
from tests.concurrency.test_order_concurrency import race
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def eager():
    """Billing's task runs in this process when its order's transaction commits."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    try:
        yield lambda: nullcontext()
    finally:
        celery_app.conf.task_always_eager = False
        celery_app.conf.task_eager_propagates = False


def credit_note(eager):
    world = Resolutions()
    lamp = world.product("100.00")
    order = world.paid_order(eager, (lamp, 2))
    [note] = order_credit_returned(
        actor=None, order=order, quantities={1: 1}, shipping=False, note="RMA"
    )
    return note


def refunds():
    return list(Payment.objects.filter(kind=PaymentKind.REFUND))


def test_two_refunds_of_one_credit_note_at_once_pay_it_back_once(eager):
    note = credit_note(eager)
    answers = []
    errors = race(
        lambda key: answers.append(
            credit_notes_refund(actor=None, credit_notes=[note], idempotency_key=key)
        ),
        ["first-click", "other-desk"],
        threads=2,
    )
    assert len(refunds()) == 1
    assert len(answers) == 1
    assert len(errors) == 1
    assert isinstance(errors[0], ServiceError)
    assert "paid back already" in str(errors[0])
    assert -refunds()[0].amount == note.total


def test_the_same_refund_key_from_many_threads_pays_once_and_answers_everyone(eager):
    note = credit_note(eager)
    answers = []
    errors = race(
        lambda _n: answers.append(
            [
                r.pk
                for r in credit_notes_refund(
                    actor=None, credit_notes=[note], idempotency_key="double-click"
                )
            ]
        ),
        list(range(6)),
        threads=6,
    )
    assert errors == []
    [refund] = refunds()
    assert answers == [[refund.pk]] * 6


def test_two_resolutions_of_one_return_at_once_resolve_and_refund_once(eager):
    world = Resolutions()
    lamp = world.product("100.00")
    order = world.paid_order(eager, (lamp, 2))
    request = world.inspected(order, 1)
    agents = [UserFactory(username=f"agent{n}", role="customer_service") for n in range(2)]
    errors = race(
        lambda agent: return_resolve(
            actor=agent,
            return_request=request,
            resolution="refund",
            refund_shipping=None,
            note="",
            submission_key=f"form-{agent.username}",
        ),
        agents,
        threads=2,
    )
    assert ReturnResolution.objects.count() == 1
    [refund] = refunds()
    assert refund.amount < Decimal(0)
    assert len(errors) == 1
    assert "resolved already" in str(errors[0])
