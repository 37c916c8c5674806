"""Resolving returns from the page: rights, another customer's or unknown return, bad input
(nothing written, no 500), a double submit of a refund (one refund), and no refund beyond
what was paid."""

import uuid

import pytest

from aftersales.models import ReturnResolution
from billing.choices import PaymentKind
from billing.models import Payment
from billing.returns import credit_notes_refund, order_credit_returned
from oms.errors import ServiceError
from tests.aftersales.resolutions.conftest import resolutions  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspected(resolutions, run_hooks):  # noqa: F811
    lamp = resolutions.product("100.00")
    order = resolutions.paid_order(run_hooks, (lamp, 2))
    return resolutions.inspected(order, 1)


def url(request):
    return f"/returns/{request.number}/resolve/"


def form(**extra):
    return {"resolution": "refund", "refund_shipping": "", "note": "", **extra}


def test_roles_without_the_right_are_refused_and_nothing_is_written(client_for, inspected):
    for role in ("warehouse", "sales", "logistics", "reviewer", "manager"):
        response = client_for(role).post(url(inspected), form())
        assert response.status_code == 403, role
    assert not ReturnResolution.objects.exists()


def test_an_unknown_or_malformed_return_is_not_found(client_for, inspected):
    client = client_for("customer_service")
    for reference in ("RMA-2026-999999", "999999", "x" * 300, "RMA-'; DROP TABLE x;--", "0"):
        response = client.post(f"/returns/{reference}/resolve/", form())
        assert response.status_code == 404, reference
    assert not ReturnResolution.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (form(resolution="gift"), "Choose refund, exchange or repair"),
        (form(resolution=""), "Choose refund, exchange or repair"),
        (form(refund_shipping="maybe"), "shipping fee"),
    ],
)
def test_bad_input_is_a_message_and_nothing_is_written(client_for, inspected, data, message):
    response = client_for("customer_service").post(url(inspected), data, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ReturnResolution.objects.exists()
    assert not Payment.objects.filter(kind=PaymentKind.REFUND).exists()


def test_a_refund_submitted_twice_pays_back_once(client_for, inspected):
    client = client_for("customer_service")
    data = form(form_token=str(uuid.uuid4()))
    first = client.post(url(inspected), data)
    second = client.post(url(inspected), data)
    assert first.status_code == second.status_code == 302
    assert ReturnResolution.objects.count() == 1
    assert Payment.objects.filter(kind=PaymentKind.REFUND).count() == 1
    # Another form (a reload) is refused with the reason, and pays nothing more.
    third = client.post(url(inspected), form(form_token=str(uuid.uuid4())), follow=True)
    assert "resolved already" in third.content.decode()
    assert Payment.objects.filter(kind=PaymentKind.REFUND).count() == 1


def test_no_refund_beyond_what_was_paid_and_not_yet_refunded(resolutions, run_hooks):  # noqa: F811
    lamp = resolutions.product("100.00")
    order = resolutions.paid_order(run_hooks, (lamp, 1))
    [note] = order_credit_returned(
        actor=None, order=order, quantities={1: 1}, shipping=True, note="all"
    )
    [refund] = credit_notes_refund(actor=None, credit_notes=[note], idempotency_key="a")
    assert -refund.amount == order.total
    with pytest.raises(ServiceError, match="paid back already"):
        credit_notes_refund(actor=None, credit_notes=[note], idempotency_key="b")
    with pytest.raises(ServiceError, match="invoiced and not yet credited"):
        order_credit_returned(actor=None, order=order, quantities={1: 1}, shipping=False, note="x")
