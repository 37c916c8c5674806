from datetime import date

from django import template
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from customers.choices import CustomerTier
from oms.audit import changes_text
from oms.roles import ROLES
from oms.templatetags.oms import status_badge_html
from oms.texts import labelled, money_text, number_text
from orders.choices import ORDER_STATUS_TONES, ApprovalDecision, OrderStatus
from orders.reasons import reasons_text

register = template.Library()


_BADGES: dict[tuple[str, str], str] = {}


@register.filter
def order_status_badge(status: str) -> str:
    """A bare status (e.g. a backlog row's) as its badge, made once per status and language
    (a list shows the same few badges on every page)."""
    key = (status, translation.get_language() or "")
    badge = _BADGES.get(key)
    if badge is None:
        badge = _BADGES[key] = status_badge_html(
            "order", status, OrderStatus(status).label, ORDER_STATUS_TONES.get(status, "grey")
        )
    return badge


@register.filter
def status_badge(order) -> str:
    """The status in its one colour (UI.md), plus an 'on hold' badge when it is held."""
    badge = order_status_badge(order.status)
    if getattr(order, "on_hold", False):
        badge += format_html(' <span class="badge text-bg-dark">{}</span>', _("On hold"))
    return badge


@register.filter
def priority_reason_text(reason: dict) -> str:
    factor, points, value = reason.get("factor"), reason.get("points"), reason.get("value")
    if factor == "tier":
        text = _("%(tier)s customer") % {"tier": CustomerTier(value).label}
    elif factor == "due":
        text = _("overdue") if value <= 0 else _("due in %(days)s days") % {"days": value}
    elif factor == "passed_on_arrival":
        text = _("requested date %(date)s had passed when the order came in") % {
            "date": date_format(date.fromisoformat(value), "DATE_FORMAT")
        }
    elif factor == "amount":
        text = _("order amount")
    elif factor == "boost":
        text = _("manual boost")
    else:
        text = str(factor)
    return f"{text} {points:+d}"


DECISION_TONES = {
    ApprovalDecision.APPROVED: "green",
    ApprovalDecision.REJECTED: "red",
    ApprovalDecision.PENDING: "amber",
}


@register.filter
def decision_badge(approval) -> str:
    """An approval's decision in its tone, worded from the choices."""
    return status_badge_html(
        "approval",
        approval.decision,
        approval.get_decision_display(),
        DECISION_TONES.get(approval.decision, "grey"),
    )


@register.filter
def role_label(code: str) -> str:
    role = ROLES.get(code)
    return str(role.label) if role else code


@register.filter
def approval_reasons(entry: dict) -> str:
    """The reasons of an approval entry in a timeline event, in the reader's language.

    Older events stored the reason as text (`reason`); it is shown as it was written.
    """
    return reasons_text(entry.get("reasons"), fallback=entry.get("reason", ""))


# Timeline events keep codes and numbers (statuses, roles, line ids, amounts); these filters word
# them when the page is rendered, in the reader's language. Notes people typed stay as typed.


@register.filter
def approval_level(entry: dict) -> str:
    """'Level 2 · Manager' for an approval entry ({"level": 2, "role": "manager"})."""
    return _("Level %(level)s · %(role)s") % {
        "level": entry.get("level", ""),
        "role": role_label(entry.get("role", "")),
    }


@register.filter
def approvals_text(entries: list) -> str:
    """The approvals a review round asks for: 'Level 1 · Manager: <reasons>; Level 2 · …'."""
    return pgettext("list separator", "; ").join(
        labelled(approval_level(entry), approval_reasons(entry)) for entry in entries
    )


@register.filter
def edited_changes(data: dict) -> str:
    """What an edit of a draft changed, worded like the audit log ("Requested delivery:
    2026-12-01; Flag for review: Yes")."""
    return changes_text("orders.order", data, labels={"shipping_address": _("Ship to")})


@register.filter
def amended_line(change: dict) -> str:
    """One line of an amendment: 'SH-1: 2 → 3'."""
    return labelled(
        change.get("sku", ""),
        f"{number_text(change.get('from', ''))} → {number_text(change.get('to', ''))}",
    )


@register.filter
def missing_units(short: dict, skus: dict) -> str:
    """{line id: units} as 'SH1 × 4, SH2 × 1', naming each line by its SKU."""
    return pgettext("list separator", ", ").join(
        f"{skus.get(str(line), '#' + str(line))} × {units}" for line, units in short.items()
    )


@register.filter
def event_money(value) -> str:
    """An amount kept in an event as a decimal string, formatted for the reader."""
    return money_text(value)
