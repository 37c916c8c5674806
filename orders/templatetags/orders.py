from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from customers.choices import CustomerTier

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
