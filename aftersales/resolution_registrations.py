"""What the resolutions of returns add to the kernel: the right to resolve, the customer's
messages, the audit words, the resolution card on the return page and the demo data."""

from django.utils.translation import gettext_lazy as _

from aftersales.resolution_messages import RESOLUTION_MESSAGES
from oms.registry import (
    grant_many,
    register_audit_actions,
    register_audited_model,
    register_message_event,
    register_urls,
)

register_urls("", "aftersales.resolution_urls")

RESOLVE = {"aftersales.resolve_return", "aftersales.view_returnresolution"}
VIEW = {"aftersales.view_returnresolution"}
# Customer service settles returns; finance may too (a refund is money); managers see them.
grant_many(
    {
        "admin": RESOLVE,
        "customer_service": RESOLVE,
        "finance": RESOLVE,
        "manager": VIEW,
    }
)

for _event in RESOLUTION_MESSAGES.values():
    register_message_event(_event)

register_audited_model(
    "aftersales.returnresolution",
    _("Return resolution"),
    money=("amount_credited", "amount_refunded"),
)
register_audit_actions({"return.resolve": _("Return resolved")})
