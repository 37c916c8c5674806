"""Channel API tokens: made (shown once), revoked, and checked on every API request."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.services import audit_record
from orders.intake.models import ApiScope, ApiToken, Channel

TOKEN_START = "oms_"
# last_used_at is written at most this often per token, not on every request.
USE_RECORDED_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class ApiCaller:
    token_id: int
    channel: Channel
    scopes: frozenset[str]

    @property
    def channel_code(self) -> str:
        return self.channel.code


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, actor: Any, channel: Channel, name: str, scopes: list[str]
) -> tuple[ApiToken, str]:
    """A new token for the channel; the returned string is the only time it is seen."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name the token (who uses it, e.g. the shop's sync).")})
    unknown = set(scopes) - set(ApiScope.values)
    if not scopes or unknown:
        raise ValidationError({"scopes": _("Choose at least one of the listed scopes.")})
    prefix = secrets.token_hex(6)
    token = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiToken.objects.create(
        channel=channel,
        name=name[:100],
        prefix=prefix,
        digest=_digest(token),
        scopes=sorted(set(scopes)),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="channel.token_create",
        obj=channel,
        changes={"token": f"{row.name} ({prefix}…)", "scopes": row.scopes},
    )
    return row, token


@transaction.atomic
def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke a token: the next request with it is refused. Revoking twice changes nothing."""
    row = ApiToken.objects.select_for_update().get(pk=token.pk)
    if row.revoked_at is None:
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="channel.token_revoke",
            obj=row.channel,
            changes={"token": f"{row.name} ({row.prefix}…)"},
        )
    return row


def token_authenticate(request: HttpRequest, token: str) -> ApiCaller | None:
    """The caller of a bearer token, or None (unknown, malformed or revoked)."""
    if not token.startswith(TOKEN_START) or len(token) > 100:
        return None
    prefix, _sep, secret = token[len(TOKEN_START) :].partition("_")
    if not prefix or not secret:
        return None
    row = (
        ApiToken.objects.select_related("channel")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if row is None or not hmac.compare_digest(row.digest, _digest(token)):
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > USE_RECORDED_EVERY:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return ApiCaller(token_id=row.pk, channel=row.channel, scopes=frozenset(row.scopes))
