"""The ids marketplaces know our carriers by. JD and Pinduoduo name a carrier in a ship
confirmation by a number of their own (JD's logistics company id `logiCoprId`, Pinduoduo's
`shipping_id` sent as `logistics_id`), not by a code: a confirmation to them takes the id from
here, and a carrier without one is not confirmed (the webhook log says why) rather than sent
with a wrong id. Keyed by channel kind and our carrier's code; shipping's carrier page edits
them through `platform_carrier_ids_set`."""

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.services import audit_record
from orders.choices import ChannelKind
from orders.intake.confirmations import UNMAPPED
from orders.intake.outbound_models import PlatformCarrier

# The kinds whose confirmations name the carrier by the platform's numeric id, and the words
# of that id on the carrier's page.
ID_KINDS: dict[str, Any] = {
    ChannelKind.JD: gettext_lazy("JD logistics company id"),
    ChannelKind.PINDUODUO: gettext_lazy("Pinduoduo shipping id"),
}
PLATFORM_ID = re.compile(r"^[0-9]{1,12}$")


def unmapped_text(stored: str) -> str | None:
    """The reader's words for a stored "unmapped_carrier:<kind>:<code>", else None."""
    parts = stored.split(":", 2)
    if len(parts) != 3 or parts[0] != UNMAPPED:
        return None
    kind, code = parts[1], parts[2]
    label = ChannelKind(kind).label if kind in ChannelKind.values else kind
    if not code:
        return _(
            "Not sent to %(platform)s: the shipment has no carrier. Set its carrier, then resend."
        ) % {"platform": label}
    return _(
        "Not sent to %(platform)s: carrier %(carrier)s has no %(platform)s carrier id. Set "
        "it on the carrier's page, then resend."
    ) % {"platform": label, "carrier": code}


def carrier_ids(kind: str) -> dict[str, str]:
    """Our carrier code → the platform's id, for one channel kind (one query)."""
    if kind not in ID_KINDS:
        return {}
    return dict(
        PlatformCarrier.objects.filter(kind=kind).values_list("carrier_code", "platform_id")
    )


def ids_of_carrier(carrier_code: str) -> dict[str, str]:
    """kind → the platform's id of one carrier (the carrier's page)."""
    return dict(
        PlatformCarrier.objects.filter(carrier_code=carrier_code).values_list("kind", "platform_id")
    )


@transaction.atomic
def platform_carrier_ids_set(
    *, actor: Any, carrier_code: str, ids: Mapping[str, str], old_code: str = ""
) -> dict[str, str]:
    """Set a carrier's ids per kind (an empty id removes it); `old_code` moves its ids to a
    changed carrier code first. Bad ids raise ValidationError (field "<kind>_id"), nothing
    written. Audited as platform_carrier.set when anything changed."""
    code = carrier_code.strip().upper()
    errors = {}
    wanted = {}
    for kind, value in ids.items():
        if kind not in ID_KINDS:
            raise ValueError(f"{kind} takes no platform carrier id")
        value = (value or "").strip()
        if value and not PLATFORM_ID.match(value):
            errors[f"{kind}_id"] = _("Give the platform's id: digits only, at most 12.")
        wanted[kind] = value
    if errors:
        raise ValidationError(errors)
    if old_code and old_code.strip().upper() != code:
        PlatformCarrier.objects.filter(carrier_code=old_code.strip().upper()).update(
            carrier_code=code
        )
    rows = {
        row.kind: row
        for row in PlatformCarrier.objects.select_for_update().filter(
            carrier_code=code, kind__in=list(wanted)
        )
    }
    changes: dict[str, list[str]] = {}
    touched: PlatformCarrier | None = None
    for kind, value in wanted.items():
        row = rows.get(kind)
        before = row.platform_id if row else ""
        if before == value:
            continue
        changes[kind] = [before, value]
        if row is None:
            row = PlatformCarrier.objects.create(kind=kind, carrier_code=code, platform_id=value)
        elif not value:
            PlatformCarrier.objects.filter(pk=row.pk).delete()  # the instance keeps its key
        else:
            row.platform_id = value
            row.save(update_fields=["platform_id"])
        touched = touched or row
    if touched is not None:
        audit_record(
            actor=actor,
            action="platform_carrier.set",
            obj=touched,
            changes={"carrier": code, **changes},
        )
    return ids_of_carrier(code)
