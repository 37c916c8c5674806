"""Services shared by every app: the audit trail, saving master data, the outbox, export
jobs (oms.filejobs runs them) and the working-day calendar."""

import io
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, QueryDict
from django.urls import resolve
from django.utils.translation import gettext as _

from oms import together
from oms.db import atomic_with_retry, insert_row, new_row
from oms.errors import ServiceError
from oms.exports import copy_csv, export_plan, write_csv
from oms.filejobs import FileJobProgress, file_job_start
from oms.models import AuditLog, CalendarDay, FileJob, OutboxMessage, SubmittedForm
from oms.types import User

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=Model)


def _plain(value: Any) -> Any:
    if isinstance(value, Model):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def acting_user(actor: User | None) -> User | None:
    """The user to record as the actor of a change; None for the system or an anonymous
    request."""
    return actor if actor is not None and actor.is_authenticated else None


def role_emails(*roles: str) -> list[str]:
    """The e-mail addresses of the active users of these roles (staff messages: digests,
    escalations), sorted and without duplicates."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    return sorted(set(users.filter(groups__name__in=roles).values_list("email", flat=True)))


def audit_record(
    *, actor: User | None, action: str, obj: Model, changes: dict[str, Any] | None = None
) -> AuditLog:
    """Write the audit row (inside oms.together.together(), with the block's others)."""
    row = new_row(
        AuditLog,
        actor=acting_user(actor),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes={k: _plain(v) for k, v in (changes or {}).items()},
    )
    rows = together.held()
    if rows is not None:
        rows.audits.append(row)
    else:
        insert_row(row)
    return row


def check_field_rights(
    actor: User | None, changed: Iterable[str], field_permissions: Mapping[str, str]
) -> None:
    """Refuse changes to fields whose owning permission the actor lacks (credit terms are
    finance's, prices the manager's). `field_permissions` maps field -> "app.codename";
    fields not named there follow the view's own permission. None is the system: allowed."""
    if actor is None:
        return
    refused = {
        field: _("You may not change this field.")
        for field in changed
        if field in field_permissions and not actor.has_perm(field_permissions[field])
    }
    if refused:
        raise ValidationError(refused)


def fields_user_may_not_change(user, field_permissions: Mapping[str, str]) -> set[str]:
    """For forms: the fields to show read-only to this user."""
    return {field for field, perm in field_permissions.items() if not user.has_perm(perm)}


@transaction.atomic
def model_save(
    *,
    actor: User | None,
    instance: M,
    data: dict[str, Any],
    action: str,
    field_permissions: Mapping[str, str] | None = None,
) -> M:
    """Apply data to a master-data row, validate it, save it and write the audit row.

    The audit row records each changed field as [old, new]. With `field_permissions`, a field
    the actor may not change refuses the whole save (nothing is written).
    """
    before = {field: getattr(instance, field) for field in data}
    for field, value in data.items():
        setattr(instance, field, value)
    try:
        instance.full_clean()
        # Compared after full_clean: the model's clean() may normalise (codes upper-cased).
        changes: dict[str, Any] = {}
        for field, old in before.items():
            new = getattr(instance, field)
            if old != new:
                changes[field] = [_plain(old), _plain(new)] if instance.pk else _plain(new)
        if field_permissions:
            check_field_rights(actor, changes, field_permissions)
    except ValidationError:
        for field, old in before.items():  # a refused save leaves the caller's object as it was
            setattr(instance, field, old)
        raise
    instance.save()
    if changes or action.endswith("create"):
        audit_record(actor=actor, action=action, obj=instance, changes=changes)
    return instance


def outbox_enqueue(
    *, dedupe_key: str, recipients: Iterable[str], subject: str, body: str, html_body: str = ""
) -> OutboxMessage | None:
    """Queue a message in the current transaction; a worker sends it after commit.

    The same dedupe_key twice queues it once, so a job that runs twice sends one e-mail.
    Returns None when the key was already used.
    """
    message, created = OutboxMessage.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={
            "recipients": sorted(set(recipients)),
            "subject": subject[:250],
            "body": body,
            "html_body": html_body,
        },
    )
    if not created:
        return None
    from oms.tasks import deliver_outbox_message, enqueue_on_commit

    enqueue_on_commit(deliver_outbox_message, message.pk)
    return message


@atomic_with_retry()
def form_submit_once(
    *,
    token: uuid.UUID,
    user: User | None,
    save: Callable[[], Model],
    result_url: Callable[[Model], str],
) -> tuple[Model | None, str]:
    """Run `save` once per form token, in one transaction with the token's claim.

    Returns (the saved object, its URL), or (None, the URL of what the first submit of the
    same token saved). A concurrent second submit waits on the token's row until the first
    commits; if the first failed, its claim rolled back and the second saves normally.
    """
    try:
        with transaction.atomic():
            SubmittedForm.objects.create(token=token, user=user)
    except IntegrityError:
        first = SubmittedForm.objects.get(token=token)
        return None, first.result_url
    obj = save()
    url = result_url(obj)
    SubmittedForm.objects.filter(token=token).update(result_url=url[:500])
    return obj, url


class ExportIncomplete(Exception):
    """Fewer rows reached the file than the export's snapshot holds."""


def export_job_start(
    *, user: User, path: str, list_name: str, query_string: str, language: str
) -> FileJob:
    """Queue a list's CSV export for a worker (a file job of kind "export")."""
    return file_job_start(
        user=user,
        kind="export",
        path=path,
        list_name=list_name,
        query_string=query_string,
        language=language,
    )


def export_list_view(path: str) -> tuple[Any, dict[str, Any]]:
    """The list view class at `path` (an ObjectListView) and its URL arguments."""
    match = resolve(path)
    view_class = getattr(match.func, "view_class", None)
    if view_class is None or not hasattr(view_class, "export_table"):
        raise ServiceError(f"{path} is not a list page")
    return view_class, match.kwargs


def file_job_request(job: FileJob) -> HttpRequest:
    """The list page's GET request as the job's user sent it: same filters, same sorting."""
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = job.path
    request.GET = QueryDict(job.query_string)
    request.user = job.user
    request.LANGUAGE_CODE = job.language
    return request


def export_write(job: FileJob, part: Path, progress: FileJobProgress) -> int:
    """An export job's CSV file: the list's rows as its user sees them now."""
    view_class, kwargs = export_list_view(job.path)
    request = file_job_request(job)
    view = view_class()
    view.setup(request, **kwargs)
    # Rights may have changed since the job was queued.
    if not job.user.is_active or not view.has_permission():
        raise PermissionDenied(f"{job.user} may not read {job.path}")
    table = view.export_table(request)
    data = table.data.data
    plan = export_plan(table, data)
    snapshot = not connection.in_atomic_block
    with transaction.atomic(), open(part, "wb") as out:
        if snapshot:
            # One snapshot for the count and the rows, so the two must agree.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        total = data.count() if isinstance(data, QuerySet) else len(data)
        progress.report(0, total, force=True)

        def report(rows: int) -> None:
            progress.report(rows, total)

        if isinstance(data, QuerySet) and plan.in_database:
            rows = copy_csv(plan, data, out, progress=report)  # PostgreSQL writes the rows
        else:
            text = io.TextIOWrapper(out, encoding="utf-8", newline="")
            rows = write_csv(plan, data, text, progress=report)
            text.flush()
            text.detach()  # the file is closed by its own with-block
    if rows != total:
        raise ExportIncomplete(f"{rows} of {total} rows written")
    return rows


@transaction.atomic
def calendar_day_set(*, actor: User | None, day: date, working: bool, name: str = "") -> bool:
    """Make `day` a working day or a day off (a holiday added or removed, a make-up working day
    added or removed), with an audit row. Returns False when the day already was so.

    The edit is kept only where it differs from the shipped calendar: giving a day back the
    status the shipped calendar has removes its row, so a later `holidays` release (next
    year's State Council notice) is not hidden behind an old edit that agreed with it.
    """
    from oms import workdays

    row = CalendarDay.objects.select_for_update().filter(date=day).first()
    now_working = row.is_working_day if row is not None else workdays.official_is_working_day(day)
    if now_working == working:
        return False
    changes = {"date": day.isoformat(), "working_day": [now_working, working]}
    if working == workdays.official_is_working_day(day):
        assert row is not None  # the status differs from the shipped one only through a row
        audit_record(actor=actor, action="calendar.reset", obj=row, changes=changes)
        row.delete()
        return True
    if row is None:
        row = CalendarDay(date=day)
    row.is_working_day, row.name, row.created_by = working, name.strip()[:100], actor
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # somebody edited the same day a moment ago
        raise ServiceError(_("This day was changed a moment ago; look again.")) from None
    if name.strip():
        changes["name"] = name.strip()[:100]
    audit_record(
        actor=actor,
        action="calendar.working_day" if working else "calendar.day_off",
        obj=row,
        changes=changes,
    )
    return True
