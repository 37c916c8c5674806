from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from inventory.choices import MovementKind
from inventory.costing import amount
from inventory.forecasting import suggested_quantity
from inventory.models import (
    ComponentReservation,
    DemandForecast,
    Product,
    StockCount,
    StockCountLine,
    StockLevel,
    StockMovement,
    Warehouse,
    WorkOrder,
    WorkOrderComponent,
    WorkOrderFile,
)
from oms.registry import SearchHit
from oms.selectors import differs_from_sum

# Goods in a quarantine warehouse are on hand but not for sale: none of them is available.
AVAILABLE = Case(
    When(warehouse__is_quarantine=True, then=Value(0)),
    default=F("on_hand") - F("reserved"),
    output_field=IntegerField(),
)


def product_list() -> QuerySet[Product]:
    return Product.objects.select_related("category").annotate(
        total_on_hand=Coalesce(Sum("stock_levels__on_hand"), 0),
        total_available=Coalesce(
            Sum(
                F("stock_levels__on_hand") - F("stock_levels__reserved"),
                filter=Q(stock_levels__warehouse__is_quarantine=False),
            ),
            0,
        ),
    )


def product_detail(pk: int) -> Product | None:
    return Product.objects.select_related("category", "tax_class").filter(pk=pk).first()


def product_stock(product: Product) -> QuerySet[StockLevel]:
    return stock_levels().filter(product=product).order_by("warehouse__code")


def warehouse_list() -> QuerySet[Warehouse]:
    # Meta.ordering is not applied to a GROUP BY query: the order is said here.
    return Warehouse.objects.annotate(
        sku_count=Count("stock_levels", filter=Q(stock_levels__on_hand__gt=0)),
        units_on_hand=Coalesce(Sum("stock_levels__on_hand"), 0),
    ).order_by("code")


def warehouse_detail(pk: int) -> Warehouse | None:
    return warehouse_list().filter(pk=pk).first()


def stock_levels() -> QuerySet[StockLevel]:
    return StockLevel.objects.select_related("product", "warehouse").annotate(available=AVAILABLE)


def stock_level(pk: int) -> StockLevel | None:
    return stock_levels().filter(pk=pk).first()


def low_stock() -> QuerySet[StockLevel]:
    """Active products whose free stock has fallen below the safety stock."""
    return (
        stock_levels()
        .filter(safety_stock__gt=0, product__is_active=True, warehouse__is_active=True)
        .filter(on_hand__lt=F("reserved") + F("safety_stock"))  # available < safety stock
        .annotate(shortfall=F("safety_stock") - AVAILABLE)
    )


def movement_list() -> QuerySet[StockMovement]:
    return StockMovement.objects.select_related("product", "warehouse", "actor")


def count_sheet_rows(warehouse: Warehouse) -> QuerySet[StockLevel]:
    """Every active product stocked in the warehouse, in the order a counter walks the bins."""
    return (
        StockLevel.objects.select_related("product")
        .filter(warehouse=warehouse, product__is_active=True)
        .filter(Q(on_hand__gt=0) | Q(safety_stock__gt=0))
        .order_by("bin_location", "product__sku")
    )


def bins(warehouse_id: int, product_ids: list[int]) -> dict[int, str]:
    """{product id: bin location} of the products in one warehouse ("" where none is set)."""
    return dict(
        StockLevel.objects.filter(warehouse_id=warehouse_id, product_id__in=product_ids)
        .values_list("product_id", "bin_location")
        .order_by()
    )


def ledger_drift() -> QuerySet[StockLevel]:
    """Stock levels whose on_hand differs from the sum of their ledger rows."""
    return differs_from_sum(
        StockLevel.objects.select_related("product", "warehouse"),
        StockMovement.objects.all(),
        link="stock_level",
        amount="quantity",
        field="on_hand",
        total_name="ledger_total",
    )


def stock_value() -> dict:
    return StockLevel.objects.aggregate(
        units=Coalesce(Sum("on_hand"), 0),
        value=Coalesce(
            Sum(
                F("on_hand")
                * Case(
                    When(cost_known=True, then=F("average_cost")),
                    default=F("product__standard_cost"),
                ),
                output_field=DecimalField(max_digits=18, decimal_places=2),
            ),
            0,
            output_field=DecimalField(max_digits=18, decimal_places=2),
        ),
    )


def work_order_list() -> QuerySet[WorkOrder]:
    return WorkOrder.objects.select_related("product", "warehouse")


def work_order_detail(pk) -> WorkOrder | None:
    return (
        WorkOrder.objects.select_related("product", "warehouse", "materials_confirmed_by")
        .filter(pk=pk)
        .first()
    )


def work_order_files(work_order: WorkOrder) -> QuerySet[WorkOrderFile]:
    return WorkOrderFile.objects.filter(work_order=work_order).select_related("uploaded_by")


def work_order_file(work_order_id, file_id) -> WorkOrderFile | None:
    return WorkOrderFile.objects.filter(work_order_id=work_order_id, pk=file_id).first()


def work_order_component_lookup(work_order: WorkOrder):
    """A lookup for get_object_or_404: a line of this work order's bill of materials."""
    return lambda pk: WorkOrderComponent.objects.filter(work_order=work_order, pk=pk).first()


def work_order_components(work_order: WorkOrder) -> list[WorkOrderComponent]:
    """The bill of materials with each component's stock in the work order's warehouse
    (`on_hand`, `free`) and its latest reservation (`reservation`: open, issued or released;
    None before production)."""
    components = list(
        WorkOrderComponent.objects.filter(work_order=work_order)
        .select_related("product")
        .order_by("id")
    )
    levels = {
        level.product_id: level
        for level in StockLevel.objects.filter(
            warehouse_id=work_order.warehouse_id,
            product_id__in=[c.product_id for c in components],
        )
    }
    reservations = {
        r.component_id: r
        for r in ComponentReservation.objects.filter(
            component__in=[c.pk for c in components]
        ).order_by("id")
    }
    for component in components:
        level = levels.get(component.product_id)
        component.on_hand = level.on_hand if level else 0  # type: ignore[attr-defined]
        component.free = level.on_hand - level.reserved if level else 0  # type: ignore[attr-defined]
        component.reservation = reservations.get(component.pk)  # type: ignore[attr-defined]
    return components


def product_search(query: str) -> list[SearchHit]:
    """The header search: a SKU (exact opens the product) or words of its name."""
    products = Product.objects.filter(
        Q(sku__iexact=query) | Q(name__icontains=query) | Q(name_en__icontains=query)
    ).order_by("sku")[:20]
    return [
        SearchHit(
            label=str(p),
            detail=p.name_en,
            url=p.get_absolute_url(),
            exact=p.sku.lower() == query.lower(),
        )
        for p in products
    ]


def active_product_count() -> int:
    return Product.objects.filter(is_active=True).count()


def stocktake_list() -> QuerySet[StockCount]:
    return StockCount.objects.select_related("warehouse", "category", "opened_by").annotate(
        line_count=Count("lines"),
        counted_count=Count("lines", filter=Q(lines__counted__isnull=False)),
        varied_count=Count(
            "lines",
            filter=Q(lines__counted__isnull=False) & ~Q(lines__counted=F("lines__expected")),
        ),
    )


def stocktake_detail(pk: int) -> StockCount | None:
    return stocktake_list().filter(pk=pk).first()


def stocktake_lines(count: StockCount) -> QuerySet[StockCountLine]:
    """The lines in the order a counter walks the bins."""
    return count.lines.select_related("product").order_by("bin_location", "product__sku", "pk")


def moved_since_snapshot(count: StockCount) -> dict[int, int]:
    """{stock level id: net quantity moved by the ledger since the snapshot}, without the
    session's own adjustments."""
    rows = (
        StockMovement.objects.filter(
            stock_level__in=count.lines.values("stock_level"), id__gt=count.snapshot_movement_id
        )
        .exclude(reference=count.number, kind=MovementKind.ADJUSTMENT)
        .values("stock_level")
        .annotate(moved=Sum("quantity"))
        .order_by()
    )
    return {row["stock_level"]: row["moved"] for row in rows}


def variance_lines(count: StockCount) -> list[StockCountLine]:
    """Counted lines that differ from the snapshot, the largest value variance first (then
    quantity, SKU), each with `variance_value` at the line's moving-average cost."""
    lines = list(
        count.lines.filter(counted__isnull=False)
        .exclude(counted=F("expected"))
        .select_related("product", "movement")
    )
    for line in lines:
        line.variance_value = amount(line.unit_cost, line.variance or 0)  # type: ignore[attr-defined]
    lines.sort(
        key=lambda line: (-abs(line.variance_value), -abs(line.variance or 0), line.product.sku)  # type: ignore[attr-defined]
    )
    return lines


def product_forecasts(product: Product) -> QuerySet[DemandForecast]:
    return DemandForecast.objects.filter(product=product).select_related("warehouse")


def replenishment() -> QuerySet[DemandForecast]:
    """Stocked (not made-to-order) active products whose available stock in a warehouse is
    below the forecast's reorder point (`replenishment_quantity` gives what to order).
    Available = on hand − reserved; nothing is counted as incoming (the system keeps no
    purchase orders)."""
    level = StockLevel.objects.filter(product=OuterRef("product"), warehouse=OuterRef("warehouse"))
    whole = IntegerField()
    return (
        DemandForecast.objects.select_related("product", "warehouse")
        .filter(product__is_active=True, product__made_to_order=False, warehouse__is_active=True)
        .annotate(
            on_hand=Coalesce(Subquery(level.values("on_hand")[:1]), 0),
            reserved=Coalesce(Subquery(level.values("reserved")[:1]), 0),
        )
        .annotate(available=ExpressionWrapper(F("on_hand") - F("reserved"), output_field=whole))
        .filter(available__lt=F("reorder_point"))
        .annotate(
            shortfall=ExpressionWrapper(F("reorder_point") - F("available"), output_field=whole)
        )
    )


def replenishment_quantity(row: DemandForecast) -> int:
    """What to order for a row of replenishment(): up to the reorder point plus the demand
    over the review period, in whole packs."""
    return suggested_quantity(
        target=row.reorder_point + float(row.review_demand),
        available=row.available,  # type: ignore[attr-defined]
        pack_size=row.product.pack_size,
    )
