"""Resolving a return: the inspected goods are settled by a refund, an exchange or a repair.

- refund: credit notes for the returned units (billing.returns.order_credit_returned) and a
  refund of them to the receipts that paid, by their own method (credit_notes_refund). The
  shipping fee goes back when the return is the company's fault (damaged, defective, wrong
  item, not as described); not for a change of mind unless OMS_RETURN_REFUND_SHIPPING_ALWAYS
  says so; staff may decide otherwise on the form. An order on account that was not paid yet
  gets the credit notes only: they reduce what the customer owes, nothing is paid back. The
  order is `refunding` while the refund is being made and `completed` again afterwards, unless
  another return of it still waits to be refunded.
- exchange: the same goods sent again at no charge (orders.services.order_replacement_place).
- repair: the customer's goods repaired by a work order at the warehouse they came back to,
  then sent back at no charge by the same kind of order (its line is made by that work order).

The return becomes `resolved`; its timeline and the order's say what was done; the customer
is told (aftersales.resolution_messages). One resolution per return (a unique row): a double
submit with the form's key gets the first one back, another submit is refused.

Locks: the customer (billing's first lock for money), the order, then the return row.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from aftersales.models import ReturnRequest, ReturnResolution
from aftersales.resolution_messages import RESOLUTION_MESSAGES
from aftersales.return_choices import (
    Disposition,
    ReturnEventKind,
    ReturnReason,
    ReturnStatus,
    WantedResolution,
)
from aftersales.return_services import lock_return, return_transition
from billing.models import CreditNote
from billing.returns import credit_notes_refund, order_credit_returned, refundable_amount
from customers.models import Customer
from inventory.choices import AdjustmentReason
from inventory.models import Warehouse
from inventory.services import stock_adjust
from oms.db import atomic_with_retry
from oms.errors import ServiceError
from oms.messaging import notify
from oms.money import ZERO
from oms.services import acting_user, audit_record
from oms.tables import format_money
from oms.types import User
from orders import services as order_services
from orders.choices import OrderStatus
from orders.models import Order

COMPANY_FAULT = frozenset(
    {
        ReturnReason.DAMAGED,
        ReturnReason.DEFECTIVE,
        ReturnReason.WRONG_ITEM,
        ReturnReason.NOT_AS_DESCRIBED,
    }
)
# Returns that will still be refunded: the order stays `refunding` while one of them is open.
OPEN_STATUSES = (ReturnStatus.APPROVED, ReturnStatus.RECEIVED, ReturnStatus.INSPECTED)
# The order's status from which a refund may start (ORDER_TRANSITIONS: → refunding).
REFUNDABLE_ORDER = (OrderStatus.DELIVERED, OrderStatus.COMPLETED, OrderStatus.REFUNDING)
NOTE_LENGTH = 300


def shipping_refund_default(reason: str) -> bool:
    """Whether the shipping fee goes back for a return with this reason, unless staff decide
    otherwise: the company's fault, yes; a change of mind, only with the setting."""
    if reason in COMPANY_FAULT:
        return True
    return bool(getattr(settings, "OMS_RETURN_REFUND_SHIPPING_ALWAYS", False))


def return_refund_opened(*, actor: User | None, request: ReturnRequest) -> None:
    """An approved return asks for a refund: its order is `refunding` until the refund is
    made (a return of an order not delivered yet leaves it alone). The caller holds the
    order's lock."""
    if request.resolution == WantedResolution.REFUND and request.order.status in REFUNDABLE_ORDER:
        order_services.order_refund_open(
            actor=actor, order_id=request.order_id, reference=str(request)
        )


def return_refund_withdrawn(*, actor: User | None, request: ReturnRequest) -> None:
    """An approved return to be refunded was cancelled: the order is `completed` again unless
    another return of it still waits for its refund. The caller holds the order's lock."""
    if (
        request.resolution == WantedResolution.REFUND
        and request.order.status == OrderStatus.REFUNDING
    ):
        order_services.order_refund_settle(
            actor=actor,
            order_id=request.order_id,
            reference=str(request),
            others_open=_other_refunds_open(request),
        )


def _other_refunds_open(request: ReturnRequest) -> bool:
    return (
        ReturnRequest.objects.filter(
            order_id=request.order_id, status__in=OPEN_STATUSES, resolution=WantedResolution.REFUND
        )
        .exclude(pk=request.pk)
        .exists()
    )


def _returned_quantities(return_request: ReturnRequest) -> dict[int, int]:
    return {
        line.order_line.line_no: line.quantity
        for line in return_request.lines.select_related("order_line")
    }


def _refund(
    *, actor: User, return_request: ReturnRequest, order: Order, shipping: bool, note: str
) -> tuple[list[CreditNote], list, Decimal]:
    if order.status not in REFUNDABLE_ORDER:
        raise ServiceError(
            _("Order %(order)s is %(status)s: a refund starts once it was delivered.")
            % {"order": order, "status": order.get_status_display()}
        )
    reference = str(return_request)
    order_services.order_refund_open(actor=actor, order_id=order.pk, reference=reference)
    credit_notes = order_credit_returned(
        actor=actor,
        order=order,
        quantities=_returned_quantities(return_request),
        shipping=shipping,
        note=(note or _("Return %(number)s") % {"number": reference})[:NOTE_LENGTH],
    )
    refunds = []
    if refundable_amount(credit_notes) > 0:
        refunds = credit_notes_refund(
            actor=actor, credit_notes=credit_notes, idempotency_key=f"return:{reference}"
        )
    order_services.order_refund_settle(
        actor=actor,
        order_id=order.pk,
        reference=reference,
        others_open=_other_refunds_open(return_request),
    )
    refunded = -sum((refund.amount for refund in refunds), ZERO)
    return credit_notes, refunds, refunded


def _send_again(*, actor: User, return_request: ReturnRequest, order: Order, repair: bool) -> Order:
    lines = [
        order_services.LineRequest(line.order_line.product, line.quantity)
        for line in return_request.lines.select_related("order_line__product").order_by(
            "order_line__line_no"
        )
    ]
    repair_at = None
    if repair:
        repair_at = (
            return_request.warehouse
            or Warehouse.objects.filter(is_active=True).order_by("pk").first()
        )
        if repair_at is None:
            raise ServiceError(_("No warehouse to repair the goods at."))
    return order_services.order_replacement_place(
        actor=actor,
        original=order,
        lines=lines,
        reference=str(return_request),
        repair_at=repair_at,
    )


def _take_for_repair(*, actor: User, return_request: ReturnRequest) -> None:
    """The customer's goods leave stock for the work order that repairs them. Inspection
    booked them in (restocked or into quarantine); left there they would count as stock while
    the work order makes the repaired units that go back. Scrapped goods are out already.
    Stock rows are locked last, in (product, warehouse) order."""
    taken = (
        return_request.lines.filter(
            disposition__in=[Disposition.RESTOCK, Disposition.QUARANTINE],
            stock_movement__isnull=False,
        )
        .select_related("order_line__product", "stock_movement__warehouse")
        .order_by("order_line__product_id", "stock_movement__warehouse_id", "pk")
    )
    for line in taken:
        warehouse = line.stock_movement.warehouse
        try:
            stock_adjust(
                actor=acting_user(actor),
                product=line.order_line.product,
                warehouse=warehouse,
                quantity=-line.quantity,
                reason=AdjustmentReason.REPAIR,
                note=_("Returned goods taken for repair"),
                reference=str(return_request),
            )
        except ValidationError as exc:
            raise ServiceError(
                _(
                    "%(sku)s: the returned goods are no longer in stock at %(warehouse)s "
                    "(%(why)s) and cannot be repaired; resolve by exchange or refund."
                )
                % {
                    "sku": line.order_line.product.sku,
                    "warehouse": warehouse.code,
                    "why": " ".join(exc.messages),
                }
            ) from None


@atomic_with_retry()
def return_resolve(
    *,
    actor: User,
    return_request: ReturnRequest,
    resolution: str,
    refund_shipping: bool | None,
    note: str,
    submission_key: str = "",
) -> ReturnResolution:
    """Settle an inspected return (see the module's docstring). `refund_shipping` None: the
    rule by reason decides. Returns the resolution; the same `submission_key` again returns
    it unchanged."""
    if resolution not in WantedResolution.values:
        raise ServiceError(_("Choose refund, exchange or repair."))
    key = (submission_key or "").strip()[:64] or f"return:{return_request.pk}"
    note = (note or "").strip()
    if actor is not None and not actor.has_perm("aftersales.resolve_return"):
        raise PermissionDenied(_("Your role does not allow resolving returns."))
    # The customer first (billing takes it first for money), then the order and the return.
    Customer.objects.select_for_update().filter(pk=return_request.customer_id).get()
    return_request = lock_return(return_request)
    order = return_request.order
    done = ReturnResolution.objects.filter(request=return_request).first()
    if done is not None:
        if done.submission_key == key:
            return done
        raise ServiceError(
            _("Return %(number)s is resolved already (%(kind)s).")
            % {"number": return_request, "kind": done.get_kind_display()}
        )
    if return_request.status != ReturnStatus.INSPECTED:
        raise ServiceError(
            _("Return %(number)s is %(status)s: it is resolved once its goods are inspected.")
            % {"number": return_request, "status": return_request.get_status_display()}
        )
    default = shipping_refund_default(return_request.reason)
    shipping = default if refund_shipping is None else bool(refund_shipping)
    record = ReturnResolution(
        request=return_request,
        kind=resolution,
        overridden=resolution != return_request.resolution
        or (resolution == WantedResolution.REFUND and shipping != default),
        note=note,
        submission_key=key,
        created_by=actor if actor and actor.is_authenticated else None,
    )
    credit_notes: list[CreditNote] = []
    refunds: list = []
    if resolution == WantedResolution.REFUND:
        credit_notes, refunds, refunded = _refund(
            actor=actor, return_request=return_request, order=order, shipping=shipping, note=note
        )
        # The decision; what it credited is on the credit notes (a second return of an order
        # finds the fee credited already).
        record.shipping_refunded = shipping
        record.amount_credited = sum((n.total for n in credit_notes), ZERO)
        record.amount_refunded = refunded
    else:
        record.replacement_order = _send_again(
            actor=actor,
            return_request=return_request,
            order=order,
            repair=resolution == WantedResolution.REPAIR,
        )
        if resolution == WantedResolution.REPAIR:
            _take_for_repair(actor=actor, return_request=return_request)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        raise ServiceError(
            _("Return %(number)s is resolved already.") % {"number": return_request}
        ) from None
    record.credit_notes.set(credit_notes)
    record.refunds.set(refunds)
    data = {
        "resolution": resolution,
        "credit_notes": [n.number for n in credit_notes],
        "refunds": [r.number for r in refunds],
        "credited": str(record.amount_credited),
        "refunded": str(record.amount_refunded),
        "shipping_refunded": record.shipping_refunded,
        "replacement_order": record.replacement_order.number if record.replacement_order else "",
        "overridden": record.overridden,
    }
    return_transition(
        actor=actor,
        request=return_request,
        to=ReturnStatus.RESOLVED,
        kind=ReturnEventKind.RESOLVED,
        note=note,
        data=data,
    )
    audit_record(actor=actor, action="return.resolve", obj=record, changes=data)
    notify(
        return_request.customer,
        RESOLUTION_MESSAGES[resolution].code,
        {
            "return_number": str(return_request),
            "order_number": order.number,
            "customer_name": return_request.customer.name,
            "amount": format_money(record.amount_refunded),
            "replacement_number": record.replacement_order.number
            if record.replacement_order
            else "",
        },
        key=str(return_request.pk),
    )
    return record
