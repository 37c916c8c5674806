from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from customers.choices import CustomerTier
from oms.roles import ROLES
from orders.choices import ApprovalDecision
from orders.reasons import reasons_text

register = template.Library()


@register.filter
def status_badge(order) -> str:
    """The status in its one colour (UI.md), plus an 'on hold' badge when it is held."""
    badge = format_html(
        '<span class="badge status-{}">{}</span>', order.status, order.get_status_display()
    )
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
    elif factor == "amount":
        text = _("order amount")
    elif factor == "boost":
        text = _("manual boost")
    else:
        text = str(factor)
    return f"{text} {points:+d}"


DECISION_CSS = {
    ApprovalDecision.APPROVED: "text-bg-success",
    ApprovalDecision.REJECTED: "text-bg-danger",
    ApprovalDecision.PENDING: "text-bg-warning",
}


@register.filter
def decision_badge(approval) -> str:
    """An approval's decision in its colour, worded from the choices."""
    return format_html(
        '<span class="badge {}">{}</span>',
        DECISION_CSS.get(approval.decision, "text-bg-secondary"),
        approval.get_decision_display(),
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
