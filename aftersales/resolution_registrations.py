"""What the resolutions of returns add to the kernel: the right to resolve, the customer's
messages, the audit words, the resolution card on the return page and the demo data."""

from django.utils.translation import gettext_lazy as _

from aftersales.resolution_messages import RESOLUTION_MESSAGES
from aftersales.resolution_seeders import seed_resolutions_demo
from aftersales.resolution_views import resolution_card
from oms.registry import (
    Panel,
    Seeder,
    grant_many,
    register_audit_actions,
    register_audited_model,
    register_detail_panel,
    register_message_event,
    register_seeder,
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

# The resolution card on the return's page: the form while it waits, what was done after.
register_detail_panel(
    "aftersales.returnrequest",
    Panel(
        "return-resolution",
        "aftersales/resolutions/card.html",
        "aftersales.view_returnrequest",
        resolution_card,
        width="col-xl-8",
        order=10,
    ),
)

# Self-contained (its own customer and orders); after billing, whose demo pays the orders it
# dispatched, so the numbers of invoices and credit notes keep rising with their dates.
register_seeder(
    Seeder("resolutions", seed_resolutions_demo, depends_on=("billing", "reminders", "returns"))
)
