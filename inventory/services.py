"""Stock services. Every change of on_hand writes a ledger row in the same transaction.

Stock rows are locked in primary-key order so that two services touching the same rows
never deadlock; the CHECK constraints on StockLevel are the last guard against a bug here.
"""

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from inventory import hooks
from inventory.choices import AdjustmentReason, MovementKind
from inventory.costing import Cost, check_unit_cost, moving_average
from inventory.models import Product, StockLevel, StockMovement, TaxClass, Warehouse
from oms.db import atomic_with_retry
from oms.services import audit_record, model_save, outbox_enqueue, role_emails
from oms.types import User

logger = logging.getLogger(__name__)

PRODUCT_FIELDS = [
    "sku",
    "name",
    "name_en",
    "model",
    "spec",
    "colour",
    "category",
    "unit",
    "weight_kg",
    "volume_m3",
    "standard_cost",
    "tax_class",
    "made_to_order",
    "fragile",
    "packing_note",
    "barcode",
    "lead_time_days",
    "pack_size",
    "is_active",
]
# Field owners: cost, tax class and made-to-order are the manager's (they move prices and
# review); the warehouse keeps names, units, weights, volumes and how the goods are packed
# (fragile, packing note, barcode; bins and reorder levels
# are on the stock level, under adjust_stock).
PRICING_FIELDS = ("standard_cost", "tax_class", "made_to_order")
PRODUCT_FIELD_PERMISSIONS = {
    field: "inventory.change_product_pricing"
    if field in PRICING_FIELDS
    else "inventory.change_product"
    for field in PRODUCT_FIELDS
}
WAREHOUSE_FIELDS = [
    "code",
    "name",
    "region",
    "city",
    "address",
    "latitude",
    "longitude",
    "is_active",
    "is_quarantine",
]
MAX_QUANTITY = 10_000_000


def product_save(*, actor: User | None, product: Product | None, data: dict[str, Any]) -> Product:
    if isinstance(data.get("tax_class"), str):  # a code, from an import or a script
        code = data["tax_class"]
        data = {**data, "tax_class": TaxClass.objects.filter(code=code).first()}
        if data["tax_class"] is None:
            raise ValidationError(
                {"tax_class": _("There is no tax class %(code)s.") % {"code": code}}
            )
    return model_save(
        actor=actor,
        instance=product or Product(),
        data={k: v for k, v in data.items() if k in PRODUCT_FIELDS},
        action="product.update" if product else "product.create",
        field_permissions=PRODUCT_FIELD_PERMISSIONS,
    )


def warehouse_save(
    *, actor: User | None, warehouse: Warehouse | None, data: dict[str, Any]
) -> Warehouse:
    return model_save(
        actor=actor,
        instance=warehouse or Warehouse(),
        data={k: v for k, v in data.items() if k in WAREHOUSE_FIELDS},
        action="warehouse.update" if warehouse else "warehouse.create",
    )


def _check_quantity(quantity: int, *, allow_negative: bool = False) -> None:
    if not isinstance(quantity, int) or isinstance(quantity, bool):
        raise ValidationError({"quantity": _("Enter a whole number.")})
    if quantity == 0 or (quantity < 0 and not allow_negative):
        raise ValidationError({"quantity": _("Enter a quantity of at least 1.")})
    if abs(quantity) > MAX_QUANTITY:
        raise ValidationError(
            {"quantity": _("Enter a quantity of at most %(max)s.") % {"max": MAX_QUANTITY}}
        )


def _check_active(product: Product, *warehouses: Warehouse) -> None:
    if not product.is_active:
        raise ValidationError({"product": _("Product %(sku)s is inactive.") % {"sku": product.sku}})
    for warehouse in warehouses:
        if not warehouse.is_active:
            raise ValidationError(
                {"warehouse": _("Warehouse %(code)s is inactive.") % {"code": warehouse.code}}
            )


def lock_stock_levels(pairs: list[tuple[Product, Warehouse]]) -> dict[tuple[int, int], StockLevel]:
    """Create missing stock rows, then lock all of them in primary-key order.

    Returns them keyed by (product_id, warehouse_id). Must run inside a transaction.
    """
    StockLevel.objects.bulk_create(
        [StockLevel(product=p, warehouse=w) for p, w in pairs], ignore_conflicts=True
    )
    query = StockLevel.objects.none()
    for product, warehouse in pairs:
        query |= StockLevel.objects.filter(product=product, warehouse=warehouse)
    levels = list(query.select_for_update().order_by("pk"))
    return {(level.product_id, level.warehouse_id): level for level in levels}


def _move(
    *,
    level: StockLevel,
    kind: str,
    quantity: int,
    actor: User | None,
    reason: str = "",
    reference: str = "",
    note: str = "",
    unit_cost: Decimal | None = None,
) -> StockMovement:
    """One ledger row; goods coming in at `unit_cost` move the row's average cost (the caller
    holds the row's lock). Without a unit cost the average stays as it is."""
    before = level.on_hand
    level.on_hand += quantity
    if level.on_hand < 0:
        raise ValidationError({"quantity": _("There is not enough stock on hand.")})
    fields = ["on_hand"]
    if quantity > 0 and unit_cost is not None:
        cost = moving_average(
            on_hand=before,
            current=Cost(level.average_cost, level.cost_known),
            quantity=quantity,
            cost=unit_cost,
        )
        level.average_cost, level.cost_known = cost.average, cost.known
        fields += ["average_cost", "cost_known"]
    else:
        unit_cost = level.average_cost if level.cost_known else None
    level.save(update_fields=fields)
    return StockMovement.objects.create(
        unit_cost=unit_cost,
        stock_level=level,
        product_id=level.product_id,
        warehouse_id=level.warehouse_id,
        kind=kind,
        quantity=quantity,
        balance_after=level.on_hand,
        reason=reason,
        reference=reference,
        note=note,
        actor=actor,
    )


@atomic_with_retry()
def stock_receive(
    *,
    actor: User | None,
    product: Product,
    warehouse: Warehouse,
    quantity: int,
    reference: str = "",
    note: str = "",
    bin_location: str = "",
    unit_cost: Decimal | None = None,
) -> StockMovement:
    """Goods arrive in a warehouse: on_hand goes up by quantity, and the average cost moves
    with `unit_cost` (the receipt form requires it; a caller without one receives at the
    current average)."""
    _check_quantity(quantity)
    if unit_cost is not None:
        check_unit_cost(unit_cost)
    _check_active(product, warehouse)
    level = lock_stock_levels([(product, warehouse)])[(product.pk, warehouse.pk)]
    if bin_location and level.bin_location != bin_location:
        level.bin_location = bin_location
        level.save(update_fields=["bin_location"])
    movement = _move(
        level=level,
        kind=MovementKind.RECEIPT,
        quantity=quantity,
        actor=actor,
        reference=reference,
        note=note,
        unit_cost=unit_cost,
    )
    hooks.notify_stock_arrived({product.pk})
    return movement


@dataclass(frozen=True)
class StockReturn:
    """Goods of one product back in a warehouse (one ledger row), at the cost they left at
    (None: at the current average)."""

    product: Product
    quantity: int
    note: str = ""
    unit_cost: Decimal | None = None


@atomic_with_retry()
def stock_return(
    *, actor: User | None, warehouse: Warehouse, returns: list[StockReturn], reference: str
) -> list[StockMovement]:
    """Issued goods came back (a returned parcel booked in): on_hand goes up, one ledger row
    of kind "return" per entry quoting the document they left with. The stock rows are locked
    together in key order. Inactive products and warehouses take their goods back too: the
    parcel is on the dock whatever the catalogue says."""
    for entry in returns:
        _check_quantity(entry.quantity)
    levels = lock_stock_levels([(entry.product, warehouse) for entry in returns])
    movements = [
        _move(
            level=levels[(entry.product.pk, warehouse.pk)],
            kind=MovementKind.RETURN,
            quantity=entry.quantity,
            actor=actor,
            reference=reference,
            note=entry.note,
            unit_cost=entry.unit_cost,
        )
        for entry in returns
    ]
    hooks.notify_stock_arrived({entry.product.pk for entry in returns})
    return movements


@atomic_with_retry()
def stock_adjust(
    *,
    actor: User | None,
    product: Product,
    warehouse: Warehouse,
    quantity: int,
    reason: str,
    note: str = "",
    reference: str = "",
) -> StockMovement:
    """Correct on_hand by a signed quantity with a reason (stocktake, damage, loss...)."""
    _check_quantity(quantity, allow_negative=True)
    if reason not in AdjustmentReason.values:
        raise ValidationError({"reason": _("Choose a reason for the adjustment.")})
    level = lock_stock_levels([(product, warehouse)])[(product.pk, warehouse.pk)]
    if level.on_hand + quantity < 0:
        raise ValidationError(
            {
                "quantity": _(
                    "This adjustment would leave %(result)s on hand; only %(on_hand)s are there."
                )
                % {"result": level.on_hand + quantity, "on_hand": level.on_hand}
            }
        )
    if level.on_hand + quantity < level.reserved:
        raise ValidationError(
            {
                "quantity": _(
                    "%(reserved)s units are reserved for orders; on hand cannot go below that."
                )
                % {"reserved": level.reserved}
            }
        )
    movement = _move(
        level=level,
        kind=MovementKind.ADJUSTMENT,
        quantity=quantity,
        actor=actor,
        reason=reason,
        reference=reference,
        note=note,
    )
    if quantity > 0:
        hooks.notify_stock_arrived({product.pk})
    return movement


@atomic_with_retry()
def stock_transfer(
    *,
    actor: User | None,
    product: Product,
    source: Warehouse,
    destination: Warehouse,
    quantity: int,
    reference: str = "",
    note: str = "",
) -> tuple[StockMovement, StockMovement]:
    """Move free stock between warehouses: one ledger row out, one in."""
    _check_quantity(quantity)
    if source.pk == destination.pk:
        raise ValidationError({"destination": _("Choose a different destination warehouse.")})
    _check_active(product, destination)
    levels = lock_stock_levels([(product, source), (product, destination)])
    out_level, in_level = levels[(product.pk, source.pk)], levels[(product.pk, destination.pk)]
    available = out_level.on_hand - out_level.reserved
    if quantity > available:
        raise ValidationError(
            {
                "quantity": _("Only %(available)s units are available in %(warehouse)s.")
                % {"available": available, "warehouse": source.code}
            }
        )
    reference = reference or f"TR-{source.code}-{destination.code}"
    out_move = _move(
        level=out_level,
        kind=MovementKind.TRANSFER_OUT,
        quantity=-quantity,
        actor=actor,
        reference=reference,
        note=note,
    )
    in_move = _move(
        level=in_level,
        kind=MovementKind.TRANSFER_IN,
        quantity=quantity,
        actor=actor,
        reference=reference,
        note=note,
        unit_cost=out_level.average_cost if out_level.cost_known else None,
    )
    hooks.notify_stock_arrived({product.pk})
    return out_move, in_move


@dataclass(frozen=True)
class StockIssue:
    """One issue of reserved stock: `quantity` units leave `stock_level` (one ledger row)."""

    stock_level_id: int
    quantity: int
    note: str = ""


@atomic_with_retry()
def stock_issue(
    *, actor: User | None, issues: list[StockIssue], reference: str
) -> list[StockMovement]:
    """Reserved goods leave the warehouse (a shipment is dispatched): on_hand and reserved
    both go down by each issue's quantity, with one ledger row per issue.

    The caller releases the reservations behind the goods (its allocation rows) in the same
    transaction, so reserved = Σ open allocations and on_hand = Σ ledger both stay exact.
    Stock rows are locked in primary-key order; the rows must hold the reserved units.
    """
    for issue in issues:
        _check_quantity(issue.quantity)
    ids = sorted({issue.stock_level_id for issue in issues})
    levels = {
        level.pk: level
        for level in StockLevel.objects.select_for_update(of=("self",))
        .select_related("product", "warehouse")
        .filter(pk__in=ids)
        .order_by("pk")
    }
    movements = []
    for issue in issues:
        level = levels[issue.stock_level_id]
        if issue.quantity > level.reserved:
            raise ValidationError(
                {
                    "quantity": _(
                        "Only %(reserved)s units of %(sku)s are reserved in %(warehouse)s."
                    )
                    % {
                        "reserved": level.reserved,
                        "sku": level.product.sku,
                        "warehouse": level.warehouse.code,
                    }
                }
            )
        level.reserved -= issue.quantity
        level.save(update_fields=["reserved"])
        movements.append(
            _move(
                level=level,
                kind=MovementKind.ISSUE,
                quantity=-issue.quantity,
                actor=actor,
                reference=reference,
                note=issue.note,
            )
        )
    return movements


@transaction.atomic
def stock_level_update(
    *, actor: User | None, stock_level: StockLevel, bin_location: str, safety_stock: int
) -> StockLevel:
    """Change where a product lies in a warehouse and how much must stay in stock."""
    if safety_stock < 0:
        raise ValidationError({"safety_stock": _("Safety stock cannot be negative.")})
    level = StockLevel.objects.select_for_update().get(pk=stock_level.pk)
    changes: dict[str, list[Any]] = {}
    if level.bin_location != bin_location:
        changes["bin_location"] = [level.bin_location, bin_location]
    if level.safety_stock != safety_stock:
        changes["safety_stock"] = [level.safety_stock, safety_stock]
    level.bin_location, level.safety_stock = bin_location, safety_stock
    level.save(update_fields=["bin_location", "safety_stock"])
    if changes:
        audit_record(actor=actor, action="stock_level.update", obj=level, changes=changes)
    return level


def _site_url(path: str) -> str:
    """An address for an e-mail, which has no request to take the host from."""
    base = settings.OMS_PUBLIC_URL or f"http://{settings.OMS_BIND}"
    return base.rstrip("/") + path


def low_stock_digest_send(*, today: date | None = None) -> int:
    """Queue the daily low-stock e-mail to the warehouse role. Returns the number of items.

    Runs at most once a day: the outbox key is the date.
    """
    from inventory.selectors import low_stock

    today = today or timezone.localdate()
    recipients = role_emails("warehouse")
    items = list(low_stock().order_by("warehouse__code", "product__sku"))
    if not items or not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "items": items,
            "today": today,
            "company": settings.OMS_COMPANY_NAME,
            "replenishment_url": _site_url(reverse("inventory:replenishment")),
        }
        subject = _("Low stock on %(date)s: %(count)s items below safety stock") % {
            "date": today.isoformat(),
            "count": len(items),
        }
        body = render_to_string("inventory/email/low_stock_digest.txt", context)
        html_body = render_to_string("inventory/email/low_stock_digest.html", context)
    with transaction.atomic():
        outbox_enqueue(
            dedupe_key=f"low-stock-digest:{today.isoformat()}",
            recipients=recipients,
            subject=subject,
            body=body,
            html_body=html_body,
        )
    return len(items)


def stock_ledger_check(*, today: date | None = None) -> list[StockLevel]:
    """Find stock levels whose on_hand differs from their ledger; log them and tell the admins."""
    from inventory.selectors import ledger_drift

    drift = list(ledger_drift())
    ledger = {level.pk: level.ledger_total for level in drift}  # type: ignore[attr-defined]
    for level in drift:
        logger.error(
            "stock ledger drift: %s on_hand=%s ledger=%s", level, level.on_hand, ledger[level.pk]
        )
    recipients = role_emails("admin", "manager")
    if drift and recipients:
        today = today or timezone.localdate()
        with translation.override(settings.LANGUAGE_CODE):
            lines = [
                f"{level.product.sku} @ {level.warehouse.code}: on_hand={level.on_hand}, "
                f"ledger={ledger[level.pk]}"
                for level in drift
            ]
            subject = _("Stock ledger check found %(count)s differences") % {"count": len(drift)}
        with transaction.atomic():
            outbox_enqueue(
                dedupe_key=f"ledger-drift:{today.isoformat()}",
                recipients=recipients,
                subject=subject,
                body="\n".join(lines),
            )
    return drift
