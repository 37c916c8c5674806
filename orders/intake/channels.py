"""Channels: reading them (kinds, names, choices) and the one service that saves them.

A channel's code and kind never change once it exists (orders point at the code, and the kind
decides who tells the buyer about an order), so a process may remember the kind of a code:
`channel_kind` asks the database once per code and process."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, CharField, F, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext as _

from oms.services import audit_record, model_save
from orders.choices import PLATFORM_KINDS, ChannelCode, ChannelKind
from orders.intake.models import Channel, standard_name

CHANNEL_FIELDS = (
    "code",
    "name",
    "kind",
    "prices_include_tax",
    "customer_group",
    "endpoint",
    "webhook_url",
    "webhook_events",
)
CHANNEL_SECRETS = ("secret", "webhook_secret")
FIXED_ONCE_CREATED = ("code", "kind")

# The channels every installation has, and their kinds (migration 0023 made them rows).
FIRST_CHANNELS = {
    ChannelCode.BACK_OFFICE: ChannelKind.BACK_OFFICE,
    ChannelCode.WEB_SHOP: ChannelKind.OTHER_SHOP,
    ChannelCode.MARKETPLACE: ChannelKind.OTHER_MARKETPLACE,
    ChannelCode.IMPORT: ChannelKind.IMPORT,
    ChannelCode.API: ChannelKind.API,
}

_kinds: dict[str, str] = {}


def ensure_first_channels(using: str = "default") -> None:
    """Create whichever of the first channels is missing, named in the installation's
    language; existing rows are left as staff keep them."""
    if Channel.objects.using(using).filter(code__in=FIRST_CHANNELS).count() == len(FIRST_CHANNELS):
        return
    for code, kind in FIRST_CHANNELS.items():
        Channel.objects.using(using).get_or_create(code=code, defaults={"kind": kind})


def _forget_kinds(**kwargs: Any) -> None:
    # A test (or a rolled-back create) may reuse a code with another kind.
    _kinds.clear()


post_save.connect(_forget_kinds, sender=Channel, dispatch_uid="orders.channel_kinds")
post_delete.connect(_forget_kinds, sender=Channel, dispatch_uid="orders.channel_kinds_delete")


def channel_kind(code: str) -> str:
    """The kind of the channel with this code; an unknown code is refused."""
    kind = _kinds.get(code)
    if kind is None:
        kind = Channel.objects.filter(code=code).values_list("kind", flat=True).first()
        if kind is None:
            raise ValidationError({"channel": _("There is no channel %(code)s.") % {"code": code}})
        _kinds[code] = kind
    return kind


def told_by_platform(code: str) -> bool:
    """A shop platform tells its buyers about their orders itself: we send them nothing."""
    return channel_kind(code) in PLATFORM_KINDS


def channel_names(codes: Iterable[str] | None = None) -> dict[str, str]:
    """Code -> name, for labels of summaries and reports (which keep codes)."""
    channels = Channel.objects.all()
    if codes is not None:
        channels = channels.filter(code__in=list(codes))
    return {
        code: name or standard_name(code) for code, name in channels.values_list("code", "name")
    }


def channel_name_expression(path: str = "channel") -> Any:
    """The channel's name as SQL over `path` (an order's channel): its own name, else the
    standard name of a first channel in the active language, else the code."""
    standard = Case(
        *(
            When(**{f"{path}_id": code}, then=Value(str(label)))
            for code, label in ChannelCode.choices
        ),
        default=F(f"{path}_id"),
        output_field=CharField(),
    )
    return Coalesce(NullIf(F(f"{path}__name"), Value("")), standard, output_field=CharField())


def channel_choices(*, active_only: bool = False) -> list[tuple[str, str]]:
    """(code, name) pairs for forms and filters, by name."""
    channels = Channel.objects.filter(is_active=True) if active_only else Channel.objects.all()
    pairs = [
        (code, name or standard_name(code)) for code, name in channels.values_list("code", "name")
    ]
    return sorted(pairs, key=lambda pair: pair[1].casefold())


def active_channel(code: str) -> Channel:
    """The channel an intake path places orders for: it must exist and be switched on."""
    channel = Channel.objects.filter(code=code).first()
    if channel is None:
        raise ValidationError({"channel": _("There is no channel %(code)s.") % {"code": code}})
    if not channel.is_active:
        raise ValidationError(
            {"channel": _("Channel %(name)s is switched off.") % {"name": channel.name}}
        )
    return channel


@transaction.atomic
def channel_save(*, actor: Any, channel: Channel | None, data: dict[str, Any]) -> Channel:
    """Create a channel or change one. Code and kind are set once; a secret changes only when
    data brings a new one, and the audit log records that it changed, never its value."""
    instance = Channel.objects.select_for_update().get(pk=channel.pk) if channel else Channel()
    fields = (
        CHANNEL_FIELDS
        if channel is None
        else tuple(name for name in CHANNEL_FIELDS if name not in FIXED_ONCE_CREATED)
    )
    if channel is not None:
        for name in FIXED_ONCE_CREATED:
            if name in data and data[name] != getattr(instance, name):
                raise ValidationError(
                    {name: _("A channel's code and kind cannot change once it exists.")}
                )
    changed = [
        name for name in CHANNEL_SECRETS if data.get(name) and data[name] != getattr(instance, name)
    ]
    for name in changed:
        setattr(instance, name, data[name])
    saved = model_save(
        actor=actor,
        instance=instance,
        data={name: data[name] for name in fields if name in data},
        action="channel.update" if channel else "channel.create",
    )
    if changed:
        audit_record(
            actor=actor,
            action="channel.secret",
            obj=saved,
            changes={name: "••••" for name in changed},
        )
    return saved


@transaction.atomic
def channel_set_active(*, actor: Any, channel: Channel, active: bool) -> Channel:
    """Switch a channel off (its intake refuses new orders; its orders go on) or on again."""
    instance = Channel.objects.select_for_update().get(pk=channel.pk)
    return model_save(
        actor=actor,
        instance=instance,
        data={"is_active": active},
        action="channel.activate" if active else "channel.deactivate",
    )
