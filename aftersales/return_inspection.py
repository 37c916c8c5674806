"""Inspection of received returns, line by line: restock (a ledger receipt into sellable
stock), quarantine (the quarantine warehouse beside the receiving one) or scrap (a ledger
write-off with its reason). The last line inspected moves the return to `inspected`.

Locks as in return_services: the return row, then stock rows through inventory's services.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.models import ReturnLine
from aftersales.return_choices import Disposition, ReturnEventKind, ReturnStatus
from aftersales.return_selectors import return_unit_costs
from aftersales.return_services import (
    PERMISSION_INSPECT,
    ReturnError,
    clean_text,
    lock_return,
    notify_customer,
    require_right,
    return_event,
    return_transition,
)
from inventory.choices import AdjustmentReason
from inventory.models import StockMovement, Warehouse
from inventory.services import StockReturn, stock_adjust, stock_return
from oms.db import atomic_with_retry
from oms.services import acting_user, audit_record
from oms.types import User


def quarantine_warehouse_for(warehouse: Warehouse) -> Warehouse | None:
    """The quarantine area beside a warehouse: an active quarantine warehouse in the same
    city, else in the same province, else any."""
    candidates = list(Warehouse.objects.filter(is_active=True, is_quarantine=True).order_by("pk"))
    for same in (
        lambda w: w.city == warehouse.city and w.region == warehouse.region,
        lambda w: w.region == warehouse.region,
        lambda w: True,
    ):
        for candidate in candidates:
            if same(candidate):
                return candidate
    return None


@atomic_with_retry()
def return_inspect_line(
    *,
    actor: User | None,
    line: ReturnLine,
    disposition: str,
    note: str = "",
    quarantine_warehouse: Warehouse | None = None,
) -> tuple[ReturnLine, bool]:
    """Decide what becomes of one line's goods, with one ledger effect:
    - restock: a "return" ledger row into the receiving warehouse's sellable stock, at the
      cost the goods left at;
    - quarantine: the same into a quarantine warehouse (`Warehouse.is_quarantine`: stock
      pages show it, allocation and availability never count it);
    - scrap: the return and a write-off (adjustment, reason "damaged") with the note as why.
    A line is decided once: a second call (double submit, two inspectors) finds the decision
    under the line's lock and returns it with False, writing nothing. When every line is
    decided the return becomes `inspected` and waits for its resolution."""
    require_right(actor, PERMISSION_INSPECT)
    if disposition not in Disposition.values:
        raise ValidationError({"disposition": _("Choose restock, quarantine or scrap.")})
    note = clean_text(
        note,
        "note",
        required=_("Say why the goods are scrapped.") if disposition == Disposition.SCRAP else "",
    )
    request = lock_return(line.request_id)
    line = (
        ReturnLine.objects.select_for_update().select_related("order_line__product").get(pk=line.pk)
    )
    if line.disposition:
        if line.disposition != disposition:
            raise ReturnError(
                _("This line was inspected already: %(disposition)s.")
                % {"disposition": line.get_disposition_display()}
            )
        return line, False
    if request.status != ReturnStatus.RECEIVED:
        raise ReturnError(
            _("%(rma)s is %(status)s: goods are inspected once they are received.")
            % {"rma": request, "status": request.get_status_display()}
        )
    warehouse = request.warehouse
    assert warehouse is not None  # set on receipt
    product = line.order_line.product
    unit_cost = return_unit_costs(request.order).get(line.order_line_id)
    reference = request.number or str(request)
    if disposition == Disposition.QUARANTINE:
        target = quarantine_warehouse or quarantine_warehouse_for(warehouse)
        if target is None or not target.is_quarantine or not target.is_active:
            raise ValidationError(
                {
                    "quarantine_warehouse": _(
                        "There is no active quarantine warehouse: create one (Warehouses, "
                        "“quarantine” ticked) or choose another disposition."
                    )
                }
            )
    else:
        target = warehouse
    movement: StockMovement = stock_return(
        actor=acting_user(actor),
        warehouse=target,
        returns=[StockReturn(product, line.quantity, note, unit_cost=unit_cost)],  # type: ignore[arg-type]
        reference=reference,
    )[0]
    if disposition == Disposition.SCRAP:
        movement = stock_adjust(
            actor=acting_user(actor),
            product=product,
            warehouse=target,
            quantity=-line.quantity,
            reason=AdjustmentReason.DAMAGED,
            note=note,
            reference=reference,
        )
    line.disposition = disposition
    line.disposition_note = note
    line.stock_movement = movement
    line.inspected_at = timezone.now()
    line.inspected_by = acting_user(actor)
    line.save(
        update_fields=[
            "disposition",
            "disposition_note",
            "stock_movement",
            "inspected_at",
            "inspected_by",
        ]
    )
    return_event(
        request,
        ReturnEventKind.INSPECTED,
        actor=actor,
        note=note,
        data={
            "sku": product.sku,
            "quantity": line.quantity,
            "disposition": disposition,
            "warehouse": target.code,
        },
    )
    audit_record(
        actor=actor,
        action="return.inspect",
        obj=request,
        changes={"line": line.order_line.line_no, "disposition": disposition, "note": note},
    )
    if not request.lines.filter(disposition="").exists():
        return_transition(
            actor=actor, request=request, to=ReturnStatus.INSPECTED, kind=ReturnEventKind.INSPECTED
        )
        notify_customer(request, "return.inspected")
    return line, True
