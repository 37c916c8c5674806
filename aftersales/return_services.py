"""Writes of returns (RMA): request, approve or reject, the customer's parcel back and its
receipt. The rules a request must meet are in return_rules, inspection per line in
return_inspection; resolutions (refund, exchange, repair) build on `return_transition`.

Locks, always in this order: the order row (orders' first lock: two requests for one order
serialise there, so together they can never ask for more than was delivered), the return row,
its line rows in key order, then stock rows through inventory's services.
"""

import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales import return_rules
from aftersales.case_selectors import cases_visible_to
from aftersales.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    ReturnEvent,
    ReturnLine,
    ReturnPhoto,
    ReturnRequest,
)
from aftersales.models.returns import NOTE_LENGTH, REASON_TEXT_LENGTH
from aftersales.return_choices import (
    RETURN_TRANSITIONS,
    ReturnEventKind,
    ReturnReason,
    ReturnSource,
    ReturnStatus,
    WantedResolution,
)
from aftersales.return_photos import CheckedPhoto, check_photos
from aftersales.return_selectors import (
    destination_warehouse_id,
)
from inventory.models import Warehouse
from oms.db import atomic_with_retry, next_document_number
from oms.errors import ServiceError
from oms.messaging import notify
from oms.services import acting_user, audit_record
from oms.types import User
from orders.models import Order
from orders.selectors import orders_visible_to
from orders.services.shared import lock_order
from shipping.models import Carrier

RMA_NUMBER_SEQUENCE = "aftersales_return_number"
# What a carrier's tracking number may look like: letters, digits and dashes (SF1234567890123).
TRACKING_NUMBER = re.compile(r"[A-Za-z0-9-]{6,40}")

PERMISSION_VIEW = "aftersales.view_returnrequest"
PERMISSION_ADD = "aftersales.add_returnrequest"
PERMISSION_CHANGE = "aftersales.change_returnrequest"
PERMISSION_APPROVE = "aftersales.approve_returnrequest"
PERMISSION_RECEIVE = "aftersales.receive_returnrequest"
PERMISSION_INSPECT = "aftersales.inspect_returnrequest"
PERMISSION_OVERRIDE = "aftersales.override_return_rules"
PERMISSION_VIEW_CASE = "aftersales.view_case"


class ReturnError(ServiceError):
    """A return cannot take this step now; the message says why."""


def require_right(actor: User | None, permission: str) -> None:
    """The customer's own page and the system act with actor=None; staff need the right."""
    if actor is not None and not actor.has_perm(permission):
        raise PermissionDenied(_("Your role does not allow this on returns."))


def clean_text(value: str, field: str, *, limit: int = NOTE_LENGTH, required: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: required})
    if len(value) > limit:
        raise ValidationError({field: _("At most %(max)s characters.") % {"max": limit}})
    return value


def return_event(
    request: ReturnRequest,
    kind: str,
    *,
    actor: User | None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> ReturnEvent:
    return ReturnEvent.objects.create(
        request=request,
        kind=kind,
        actor=acting_user(actor),
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )


def lock_return(request: ReturnRequest | int) -> ReturnRequest:
    """The order row first (orders' rule), then the return row, read fresh."""
    pk = request.pk if isinstance(request, ReturnRequest) else request
    order_id = ReturnRequest.objects.values_list("order_id", flat=True).get(pk=pk)
    lock_order(order_id)
    return (
        ReturnRequest.objects.select_for_update(of=("self",))
        .select_related("order", "customer", "warehouse")
        .get(pk=pk)
    )


def _check_move(request: ReturnRequest, to: str) -> None:
    if to not in RETURN_TRANSITIONS[request.status]:
        raise ReturnError(
            _("%(rma)s is %(status)s: it cannot become %(to)s.")
            % {
                "rma": request,
                "status": request.get_status_display(),
                "to": ReturnStatus(to).label,
            }
        )


def return_transition(
    *,
    actor: User | None,
    request: ReturnRequest,
    to: str,
    kind: str,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> ReturnRequest:
    """Move a locked return along RETURN_TRANSITIONS (the only writer of its status), with an
    event and an audit row. The caller holds the return's lock (`lock_return`)."""
    current = request.status
    _check_move(request, to)
    now = timezone.now()
    request.status = to
    fields = ["status", "updated_at"]
    stamp = {
        ReturnStatus.APPROVED: "decided_at",
        ReturnStatus.REJECTED: "decided_at",
        ReturnStatus.RECEIVED: "received_at",
        ReturnStatus.INSPECTED: "inspected_at",
        ReturnStatus.RESOLVED: "resolved_at",
    }.get(ReturnStatus(to))
    if stamp:
        setattr(request, stamp, now)
        fields.append(stamp)
    request.save(update_fields=fields)
    return_event(
        request, kind, actor=actor, from_status=current, to_status=to, note=note, data=data
    )
    # Spelled out: every code an audit row can carry is written somewhere (and labelled).
    action = {
        ReturnEventKind.APPROVED: "return.approved",
        ReturnEventKind.REJECTED: "return.rejected",
        ReturnEventKind.CANCELLED: "return.cancelled",
        ReturnEventKind.RECEIVED: "return.received",
        ReturnEventKind.INSPECTED: "return.inspected",
        ReturnEventKind.RESOLVED: "return.resolved",
    }[kind]
    audit_record(
        actor=actor,
        action=action,
        obj=request,
        changes={"status": [current, to], **({"note": note} if note else {})},
    )
    return request


# --- request -----------------------------------------------------------------------------


def case_link_refusal(case: Case, order: Order) -> str:
    """Why a return of `order` cannot be linked to `case` (empty: it can): the case is about
    this order of this customer, and still open to work on."""
    if case.customer_id != order.customer_id or case.order_id != order.pk:
        return _(
            "Case %(case)s is not about order %(order)s: a return is linked only to a case "
            "about its order."
        ) % {
            "case": case.number,
            "order": order.number,
        }
    if case.status == CaseStatus.CLOSED:
        return _("Case %(case)s is closed: a return can no longer be linked to it.") % {
            "case": case.number
        }
    return ""


def _link_case(actor: User | None, case: Case, order: Order) -> Case:
    """The case, locked after the order (the order first, as everywhere), checked again."""
    may_see = actor is None or (
        actor.has_perm(PERMISSION_VIEW_CASE) and cases_visible_to(actor).filter(pk=case.pk).exists()
    )
    if not may_see:
        raise PermissionDenied(_("You may not link a return to this case."))
    case = Case.objects.select_for_update().get(pk=case.pk)
    refusal = case_link_refusal(case, order)
    if refusal:
        raise ReturnError(refusal)
    return case


@atomic_with_retry()
def return_request_create(
    *,
    actor: User | None,
    order: Order,
    lines: Mapping[int, int],
    reason: str,
    resolution: str,
    reason_text: str = "",
    photos: Sequence[UploadedFile] = (),
    source: str | None = None,
    override_note: str = "",
    submission_key: str | None = None,
    case: Case | None = None,
) -> ReturnRequest:
    """A customer (actor=None, from their order page) or staff ask to send delivered goods
    back. `lines` maps order line ids to quantities. Refused, with every reason, when a
    quantity is above what was delivered less what other live returns hold, or when the
    return rules (window after delivery, made-to-order goods) say no; staff with
    `override_return_rules` accept the latter with a note (an audit row and an event).
    `submission_key` makes a form's double submit return the first request. `case`: the
    complaint the return comes from (same customer and order, not closed, visible to the
    actor); its timeline gets a "return" event."""
    require_right(actor, PERMISSION_ADD)
    if source is None:
        source = ReturnSource.CUSTOMER if actor is None else ReturnSource.STAFF
    errors: dict[str, Any] = {}
    if reason not in ReturnReason.values:
        errors["reason"] = _("Choose why the goods come back.")
    if resolution not in WantedResolution.values:
        errors["resolution"] = _("Choose refund, exchange or repair.")
    if source not in ReturnSource.values:
        errors["source"] = _("Choose who asks for the return.")
    if errors:
        raise ValidationError(errors)
    reason_text = clean_text(reason_text, "reason_text", limit=REASON_TEXT_LENGTH)
    if reason == ReturnReason.OTHER and not reason_text:
        raise ValidationError({"reason_text": _("Say what is wrong with the goods.")})
    override_note = clean_text(override_note, "override_note")
    for upload in photos:
        upload.seek(0)
    try:
        checked = check_photos(list(photos))
    except ValidationError as exc:
        raise ValidationError({"photos": exc.messages}) from None

    if actor is not None and not orders_visible_to(actor).filter(pk=order.pk).exists():
        raise PermissionDenied(_("Your role does not allow this on returns."))
    order = lock_order(order)
    if submission_key:
        earlier = ReturnRequest.objects.filter(submission_key=submission_key).first()
        if earlier is not None:
            if earlier.order_id != order.pk:
                raise PermissionDenied(_("This form was already used for another order."))
            return earlier
    if case is not None:
        case = _link_case(actor, case, order)
    chosen, quantity_errors = return_rules.quantity_errors(order, lines)
    if quantity_errors:
        raise ValidationError({"lines": quantity_errors})
    refusals = return_rules.rule_refusals(reason=reason, lines=chosen)
    may_override = actor is not None and actor.has_perm(PERMISSION_OVERRIDE)
    if refusals and not (may_override and override_note):
        hint = (
            [_("You may accept it anyway: write why in the override note.")] if may_override else []
        )
        raise ValidationError({"__all__": refusals + hint})

    request = ReturnRequest.objects.create(
        order=order,
        customer=order.customer,
        source=source,
        reason=reason,
        reason_text=reason_text,
        resolution=resolution,
        rules_overridden=bool(refusals),
        override_note=override_note if refusals else "",
        submission_key=submission_key or None,
        created_by=acting_user(actor),
        warehouse_id=destination_warehouse_id(order),
        case=case,
    )
    ReturnLine.objects.bulk_create(
        [
            ReturnLine(request=request, order_line=entry.order_line, quantity=quantity)
            for entry, quantity in chosen
        ]
    )
    return_event(
        request,
        ReturnEventKind.REQUESTED,
        actor=actor,
        to_status=ReturnStatus.REQUESTED,
        data={"units": sum(quantity for _entry, quantity in chosen), "source": source},
    )
    audit_record(
        actor=actor,
        action="return.request",
        obj=request,
        changes={
            "order": order.number,
            "reason": reason,
            "resolution": resolution,
            "lines": {entry.order_line.line_no: quantity for entry, quantity in chosen},
            **({"case": case.number} if case is not None else {}),
        },
    )
    if case is not None:
        CaseEvent.objects.create(
            case=case, kind=CaseEventKind.RETURN, actor=acting_user(actor), to_value=str(request.pk)
        )
    if refusals:
        return_event(request, ReturnEventKind.OVERRIDDEN, actor=actor, note=override_note)
        audit_record(
            actor=actor,
            action="return.override",
            obj=request,
            changes={"refusals": refusals, "note": override_note},
        )
    _store_photos(request, checked)
    return request


def _store_photos(request: ReturnRequest, photos: list[CheckedPhoto]) -> None:
    """The files are written last, after every check passed, so a refused request leaves no
    file behind (a failing commit could still leave one: harmless, it has no row)."""
    for photo in photos:
        row = ReturnPhoto(
            request=request,
            original_name=photo.name,
            content_type=photo.content_type,
            size=len(photo.content),
            width=photo.width,
            height=photo.height,
        )
        row.file.save("photo", ContentFile(photo.content), save=False)
        row.save()


# --- decision ----------------------------------------------------------------------------


def default_instructions(warehouse: Warehouse | None, number: str = "") -> str:
    """The return instructions staff start from (they may edit them before approving)."""
    address = (
        f"{warehouse.name}, {warehouse.address}, {warehouse.city}"
        if warehouse is not None
        else settings.OMS_COMPANY_ADDRESS
    )
    return _(
        "Pack the goods safely, in their original packaging if you still have it. Write the "
        "RMA number %(rma)s on the parcel or print the return label, and send it to: "
        "%(address)s. Tell us the carrier and tracking number once it is on its way."
    ) % {"rma": number or _("(given on approval)"), "address": address}


def notify_customer(request: ReturnRequest, event_code: str, **extra: Any) -> None:
    from aftersales.return_messages import return_message_context

    # Once per return and event: a repeated step sends nothing new.
    notify(
        request.customer,
        event_code,
        {**return_message_context(request), **extra},
        key=str(request.pk),
    )


@atomic_with_retry()
def return_approve(
    *,
    actor: User | None,
    request: ReturnRequest,
    instructions: str = "",
    warehouse: Warehouse | None = None,
) -> ReturnRequest:
    """Accept the request: it gets its RMA number and the customer the return instructions
    (the warehouse the goods go to, default the one that shipped most of the order)."""
    require_right(actor, PERMISSION_APPROVE)
    request = lock_return(request)
    _check_move(request, ReturnStatus.APPROVED)
    if warehouse is not None:
        if not warehouse.is_active or warehouse.is_quarantine:
            raise ValidationError({"warehouse": _("Choose an active, sellable warehouse.")})
        request.warehouse = warehouse
    request.number = next_document_number("RMA", RMA_NUMBER_SEQUENCE)
    instructions = clean_text(instructions, "instructions", limit=REASON_TEXT_LENGTH)
    request.instructions = instructions or default_instructions(request.warehouse, request.number)
    request.save(update_fields=["number", "instructions", "warehouse"])
    return_transition(
        actor=actor,
        request=request,
        to=ReturnStatus.APPROVED,
        kind=ReturnEventKind.APPROVED,
        data={"number": request.number},
    )
    notify_customer(request, "return.approved")
    from aftersales.resolutions import return_refund_opened

    return_refund_opened(actor=actor, request=request)
    return request


@atomic_with_retry()
def return_reject(*, actor: User | None, request: ReturnRequest, reason: str) -> ReturnRequest:
    """Refuse the request with a reason the customer reads."""
    require_right(actor, PERMISSION_APPROVE)
    reason = clean_text(reason, "reason", required=_("Say why the return is refused."))
    request = lock_return(request)
    request.rejection_reason = reason
    request.save(update_fields=["rejection_reason"])
    return_transition(
        actor=actor,
        request=request,
        to=ReturnStatus.REJECTED,
        kind=ReturnEventKind.REJECTED,
        note=reason,
    )
    notify_customer(request, "return.rejected")
    return request


@atomic_with_retry()
def return_cancel(*, actor: User | None, request: ReturnRequest, note: str = "") -> ReturnRequest:
    """Withdraw a request not yet received (the customer changed their mind, a duplicate):
    its quantities may be asked for again."""
    require_right(actor, PERMISSION_CHANGE)
    note = clean_text(note, "note")
    request = lock_return(request)
    was = request.status
    return_transition(
        actor=actor,
        request=request,
        to=ReturnStatus.CANCELLED,
        kind=ReturnEventKind.CANCELLED,
        note=note,
    )
    if was == ReturnStatus.APPROVED:
        from aftersales.resolutions import return_refund_withdrawn

        return_refund_withdrawn(actor=actor, request=request)
    return request


@atomic_with_retry()
def return_record_shipment(
    *, actor: User | None, request: ReturnRequest, carrier: Carrier, tracking_number: str
) -> ReturnRequest:
    """The customer's parcel is on its way back: its carrier and tracking number."""
    require_right(actor, PERMISSION_CHANGE)
    tracking_number = (tracking_number or "").strip().upper()
    if not TRACKING_NUMBER.fullmatch(tracking_number):
        raise ValidationError(
            {
                "tracking_number": _(
                    "Enter the carrier's tracking number: 6 to 40 letters, digits or dashes."
                )
            }
        )
    if not carrier.active:
        raise ValidationError({"carrier": _("Choose an active carrier.")})
    request = lock_return(request)
    if request.status != ReturnStatus.APPROVED:
        raise ReturnError(
            _("%(rma)s is %(status)s: a return parcel is recorded once it is approved.")
            % {"rma": request, "status": request.get_status_display()}
        )
    before = (request.return_carrier_id, request.return_tracking_number)
    request.return_carrier = carrier
    request.return_tracking_number = tracking_number
    request.return_shipped_at = request.return_shipped_at or timezone.now()
    request.save(
        update_fields=[
            "return_carrier",
            "return_tracking_number",
            "return_shipped_at",
            "updated_at",
        ]
    )
    return_event(
        request,
        ReturnEventKind.SHIPPED,
        actor=actor,
        data={"carrier": carrier.name, "tracking_number": tracking_number},
    )
    audit_record(
        actor=actor,
        action="return.shipment",
        obj=request,
        changes={
            "carrier": [before[0], carrier.pk],
            "tracking_number": [before[1], tracking_number],
        },
    )
    return request


@atomic_with_retry()
def return_receive(
    *, actor: User | None, request: ReturnRequest, warehouse: Warehouse, note: str = ""
) -> ReturnRequest:
    """The parcel arrived at `warehouse`. Nothing enters stock yet: inspection decides per
    line (restock, quarantine, scrap)."""
    require_right(actor, PERMISSION_RECEIVE)
    note = clean_text(note, "note")
    if not warehouse.is_active or warehouse.is_quarantine:
        raise ValidationError({"warehouse": _("Choose an active, sellable warehouse.")})
    request = lock_return(request)
    request.warehouse = warehouse
    request.save(update_fields=["warehouse"])
    return_transition(
        actor=actor,
        request=request,
        to=ReturnStatus.RECEIVED,
        kind=ReturnEventKind.RECEIVED,
        note=note,
        data={"warehouse": warehouse.code},
    )
    notify_customer(request, "return.received")
    return request
