from django import template
from django.utils.safestring import SafeString

from aftersales.return_choices import RETURN_STATUS_TONES, ReturnStatus
from oms.templatetags.oms import status_badge_html

register = template.Library()


@register.filter
def return_status_badge(status: str) -> SafeString:
    """A return's status in its one colour, namespaced as status-return-<status>."""
    return status_badge_html(
        "return", status, ReturnStatus(status).label, RETURN_STATUS_TONES.get(status, "grey")
    )
