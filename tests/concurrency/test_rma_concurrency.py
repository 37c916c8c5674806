"""Returns under real concurrency, each side in its own thread and connection: two requests
for the same delivered goods never return more than was delivered (the order row's lock),
and restocking a line twice at once writes one ledger row."""

import pytest

from aftersales import return_inspection
from aftersales import return_services as rs
from aftersales.models import ReturnLine, ReturnRequest
from inventory.models import StockMovement
from inventory.selectors import ledger_drift
from tests.aftersales.conftest import Returns
from tests.concurrency.harness import race

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 3


def test_two_requests_at_once_cannot_over_return():
    returns = Returns()
    lamp = returns.product()
    for _round in range(ROUNDS):
        order = returns.delivered_order((lamp, 3))
        lines = returns.lines_of(order, 2)
        first, second = race(
            *[
                lambda order=order, lines=lines: rs.return_request_create(
                    actor=None, order=order, lines=lines, reason="defective", resolution="refund"
                )
                for _side in range(2)
            ]
        )
        made = [r for r in (first, second) if isinstance(r, ReturnRequest)]
        refused = [r for r in (first, second) if not isinstance(r, ReturnRequest)]
        assert len(made) == 1, (first, second)
        assert "only 1 can be returned" in str(refused[0])
        held = sum(
            ReturnLine.objects.filter(request__order=order).values_list("quantity", flat=True)
        )
        assert held == 2


def test_restocking_a_line_twice_at_once_writes_one_ledger_row():
    returns = Returns()
    lamp = returns.product()
    for _round in range(ROUNDS):
        order = returns.delivered_order((lamp, 2))
        request = returns.received(order, 2)
        line = request.lines.get()
        first, second = race(
            lambda line=line: return_inspection.return_inspect_line(
                actor=None, line=line, disposition="restock"
            ),
            lambda line=line: return_inspection.return_inspect_line(
                actor=None, line=line, disposition="restock"
            ),
        )
        assert not isinstance(first, Exception), first
        assert not isinstance(second, Exception), second
        assert sorted([first[1], second[1]]) == [False, True]
        moves = StockMovement.objects.filter(kind="return", reference=request.number)
        assert list(moves.values_list("quantity", flat=True)) == [2]
        request.refresh_from_db()
        assert request.status == "inspected"
        assert request.events.filter(kind="inspected", to_status="inspected").count() == 1
    assert list(ledger_drift()) == []
