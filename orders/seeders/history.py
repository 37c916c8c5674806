"""Demo history: the services stamp rows with the present; here everything a story's steps
wrote (the order's timestamps, events, approvals, allocations, work orders, ledger rows) moves
to the steps' moments in bulk UPDATEs, keeping their order and spacing, and order and
work-order numbers take the year of their moment."""

from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from inventory.models import StockMovement, WorkOrder
from inventory.seeders import ledger_backdate
from oms.demo import backdate, rename
from oms.models import AuditLog
from orders.models import Allocation, Approval, Order, OrderEvent, OrderLine
from orders.seeders.desk import Story


def move_into_the_past(stories: list[Story]) -> None:
    """Move everything the stories' steps wrote to the steps' moments, in bulk UPDATEs."""
    by_order = {story.order_id: story for story in stories if story.order_id and story.steps}
    if not by_order:
        return
    ids = list(by_order)

    def shifted(rows) -> dict[int, datetime]:
        """{pk: moment} from rows of (pk, order id, real time)."""
        return {pk: by_order[order_id].shift(real) for pk, order_id, real in rows if real}

    renames: dict[str, str] = {}
    with transaction.atomic():
        columns = ("created_at", "updated_at", "confirmed_at", "picking_started_at")
        orders = list(Order.objects.filter(pk__in=ids).values_list("pk", "number", *columns))
        for index, column in enumerate(columns, start=2):
            backdate(Order, column, shifted((row[0], row[0], row[index]) for row in orders))
        for pk, number, created, *_ in orders:
            renames[number] = with_year(number, by_order[pk].shift(created))
        backdate(
            OrderEvent,
            "created_at",
            shifted(
                OrderEvent.objects.filter(order_id__in=ids).values_list("pk", "order", "created_at")
            ),
        )
        for column in ("created_at", "decided_at"):
            rows = Approval.objects.filter(order_id__in=ids).values_list("pk", "order", column)
            backdate(Approval, column, shifted(rows))
        rows = Allocation.objects.filter(line__order_id__in=ids).values_list(
            "pk", "line__order", "created_at"
        )
        backdate(Allocation, "created_at", shifted(rows))

        # Work orders of made-to-order lines, their audit rows, and their numbers' years.
        line_orders = dict(
            OrderLine.objects.filter(order_id__in=ids, made_to_order=True).values_list(
                "pk", "order_id"
            )
        )
        work_orders = list(
            WorkOrder.objects.filter(order_line_id__in=line_orders).values_list(
                "pk", "order_line_id", "created_at", "done_at", "number"
            )
        )
        wo_order = {pk: line_orders[line] for pk, line, *_ in work_orders}
        for index, column in ((2, "created_at"), (3, "done_at")):
            rows = [(row[0], wo_order[row[0]], row[index]) for row in work_orders]
            backdate(WorkOrder, column, shifted(rows))
        wo_renames = {}
        for pk, _line, created, _done, number in work_orders:
            wo_renames[number] = with_year(number, by_order[wo_order[pk]].shift(created))
        audit = AuditLog.objects.filter(
            object_type="inventory.workorder", object_id__in=[str(pk) for pk in wo_order]
        ).values_list("pk", "object_id", "created_at")
        backdate(
            AuditLog,
            "created_at",
            shifted((pk, wo_order[int(obj)], real) for pk, obj, real in audit),
        )
        renames.update(wo_renames)
        renames = {old: new for old, new in renames.items() if old != new}
        rename(Order, "number", renames)
        rename(WorkOrder, "number", renames)
        rename(WorkOrder, "reference", renames)
        rename(AuditLog, "object_repr", {k: v for k, v in renames.items() if k in wo_renames})
        # Events quote their work orders' numbers in the note, the message and the details.
        wo_events = [
            (wo_order[pk], number, renames[number])
            for pk, *_, number in work_orders
            if number in renames
        ]
        if wo_events:
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE orders_orderevent AS e SET note = replace(e.note, v.old, v.new), "
                    "message = replace(e.message::text, v.old, v.new)::jsonb, "
                    "data = replace(e.data::text, v.old, v.new)::jsonb "
                    "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(order_id, old, new) "
                    "WHERE e.order_id = v.order_id",
                    [list(column) for column in zip(*wo_events, strict=True)],
                )

    owner = {pk: story for story in by_order.values() for pk in story.movements}
    rows = StockMovement.objects.filter(pk__in=owner).values_list("pk", "created_at")
    ledger_backdate({pk: owner[pk].shift(real) for pk, real in rows}, renames)


def with_year(number: str, moment: datetime) -> str:
    """SO-2026-000123 becomes SO-2025-000123 for a moment in 2025 (numbers carry the year)."""
    prefix, year, rest = number.split("-", 2)
    if not year.isdigit():
        return number
    return f"{prefix}-{timezone.localtime(moment).year}-{rest}"
