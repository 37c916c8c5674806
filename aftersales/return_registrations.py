"""What returns (RMA) add to the kernel: pages, rights, the sidebar entry, the cards on the
order and customer pages, customer messages, references and demo data."""

from django.utils.translation import gettext_lazy as _

from aftersales.return_messages import RETURN_MESSAGES
from oms.registry import (
    grant_many,
    register_audit_actions,
    register_audited_model,
    register_message_event,
)

VIEW = {"aftersales.view_returnrequest"}
CREATE = {"aftersales.add_returnrequest"}
CHANGE = {"aftersales.change_returnrequest"}
DECIDE = {"aftersales.approve_returnrequest", "aftersales.override_return_rules"}
WAREHOUSE = {"aftersales.receive_returnrequest", "aftersales.inspect_returnrequest"}
ALL = VIEW | CREATE | CHANGE | DECIDE | WAREHOUSE
grant_many(
    {
        "admin": ALL,
        "manager": ALL,
        "customer_service": ALL,
        "warehouse": VIEW | WAREHOUSE,
        "sales": VIEW | CREATE,
    }
)

for _event in RETURN_MESSAGES:
    register_message_event(_event)

register_audited_model("aftersales.returnrequest", _("Return"))
register_audit_actions(
    {
        "return.request": _("Return requested"),
        "return.override": _("Return rules overridden"),
        "return.approved": _("Return approved"),
        "return.rejected": _("Return rejected"),
        "return.cancelled": _("Return cancelled"),
        "return.shipment": _("Return parcel recorded"),
        "return.received": _("Returned goods received"),
        "return.inspect": _("Returned line inspected"),
        "return.inspected": _("Return inspected"),
        "return.resolved": _("Return resolved"),
    }
)
