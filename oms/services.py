"""Services shared by every app: the audit trail, saving master data, and the outbox."""

import uuid
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from oms.db import atomic_with_retry
from oms.models import AuditLog, OutboxMessage, SubmittedForm
from oms.types import User

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


def audit_record(
    *, actor: User | None, action: str, obj: Model, changes: dict[str, Any] | None = None
) -> AuditLog:
    return AuditLog.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes={k: _plain(v) for k, v in (changes or {}).items()},
    )


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
