"""Work orders for made-to-order goods: materials → production → quality check → done.

While a work order is at materials its bill of materials can change (inventory.models.
production: a line's quantity is the total for the work order). Changing it withdraws the
materials confirmation, which purchasing (or a manager) gives once the components are in
hand; with a bill of materials, production cannot start without it.

Starting production reserves every component on the work order's warehouse's stock row,
like an order line's allocation: an open ComponentReservation per line and
StockLevel.reserved raised by as much, in one transaction, so the nightly check
(reserved = Σ open allocations + Σ open component reservations) stays exact. The stock rows
are locked in primary-key order after the work order's row (as allocation locks the order
before its stock rows); a component short of free stock refuses the start, naming its SKU,
and nothing is written. At done the components are issued through the ledger (one movement
each, reason "Consumed in production", referenced by the work order's number: on_hand and
reserved both down, the reservation marked issued) in the transaction that receives the
finished goods. Cancelling a started work order releases its reservations.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory import hooks
from inventory.choices import WORK_ORDER_NEXT_STAGE, AdjustmentReason, MovementKind, WorkOrderStage
from inventory.models import (
    ComponentReservation,
    Product,
    StockLevel,
    Warehouse,
    WorkOrder,
    WorkOrderComponent,
    WorkOrderFile,
)
from inventory.product_boms import bom_line_put, default_bom_copy
from inventory.services import _check_quantity, _move, lock_stock_levels
from oms.db import atomic_with_retry, next_document_number
from oms.errors import ServiceError
from oms.services import audit_record
from oms.types import User
from oms.uploads import sniffed_type

MAX_FILES = 30
# The customer's drawings and specifications: the type is read from the file's first bytes
# and must match its name (PDF, PNG, JPEG, AutoCAD DWG).
FILE_TYPES: dict[str, tuple[bytes, tuple[str, ...]]] = {
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
    "image/vnd.dwg": (b"AC10", (".dwg",)),
}


@transaction.atomic
def work_order_create(
    *,
    product: Product,
    warehouse: Warehouse,
    quantity: int,
    order_line_id: int | None = None,
    reference: str = "",
) -> WorkOrder:
    """Start producing a made-to-order item; one work order per order line at most. It
    starts with the product's default bill of materials, times its quantity, when the
    product has one (inventory.product_boms)."""
    _check_quantity(quantity)
    if order_line_id is not None:
        existing = WorkOrder.objects.filter(order_line_id=order_line_id).first()
        if existing is not None:
            return existing
    work_order = WorkOrder.objects.create(
        number=next_document_number("WO", "inventory_work_order_number"),
        product=product,
        warehouse=warehouse,
        quantity=quantity,
        order_line_id=order_line_id,
        reference=reference,
    )
    default_bom_copy(actor=None, work_order=work_order)
    return work_order


@transaction.atomic
def work_order_use_default_bom(*, actor: User | None, work_order: WorkOrder) -> int:
    """Give a work order without a bill of materials its product's default (one created
    before the product had one); returns how many components it got."""
    work_order = _lock_editable(work_order.pk)
    if work_order.components.exists():
        raise ServiceError(
            _("Work order %(number)s has a bill of materials already.")
            % {"number": work_order.number}
        )
    lines = default_bom_copy(actor=actor, work_order=work_order)
    if not lines:
        raise ServiceError(
            _("%(sku)s has no default bill of materials: set it on the product's page.")
            % {"sku": work_order.product.sku}
        )
    return len(lines)


def _lock_editable(work_order_id: int) -> WorkOrder:
    work_order = WorkOrder.objects.select_for_update().get(pk=work_order_id)
    if not work_order.bom_editable:
        raise ServiceError(
            _(
                "Work order %(number)s is at %(stage)s: its bill of materials can only change "
                "before production starts."
            )
            % {"number": work_order.number, "stage": work_order.get_stage_display()}
        )
    return work_order


def _withdraw_confirmation(work_order: WorkOrder) -> bool:
    if work_order.materials_confirmed_at is None:
        return False
    work_order.materials_confirmed_at = None
    work_order.materials_confirmed_by = None
    work_order.save(update_fields=["materials_confirmed_at", "materials_confirmed_by"])
    return True


@transaction.atomic
def work_order_set_component(
    *, actor: User | None, work_order: WorkOrder, product: Product, quantity: int
) -> WorkOrderComponent:
    """Put a component on the bill of materials, or change its quantity (the total for the
    work order). A materials confirmation given before is withdrawn."""
    _check_quantity(quantity)
    work_order = _lock_editable(work_order.pk)
    component, before = bom_line_put(
        work_order.components.all(),
        "product",
        made_id=work_order.product_id,
        component=product,
        quantity=quantity,
        new=lambda: WorkOrderComponent(work_order=work_order, product=product, quantity=quantity),
    )
    if before == quantity:
        return component
    withdrawn = _withdraw_confirmation(work_order)
    audit_record(
        actor=actor,
        action="work_order.bom",
        obj=work_order,
        changes={product.sku: [before, quantity]}
        | ({"materials_confirmed": [True, False]} if withdrawn else {}),
    )
    return component


@transaction.atomic
def work_order_remove_component(
    *, actor: User | None, work_order: WorkOrder, component_id: int
) -> None:
    """Take a component off the bill of materials; a materials confirmation is withdrawn."""
    work_order = _lock_editable(work_order.pk)
    component = (
        WorkOrderComponent.objects.select_related("product")
        .filter(pk=component_id, work_order=work_order)
        .first()
    )
    if component is None:
        raise ServiceError(_("This component is no longer on the bill of materials."))
    component.delete()
    withdrawn = _withdraw_confirmation(work_order)
    audit_record(
        actor=actor,
        action="work_order.bom",
        obj=work_order,
        changes={component.product.sku: [component.quantity, 0]}
        | ({"materials_confirmed": [True, False]} if withdrawn else {}),
    )


@transaction.atomic
def work_order_confirm_materials(*, actor: User | None, work_order: WorkOrder) -> WorkOrder:
    """Purchasing confirms the bill of materials' components are in hand: who and when."""
    work_order = _lock_editable(work_order.pk)
    if work_order.materials_confirmed_at is not None:
        raise ServiceError(
            _("The materials of %(number)s are already confirmed.") % {"number": work_order.number}
        )
    if not work_order.components.exists():
        raise ServiceError(
            _("%(number)s has no bill of materials: there is nothing to confirm.")
            % {"number": work_order.number}
        )
    work_order.materials_confirmed_at = timezone.now()
    work_order.materials_confirmed_by = actor
    work_order.save(update_fields=["materials_confirmed_at", "materials_confirmed_by"])
    audit_record(
        actor=actor,
        action="work_order.materials_confirmed",
        obj=work_order,
        changes={"materials_confirmed": [False, True]},
    )
    return work_order


def _reserve_components(work_order: WorkOrder, components: list[WorkOrderComponent]) -> None:
    """Reserve every component on its locked stock row, or refuse naming the short SKUs."""
    warehouse = work_order.warehouse
    levels = lock_stock_levels([(c.product, warehouse) for c in components])
    short = []
    for component in components:
        level = levels[(component.product_id, warehouse.pk)]
        free = level.on_hand - level.reserved
        if free < component.quantity:
            short.append(
                _("%(sku)s: %(free)s free, %(needed)s needed")
                % {"sku": component.product.sku, "free": max(free, 0), "needed": component.quantity}
            )
    if short:
        raise ServiceError(
            _("Not enough components in %(warehouse)s to start %(number)s (%(short)s).")
            % {"warehouse": warehouse.code, "number": work_order.number, "short": "; ".join(short)}
        )
    for component in components:
        level = levels[(component.product_id, warehouse.pk)]
        # Conditional like allocation's reservation; the CHECK constraints stay the last guard.
        updated = StockLevel.objects.filter(
            pk=level.pk, on_hand__gte=F("reserved") + component.quantity
        ).update(reserved=F("reserved") + component.quantity)
        if not updated:  # the row is locked and was checked above: a bug
            raise RuntimeError(f"stock level {level.pk} cannot reserve {component.quantity}")
    ComponentReservation.objects.bulk_create(
        ComponentReservation(
            component=component,
            work_order=work_order,
            stock_level=levels[(component.product_id, warehouse.pk)],
            quantity=component.quantity,
        )
        for component in components
    )


def _open_reservations(work_order: WorkOrder) -> list[ComponentReservation]:
    return list(
        ComponentReservation.objects.select_related("stock_level")
        .filter(work_order=work_order, issued_at__isnull=True, released_at__isnull=True)
        .order_by("stock_level_id")
    )


def _finish(actor: User | None, work_order: WorkOrder) -> None:
    """Issue the reserved components and receive the finished goods, every stock row locked
    at once in primary-key order."""
    reservations = _open_reservations(work_order)
    product = Product.objects.get(pk=work_order.product_id)
    warehouse = Warehouse.objects.get(pk=work_order.warehouse_id)
    component_products = Product.objects.in_bulk([r.stock_level.product_id for r in reservations])
    levels = lock_stock_levels(
        [(product, warehouse)]
        + [(component_products[r.stock_level.product_id], warehouse) for r in reservations]
    )
    now = timezone.now()
    for reservation in reservations:
        level = levels[(reservation.stock_level.product_id, warehouse.pk)]
        level.reserved -= reservation.quantity
        level.save(update_fields=["reserved"])
        _move(
            level=level,
            kind=MovementKind.ISSUE,
            quantity=-reservation.quantity,
            actor=actor,
            reason=AdjustmentReason.PRODUCTION,
            reference=work_order.number,
            note=work_order.reference,
        )
        reservation.issued_at = now
    ComponentReservation.objects.bulk_update(reservations, ["issued_at"])
    _move(
        level=levels[(product.pk, warehouse.pk)],
        kind=MovementKind.RECEIPT,
        quantity=work_order.quantity,
        actor=actor,
        reference=work_order.number,
        note=work_order.reference,
        # Made here: at the product's standard cost, when it has one.
        unit_cost=product.standard_cost if product.standard_cost > 0 else None,
    )


@atomic_with_retry()
def work_order_advance(*, actor: User | None, work_order: WorkOrder) -> WorkOrder:
    """Move a work order to its next stage. Production reserves the components; at done they
    are issued and the goods are received into stock, and the apps above are told, so the
    order line gets them. The hooks run while this stock row is locked, so they only schedule
    work for after commit: orders lock an order before its stock rows, and taking the order
    lock here would invert that order."""
    work_order = WorkOrder.objects.select_for_update().get(pk=work_order.pk)
    next_stage = WORK_ORDER_NEXT_STAGE.get(WorkOrderStage(work_order.stage))
    if next_stage is None:
        raise ServiceError(
            _("Work order %(number)s is %(stage)s and cannot move on.")
            % {"number": work_order.number, "stage": work_order.get_stage_display()}
        )
    components = []
    if next_stage == WorkOrderStage.PRODUCTION:
        components = list(work_order.components.select_related("product").order_by("id"))
        if components and work_order.materials_confirmed_at is None:
            raise ServiceError(
                _(
                    "Production of %(number)s cannot start before its materials are confirmed "
                    "by purchasing."
                )
                % {"number": work_order.number}
            )
    work_order.stage = next_stage
    if next_stage == WorkOrderStage.DONE:
        work_order.done_at = timezone.now()
    work_order.save(update_fields=["stage", "done_at"])
    audit_record(
        actor=actor, action="work_order.advance", obj=work_order, changes={"stage": next_stage}
    )
    hooks.notify_work_order_advanced(work_order)
    if components:
        _reserve_components(work_order, components)
    if next_stage == WorkOrderStage.DONE:
        _finish(actor, work_order)
        hooks.notify_work_order_done(work_order)
    return work_order


@transaction.atomic
def work_order_cancel(*, actor: User | None, work_order_id: int) -> None:
    """Stop a work order whose order went away; finished ones stay as they are. Components
    reserved for its production are released."""
    work_orders_cancel(actor=actor, work_order_ids=[work_order_id])


@transaction.atomic
def work_orders_cancel(*, actor: User | None, work_order_ids: list[int]) -> None:
    """Stop several work orders (an order's), releasing their components: the work orders
    locked in key order, then every stock row they release from at once in key order, so an
    order's cancel never holds one stock row while waiting for another out of order."""
    work_orders = list(
        WorkOrder.objects.select_for_update()
        .filter(pk__in=work_order_ids)
        .exclude(stage__in=[WorkOrderStage.DONE, WorkOrderStage.CANCELLED])
        .order_by("pk")
    )
    if not work_orders:
        return
    reservations = list(
        ComponentReservation.objects.filter(
            work_order__in=work_orders, issued_at__isnull=True, released_at__isnull=True
        ).order_by("stock_level_id", "pk")
    )
    if reservations:
        list(
            StockLevel.objects.select_for_update()
            .filter(pk__in={r.stock_level_id for r in reservations})
            .order_by("pk")
        )
        now = timezone.now()
        for reservation in reservations:
            StockLevel.objects.filter(pk=reservation.stock_level_id).update(
                reserved=F("reserved") - reservation.quantity
            )
            reservation.released_at = now
        ComponentReservation.objects.bulk_update(reservations, ["released_at"])
    for work_order in work_orders:
        work_order.stage = WorkOrderStage.CANCELLED
        work_order.save(update_fields=["stage"])
        released = sum(1 for r in reservations if r.work_order_id == work_order.pk)
        audit_record(
            actor=actor,
            action="work_order.cancel",
            obj=work_order,
            changes={"released": released} if released else None,
        )


def _file_type(upload: UploadedFile) -> str:
    return sniffed_type(
        upload,
        types=FILE_TYPES,
        max_bytes=settings.OMS_WORK_ORDER_FILE_MAX_BYTES,
        refusal=_("Only PDF, PNG, JPEG and DWG drawings or specifications can be added."),
    )


def work_order_attach_file(
    *, actor: User | None, work_order: WorkOrder, upload: UploadedFile
) -> WorkOrderFile:
    """Keep a drawing or specification of the customer's with the work order, under a random
    name in the private folder; not once the work order is done or cancelled."""
    mime = _file_type(upload)
    name = PurePath(upload.name or "file").name[:200]
    with transaction.atomic():
        work_order = WorkOrder.objects.select_for_update().get(pk=work_order.pk)
        if work_order.stage in (WorkOrderStage.DONE, WorkOrderStage.CANCELLED):
            raise ServiceError(
                _("Work order %(number)s is %(stage)s: no more files can be added.")
                % {"number": work_order.number, "stage": work_order.get_stage_display()}
            )
        if work_order.files.count() >= MAX_FILES:
            raise ServiceError(_("A work order keeps at most %(max)s files.") % {"max": MAX_FILES})
        attached = WorkOrderFile(
            work_order=work_order,
            name=name,
            content_type=mime,
            size=upload.size or 0,
            uploaded_by=actor,
        )
        attached.file.save(f"{uuid.uuid4().hex}{FILE_TYPES[mime][1][0]}", upload, save=False)
        stored = attached.file.name or ""
        # The file is written before the row: remove it again if the row cannot be saved.
        try:
            attached.save()
            audit_record(
                actor=actor,
                action="work_order.file",
                obj=work_order,
                changes={"file": [None, name]},
            )
        except Exception:
            attached.file.storage.delete(stored)
            raise
    return attached
