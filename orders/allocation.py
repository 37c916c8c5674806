"""Reserve stock for order lines in the warehouses nearest to the delivery address.

Stock rows are locked in primary-key order (one SELECT ... FOR UPDATE for every product of
the order, in the active warehouses that orders.reference caches), reserved with a conditional UPDATE, and the CHECK constraints on StockLevel stay
the last guard. Allocation rows and StockLevel.reserved change in the same transaction.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone

from inventory.models import StockLevel, Warehouse
from inventory.work_orders import work_order_create
from oms.regions import great_circle_km, region_coordinates
from orders.models import Allocation, Order, OrderLine
from orders.reference import active_warehouses


class Level(NamedTuple):
    """A locked stock row, as allocation reads it."""

    pk: int
    product_id: int
    warehouse_id: int
    on_hand: int
    reserved: int


class AllocationConflict(RuntimeError):
    """A conditional reservation found less free stock than the locked row showed (a bug)."""


@dataclass
class AllocationResult:
    allocated: dict[int, int] = field(default_factory=dict)  # line id -> units reserved now
    short: dict[int, int] = field(default_factory=dict)  # line id -> units still missing
    work_orders: list[str] = field(default_factory=list)
    in_production: bool = False

    @property
    def complete(self) -> bool:
        return not self.short and not self.in_production


def delivery_point(order: Order) -> tuple[float, float] | None:
    if order.ship_latitude is not None and order.ship_longitude is not None:
        return float(order.ship_latitude), float(order.ship_longitude)
    return region_coordinates(order.ship_region)


def warehouse_rank(order: Order):
    """Sort key for warehouses: nearest first; without any coordinates, same region first."""
    point = delivery_point(order)

    def key(warehouse: Warehouse):
        if point is None:
            return (warehouse.region != order.ship_region, 0.0, warehouse.pk)
        distance = great_circle_km(point, (float(warehouse.latitude), float(warehouse.longitude)))
        return (False, distance, warehouse.pk)

    return key


def allocated_by_line(lines: list[OrderLine]) -> dict[int, int]:
    """Units each line holds: reserved or issued, less issued goods that came back."""
    rows = (
        Allocation.objects.filter(line__in=lines, returned_at__isnull=True)
        .values("line_id")
        .annotate(total=Sum("quantity"))
    )
    return {row["line_id"]: row["total"] for row in rows}


def reserve_many(quantities: dict[int, int]) -> None:
    """Reserve on several locked stock rows in one conditional UPDATE."""
    if not quantities:
        return
    if len(quantities) == 1:
        [(level_id, quantity)] = quantities.items()
        _reserve(level_id, quantity)
        return
    ids, amounts = zip(*sorted(quantities.items()), strict=True)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE inventory_stocklevel AS s SET reserved = s.reserved + v.quantity
            FROM unnest(%s::bigint[], %s::integer[]) AS v(id, quantity)
            WHERE s.id = v.id AND s.on_hand >= s.reserved + v.quantity
            """,
            [list(ids), list(amounts)],
        )
        if cursor.rowcount != len(ids):
            raise AllocationConflict(f"stock levels {ids} cannot reserve {amounts}")


def _reserve(level_id: int, quantity: int) -> None:
    updated = StockLevel.objects.filter(pk=level_id, on_hand__gte=F("reserved") + quantity).update(
        reserved=F("reserved") + quantity
    )
    if not updated:
        raise AllocationConflict(f"stock level {level_id} cannot reserve {quantity}")


def reserve_for_lines(taken: dict[tuple[int, int], int]) -> None:
    """Reserve units on locked stock rows for order lines, keyed by (line id, stock level id):
    one statement raises StockLevel.reserved (conditionally, as reserve_many does) and adds
    the units to the lines' Allocation rows, creating those that are missing."""
    if not taken:
        return
    line_ids = [line_id for line_id, _level_id in taken]
    level_ids = [level_id for _line_id, level_id in taken]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH wanted AS (
                SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::integer[])
                    AS w(line_id, stock_level_id, quantity)
            ), reserved AS (
                UPDATE inventory_stocklevel AS s SET reserved = s.reserved + t.quantity
                FROM (
                    SELECT stock_level_id, sum(quantity) AS quantity FROM wanted
                    GROUP BY stock_level_id
                ) AS t
                WHERE s.id = t.stock_level_id AND s.on_hand >= s.reserved + t.quantity
                RETURNING s.id
            )
            INSERT INTO orders_allocation (line_id, stock_level_id, quantity, created_at)
            SELECT w.line_id, w.stock_level_id, w.quantity, %s FROM wanted AS w
            WHERE w.stock_level_id IN (SELECT id FROM reserved)
            ON CONFLICT (line_id, stock_level_id) WHERE issued_at IS NULL
            DO UPDATE SET quantity = orders_allocation.quantity + EXCLUDED.quantity
            """,
            # created_at as Django's auto_now_add sets it (now() would be the transaction's start).
            [line_ids, level_ids, list(taken.values()), timezone.now()],
        )
        # A row that could not reserve leaves its allocations out: the count tells.
        if cursor.rowcount != len(taken):
            raise AllocationConflict(f"stock levels {sorted(set(level_ids))} cannot reserve")


# The stock rows of an order's products in the active warehouses, locked in key order (the
# order every allocation locks them in); plain SQL, as this runs for every order placed.
LOCK_LEVELS = (
    f"SELECT id, product_id, warehouse_id, on_hand, reserved FROM {StockLevel._meta.db_table} "
    "WHERE product_id = ANY(%s) AND warehouse_id = ANY(%s) ORDER BY id FOR UPDATE"
)


def allocate_order(
    order: Order, *, reference: str = "", lines: list[OrderLine] | None = None, fresh: bool = False
) -> AllocationResult:
    """Reserve what the order's lines still lack; start work orders for made-to-order lines.

    Must run inside the caller's transaction, with the order row already locked. `lines`
    may be passed when the caller holds them; `fresh` says nothing is allocated yet (an
    order confirmed for the first time), which saves looking.
    """
    assert transaction.get_connection().in_atomic_block
    result = AllocationResult()
    if lines is None:
        lines = list(order.lines.select_related("product").order_by("line_no"))
    have = {} if fresh else allocated_by_line(lines)
    needs = {line.pk: line.quantity - have.get(line.pk, 0) for line in lines}
    stock_lines = [line for line in lines if not line.made_to_order and needs[line.pk] > 0]
    warehouses: dict[int, Warehouse] = {}
    rank = warehouse_rank(order)

    if stock_lines:
        # The active warehouses come from the per-process cache (orders.reference); one
        # statement locks every stock row of the order's products in them, in key order.
        warehouses = active_warehouses()
        ranks = {pk: rank(warehouse) for pk, warehouse in warehouses.items()}
        with connection.cursor() as cursor:
            cursor.execute(
                LOCK_LEVELS, [sorted({line.product_id for line in stock_lines}), sorted(warehouses)]
            )
            levels = [Level(*row) for row in cursor.fetchall()]
        by_product: dict[int, list[Level]] = defaultdict(list)
        for level in levels:
            by_product[level.product_id].append(level)
        for candidates in by_product.values():
            candidates.sort(key=lambda level: ranks[level.warehouse_id])

        taken: dict[tuple[int, int], int] = {}  # (line id, stock level id) -> units
        reserve: dict[int, int] = {}
        for line in stock_lines:
            need = needs[line.pk]
            for level in by_product.get(line.product_id, []):
                free = level.on_hand - level.reserved - reserve.get(level.pk, 0)
                if need == 0:
                    break
                if free <= 0:
                    continue
                take = min(free, need)
                reserve[level.pk] = reserve.get(level.pk, 0) + take
                taken[(line.pk, level.pk)] = take
                need -= take
                result.allocated[line.pk] = result.allocated.get(line.pk, 0) + take
            if need:
                result.short[line.pk] = need
        reserve_for_lines(taken)

    if any(line.made_to_order and needs[line.pk] > 0 for line in lines):
        warehouses = active_warehouses()
    for line in lines:
        if line.made_to_order and needs[line.pk] > 0:
            nearest = min(warehouses.values(), key=rank) if warehouses else None
            if nearest is None:
                result.short[line.pk] = needs[line.pk]
                continue
            work_order = work_order_create(
                product=line.product,
                warehouse=nearest,
                quantity=needs[line.pk],
                order_line_id=line.pk,
                reference=reference or order.number,
            )
            result.work_orders.append(work_order.number)
            result.in_production = True
    return result


def release_line(line: OrderLine, quantity: int | None = None) -> int:
    """Give back up to quantity reserved units of a line (all when None), farthest warehouse first.
    Goods already issued (dispatched) are not reservations any more and stay as they are.

    Returns the units released. Runs inside the caller's transaction.
    """
    allocations = list(
        Allocation.objects.filter(line=line, issued_at__isnull=True).select_related(
            "stock_level__warehouse"
        )
    )
    if not allocations:
        return 0
    levels = {
        level.pk: level
        for level in StockLevel.objects.select_for_update()
        .filter(pk__in=[a.stock_level_id for a in allocations])
        .order_by("pk")
    }
    rank = warehouse_rank(line.order)
    allocations.sort(key=lambda a: rank(a.stock_level.warehouse), reverse=True)
    remaining = sum(a.quantity for a in allocations) if quantity is None else quantity
    released = 0
    for allocation in allocations:
        if remaining == 0:
            break
        give = min(allocation.quantity, remaining)
        StockLevel.objects.filter(pk=allocation.stock_level_id).update(
            reserved=F("reserved") - give
        )
        levels[allocation.stock_level_id].reserved -= give
        if give == allocation.quantity:
            allocation.delete()
        else:
            allocation.quantity -= give
            allocation.save(update_fields=["quantity"])
        remaining -= give
        released += give
    return released


def release_order(order: Order) -> int:
    """Give back every reservation of the order, locking all its stock rows in key order first."""
    level_ids = sorted(
        set(
            Allocation.objects.filter(line__order=order, issued_at__isnull=True).values_list(
                "stock_level_id", flat=True
            )
        )
    )
    list(StockLevel.objects.select_for_update().filter(pk__in=level_ids).order_by("pk"))
    released = 0
    for line in order.lines.all():
        released += release_line(line)
    return released
