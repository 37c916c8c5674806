from django import template
from django.template.loader import render_to_string
from django.utils.formats import number_format

from oms.tables import fast_format_html, format_money
from oms.texts import text_of

register = template.Library()


@register.filter
def money(value):
    return format_money(value)


@register.filter
def coded_text(entry, family: str) -> str:
    """A stored code with parameters (oms/texts.py) in the reader's language:
    `{{ event.message|coded_text:"order_note" }}`."""
    return text_of(family, entry)


@register.filter
def signed(value):
    if value is None:
        return ""
    return ("+" if value > 0 else "") + number_format(value, force_grouping=True)


@register.simple_tag
def page_counter_css() -> str:
    """CSS `content` for "Page 2 of 5" in the active language, for printed documents."""
    from django.utils.translation import gettext

    text = gettext("Page %(page)s of %(pages)s")
    parts = []
    for piece in text.replace("%(pages)s", "\0pages\0").replace("%(page)s", "\0page\0").split("\0"):
        if piece in ("page", "pages"):
            parts.append(f"counter({piece})")
        elif piece:
            parts.append('"' + piece.replace('"', '\\"') + '"')
    return " ".join(parts)


@register.simple_tag(takes_context=True)
def render_panel(context, panel) -> str:
    """A panel another app registered (oms.registry.Panel), with the context it computed."""
    return render_to_string(panel.template, panel.context, request=context.get("request"))


def status_badge_html(kind: str, status: str, label, tone: str) -> str:
    """A status badge: the shared tone for its meaning, plus a class namespaced by kind."""
    return fast_format_html(
        '<span class="badge status-{}-{} tone-{}">{}</span>', kind, status, tone, label
    )


@register.filter
def minutes(delta) -> int:
    """A timedelta in whole minutes (rounded up), for messages such as "locked for 15 minutes"."""
    return -(-int(delta.total_seconds()) // 60) if delta else 0
