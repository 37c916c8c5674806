"""How inventory tells the apps above it that something happened, without importing them.

A higher layer registers a callable in its AppConfig.ready(); inventory services call the
hooks inside their transaction, and the callables decide what to defer to commit.
"""

from collections.abc import Callable

# Called with (product_ids) after stock became available (receipt, transfer in, adjustment up).
stock_arrived: list[Callable[[set[int]], None]] = []
# Called with (work_order) when a work order is done and its goods are in stock. The work
# order and stock rows are locked: defer anything that locks rows of a higher app to commit.
work_order_done: list[Callable[[object], None]] = []
# Called with (work_order) after it moved to its next stage (production, quality check, done),
# before a finished work order's goods are received: only the work order row is locked.
work_order_advanced: list[Callable[[object], None]] = []


def notify_stock_arrived(product_ids: set[int]) -> None:
    for callback in stock_arrived:
        callback(product_ids)


def notify_work_order_done(work_order) -> None:
    for callback in work_order_done:
        callback(work_order)


def notify_work_order_advanced(work_order) -> None:
    for callback in work_order_advanced:
        callback(work_order)
