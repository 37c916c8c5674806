"""What returns (RMA) add to the kernel: pages, rights, the sidebar entry, the cards on the
order and customer pages, customer messages, references and demo data."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.models import ReturnRequest
from aftersales.return_messages import RETURN_MESSAGES
from aftersales.return_panels import customer_returns_panel, order_returns_panel
from aftersales.return_public_views import return_section
from aftersales.return_seeders import seed_returns_demo
from oms.registry import (
    Panel,
    PublicSection,
    Seeder,
    grant_many,
    register_audit_actions,
    register_audited_model,
    register_detail_panel,
    register_message_event,
    register_nav_item,
    register_public_order_section,
    register_reference_resolver,
    register_seeder,
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

register_nav_item(
    "aftersales",
    _("Returns"),
    "aftersales:return_list",
    "aftersales.view_returnrequest",
    "arrow-counterclockwise",
    order=10,
)

register_detail_panel(
    "orders.order",
    Panel(
        "order-returns",
        "aftersales/returns/panels/order_returns.html",
        "aftersales.view_returnrequest",
        order_returns_panel,
        width="col-lg-6",
        order=30,
    ),
)
register_detail_panel(
    "customers.customer",
    Panel(
        "customer-returns",
        "aftersales/returns/panels/customer_returns.html",
        "aftersales.view_returnrequest",
        customer_returns_panel,
        width="col-lg-6",
        order=45,
    ),
)

register_public_order_section(
    PublicSection(
        key="returns",
        order=200,
        template="aftersales/track/returns_section.html",
        context=return_section,
    )
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


def _resolve_rma(number: str) -> str | None:
    if ReturnRequest.objects.filter(number=number).exists():
        return reverse("aftersales:return_detail", args=[number])
    return None


register_reference_resolver("RMA-", _resolve_rma)
# After the cases: the demo's defective return is linked to a case of its own.
register_seeder(Seeder("returns", seed_returns_demo, depends_on=("shipping", "billing", "cases")))
