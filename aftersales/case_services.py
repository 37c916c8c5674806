"""Complaints: every write to a case and its clock (escalations: aftersales.case_escalation).

The SLA clock (`aftersales.sla`): a case's deadlines are its opening time plus the priority's
targets plus the working time it spent with the clock stopped, all counted in office hours
on working days. The clock stops while the case waits for the customer and while it is
resolved (a reopened case goes on where it stopped); `sla_paused_at` says since when, and the
working time of each stop is added to `paused_seconds` when the clock starts again, after
which the deadlines are worked out anew. `sla_due_at` / `sla_warn_at` hold the deadline that
matters now (the first response until staff answered, then the resolution) and are empty
while the clock stands, so the queue, the overdue filter and the escalation job read one
indexed column.

Locks: the case row (select_for_update) in every service that changes a case.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales import sla
from aftersales.models import (
    CASE_NUMBER_SEQUENCE,
    CASE_TRANSITIONS,
    Case,
    CaseAttachment,
    CaseCategory,
    CaseEvent,
    CaseEventKind,
    CasePriority,
    CaseStatus,
)
from customers.models import Customer
from customers.selectors import customer_visible_to
from inventory.models import Product
from oms.db import next_document_number
from oms.errors import ServiceError
from oms.services import audit_record
from oms.types import User
from oms.uploads import sniffed_type
from orders.models import Order
from shipping.models import Shipment, ShipmentLine

logger = logging.getLogger(__name__)

WORK_PERMISSION = "aftersales.change_case"
# What staff may attach: the type is read from the file's first bytes, never from its name.
ATTACHMENT_TYPES: dict[str, tuple[bytes, tuple[str, ...]]] = {
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
    "image/gif": (b"GIF8", (".gif",)),
}
NOTE_MAX_LENGTH = 5000


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _staff_name(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


# --- the clock ------------------------------------------------------------------------------


def current_target(case: Case) -> str:
    return sla.RESPONSE if case.first_response_at is None else sla.RESOLUTION


def _stopped_so_far(case: Case, now: datetime) -> int:
    """Working seconds the clock has stood still, the current stop included."""
    if case.sla_paused_at is None:
        return case.paused_seconds
    calendar = sla.calendar_for(case.sla_paused_at, until=now)
    return case.paused_seconds + sla.working_seconds_between(
        case.sla_paused_at, now, calendar, sla.office_day()
    )


def _office_time_since_opening(case: Case, now: datetime) -> int:
    calendar = sla.calendar_for(case.opened_at, until=now)
    spent = sla.working_seconds_between(case.opened_at, now, calendar, sla.office_day())
    return max(0, spent - _stopped_so_far(case, now))


def _stop_clock(case: Case, now: datetime) -> None:
    if case.sla_paused_at is None:
        case.sla_paused_at = now
    case.sla_due_at = case.sla_warn_at = None


def _start_clock(case: Case, now: datetime) -> None:
    """Count the stop just ended, work the deadlines out again, and show the current one."""
    if case.sla_paused_at is not None:
        case.paused_seconds = _stopped_so_far(case, now)
        case.sla_paused_at = None
    _apply_deadlines(case)


def _apply_deadlines(case: Case) -> None:
    deadlines = sla.deadlines(
        opened_at=case.opened_at, priority=case.priority, paused_seconds=case.paused_seconds
    )
    case.response_due_at = deadlines.response_due
    case.resolution_due_at = deadlines.resolution_due
    if case.sla_paused_at is None and case.status == CaseStatus.OPEN:
        target = current_target(case)
        case.sla_due_at, case.sla_warn_at = deadlines.due(target), deadlines.warn(target)
    else:
        case.sla_due_at = case.sla_warn_at = None


# --- opening --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRequest:
    customer: Customer
    category: str
    subject: str
    priority: str = CasePriority.NORMAL
    description: str = ""
    order: Order | None = None
    shipment: Shipment | None = None
    product: Product | None = None
    lot: str = ""
    assignee: User | None = None


def _check_request(actor: User | None, request: CaseRequest) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if actor is not None and not customer_visible_to(request.customer, actor):
        raise ServiceError(_("You may not open a case for this customer."))
    if request.category not in CaseCategory.values:
        errors["category"] = _("Choose a category.")
    if request.priority not in CasePriority.values:
        errors["priority"] = _("Choose a priority.")
    subject = (request.subject or "").strip()
    if not subject:
        errors["subject"] = _("Say in a few words what the complaint is about.")
    lot = (request.lot or "").strip()
    order, shipment = request.order, request.shipment
    if shipment is not None:
        if order is None:
            order = shipment.order
        elif shipment.order_id != order.pk:
            errors["shipment"] = _("This shipment belongs to another order.")
    if order is not None and order.customer_id != request.customer.pk:
        errors["order"] = _("This order belongs to another customer.")
    if request.assignee is not None and not _may_work_cases(request.assignee):
        errors["assignee"] = _("%(user)s may not work on cases.") % {
            "user": _staff_name(request.assignee)
        }
    if errors:
        raise ValidationError(errors)
    return {
        "customer": request.customer,
        "category": request.category,
        "priority": request.priority,
        "subject": subject[:200],
        "description": (request.description or "").strip(),
        "order": order,
        "shipment": shipment,
        "product": request.product,
        "lot": lot[:60],
        "assignee": request.assignee,
    }


def _may_work_cases(user: Any) -> bool:
    return bool(user.is_active and user.has_perm(WORK_PERMISSION))


def _insert_case(
    actor: User | None, fields: dict[str, Any], *, recall_lot: str = "", opened_at=None
) -> Case:
    case = Case(
        number=next_document_number("CASE", CASE_NUMBER_SEQUENCE),
        created_by=actor if actor is not None and actor.is_authenticated else None,
        recall_lot=recall_lot,
        opened_at=opened_at or timezone.now(),
        **fields,
    )
    _apply_deadlines(case)
    case.save()
    CaseEvent.objects.create(
        case=case, kind=CaseEventKind.OPENED, actor=case.created_by, created_at=case.opened_at
    )
    if case.assignee_id:
        CaseEvent.objects.create(
            case=case,
            kind=CaseEventKind.ASSIGN,
            actor=case.created_by,
            to_value=_staff_name(case.assignee)[:40],
            created_at=case.opened_at,
        )
    audit_record(
        actor=actor,
        action="case.open",
        obj=case,
        changes={"customer": [None, case.customer_id], "priority": [None, case.priority]},
    )
    return case


def case_open(
    *, actor: User | None, request: CaseRequest, opened_at: datetime | None = None
) -> Case:
    """Open a case: numbered CASE-YYYY-NNNNNN, deadlines from its priority, an audit row."""
    fields = _check_request(actor, request)
    with transaction.atomic():
        return _insert_case(actor, fields, opened_at=opened_at)


# --- working on a case ------------------------------------------------------------------------


def case_add_note(
    *,
    actor: User | None,
    case: Case,
    body: str,
    kind: str = CaseEventKind.NOTE,
    at: datetime | None = None,
) -> CaseEvent:
    """A staff note, or a customer's message as staff took it down. The first staff note
    after opening is the first response: it stops the response clock. `at`: when (demo
    history and tests; now by default)."""
    body = (body or "").strip()
    if kind not in (CaseEventKind.NOTE, CaseEventKind.CUSTOMER):
        raise ValidationError({"kind": _("Choose what kind of note this is.")})
    if not body:
        raise ValidationError({"body": _("Write the note first.")})
    if len(body) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"body": _("A note has at most %(count)s characters.") % {"count": NOTE_MAX_LENGTH}}
        )
    with transaction.atomic():
        case = _lock(case)
        if case.status == CaseStatus.CLOSED:
            raise ServiceError(_("%(case)s is closed.") % {"case": case.number})
        now = at or timezone.now()
        event = CaseEvent.objects.create(
            case=case, kind=kind, actor=actor, body=body, created_at=now
        )
        if kind == CaseEventKind.NOTE and actor is not None and case.first_response_at is None:
            case.first_response_at = now
            case.response_seconds = _office_time_since_opening(case, now)
            _apply_deadlines(case)
            case.save(
                update_fields=[
                    "first_response_at",
                    "response_seconds",
                    "sla_due_at",
                    "sla_warn_at",
                    "updated_at",
                ]
            )
        audit_record(actor=actor, action="case.note", obj=case, changes={"kind": [None, kind]})
    return event


def case_set_status(
    *, actor: User | None, case: Case, status: str, note: str = "", at: datetime | None = None
) -> Case:
    """Move a case along CASE_TRANSITIONS. Waiting for the customer and resolved stop the
    clock; back to open starts it again. Resolving records the time it took (office time,
    stops left out) and whether that was within the SLA."""
    if status not in CaseStatus.values:
        raise ValidationError({"status": _("Choose a status.")})
    with transaction.atomic():
        case = _lock(case)
        previous = case.status
        if status == previous:
            return case
        if status not in CASE_TRANSITIONS[previous]:
            raise ServiceError(
                _("A case that is %(from)s cannot become %(to)s.")
                % {"from": CaseStatus(previous).label, "to": CaseStatus(status).label}
            )
        now = at or timezone.now()
        case.status = status
        if status == CaseStatus.OPEN:
            if previous == CaseStatus.RESOLVED:
                case.resolved_at = case.resolution_seconds = case.resolved_within_sla = None
            _start_clock(case, now)
        else:
            _stop_clock(case, now)
        if status in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and case.resolved_at is None:
            case.resolved_at = now
            case.resolution_seconds = _office_time_since_opening(case, now)
            # The deadline counted with every stop up to now.
            paused = _stopped_so_far(case, now)
            due = sla.deadlines(
                opened_at=case.opened_at, priority=case.priority, paused_seconds=paused
            ).resolution_due
            case.resolved_within_sla = now <= due
        if status == CaseStatus.CLOSED:
            case.closed_at = now
        case.save()
        CaseEvent.objects.create(
            case=case,
            kind=CaseEventKind.STATUS,
            actor=actor,
            body=(note or "").strip()[:NOTE_MAX_LENGTH],
            from_value=previous,
            to_value=status,
            created_at=now,
        )
        audit_record(
            actor=actor, action="case.status", obj=case, changes={"status": [previous, status]}
        )
    return case


def case_assign(*, actor: User | None, case: Case, assignee: User | None) -> Case:
    if assignee is not None and not _may_work_cases(assignee):
        raise ValidationError(
            {"assignee": _("%(user)s may not work on cases.") % {"user": _staff_name(assignee)}}
        )
    with transaction.atomic():
        case = _lock(case)
        if case.assignee_id == (assignee.pk if assignee else None):
            return case
        if case.status == CaseStatus.CLOSED:
            raise ServiceError(_("%(case)s is closed.") % {"case": case.number})
        before = case.assignee
        case.assignee = assignee
        case.save(update_fields=["assignee", "updated_at"])
        CaseEvent.objects.create(
            case=case,
            kind=CaseEventKind.ASSIGN,
            actor=actor,
            from_value=_staff_name(before)[:40],
            to_value=_staff_name(assignee)[:40],
        )
        audit_record(
            actor=actor,
            action="case.assign",
            obj=case,
            changes={
                "assignee": [before.pk if before else None, assignee.pk if assignee else None]
            },
        )
    return case


def attachment_type(upload: UploadedFile) -> str:
    """The MIME type of an upload from its first bytes, checked against its name; refused
    (ValidationError) when too large, empty, of another type, or named as another type."""
    return sniffed_type(
        upload,
        types=ATTACHMENT_TYPES,
        max_bytes=settings.OMS_CASE_ATTACHMENT_MAX_BYTES,
        refusal=_("Only PDF, PNG, JPEG and GIF files can be attached."),
    )


def case_attach(*, actor: User | None, case: Case, upload: UploadedFile) -> CaseAttachment:
    """Store a file with the case, under a random name in the private attachment folder."""
    mime = attachment_type(upload)
    name = PurePath(upload.name or "file").name[:200]
    suffix = ATTACHMENT_TYPES[mime][1][0]
    with transaction.atomic():
        case = _lock(case)
        if case.status == CaseStatus.CLOSED:
            raise ServiceError(_("%(case)s is closed.") % {"case": case.number})
        attachment = CaseAttachment(
            case=case,
            name=name,
            content_type=mime,
            size=upload.size or 0,
            uploaded_by=actor,
        )
        attachment.file.save(f"{uuid.uuid4().hex}{suffix}", upload, save=False)
        stored = attachment.file.name or ""
        # The file is written before the row: remove it again if the row cannot be saved.
        try:
            attachment.save()
            CaseEvent.objects.create(
                case=case, kind=CaseEventKind.ATTACHMENT, actor=actor, body=name
            )
            audit_record(
                actor=actor, action="case.attach", obj=case, changes={"file": [None, name]}
            )
        except Exception:
            attachment.file.storage.delete(stored)
            raise
    return attachment


# --- recalls --------------------------------------------------------------------------------


def _recall_lines(lot: str):
    """The dispatched shipment lines of a lot: the goods that reached customers."""
    return (
        ShipmentLine.objects.filter(lot=lot, shipment__dispatched_at__isnull=False)
        .select_related("shipment__order__customer", "product")
        .order_by("shipment__order__customer_id", "-shipment__dispatched_at", "pk")
    )


@dataclass(frozen=True)
class RecallResult:
    opened: list[Case]
    already_open: int


def cases_open_for_lot(
    *,
    actor: User | None,
    lot: str,
    category: str = CaseCategory.DEFECTIVE,
    priority: str = CasePriority.HIGH,
    subject: str = "",
) -> RecallResult:
    """One case per customer who received goods of the lot (their latest shipment of it),
    named by `recall_lot`: a second run, or two at once, opens none twice (the unique key on
    customer and recall lot; a customer who has a case about the lot is counted, not given
    another)."""
    lot = (lot or "").strip()
    if not lot:
        raise ValidationError({"lot": _("Name the lot first.")})
    subject = (subject or "").strip() or _("Recall of lot %(lot)s") % {"lot": lot}
    first_lines: dict[int, ShipmentLine] = {}
    for line in _recall_lines(lot):
        first_lines.setdefault(line.shipment.order.customer_id, line)
    if not first_lines:
        raise ServiceError(_("No dispatched goods carry lot %(lot)s.") % {"lot": lot})
    # A customer who already has a case about the lot (their own complaint, or an earlier
    # recall) gets no second one.
    existing = set(
        Case.objects.filter(Q(recall_lot=lot) | Q(lot=lot), customer_id__in=first_lines)
        .values_list("customer_id", flat=True)
        .distinct()
    )
    opened: list[Case] = []
    already = len(existing)
    for customer_id, line in first_lines.items():
        if customer_id in existing:
            continue
        request = CaseRequest(
            customer=line.shipment.order.customer,
            category=category,
            priority=priority,
            subject=subject,
            order=line.shipment.order,
            shipment=line.shipment,
            product=line.product,
            lot=lot,
        )
        fields = _check_request(None, request)
        try:
            with transaction.atomic():
                opened.append(_insert_case(actor, fields, recall_lot=lot[:60]))
        except IntegrityError:  # another click opened it a moment ago
            already += 1
    if opened:
        audit_record(
            actor=actor,
            action="case.recall",
            obj=opened[0],
            changes={"lot": [None, lot], "cases": [None, len(opened)]},
        )
    return RecallResult(opened=opened, already_open=already)
