"""What customer ratings add to the kernel: the staff list and its rights, the cards on the
order and customer pages, the section of the customer's order page, audit labels, demo data."""

from django.utils.translation import gettext_lazy as _

from aftersales.feedback import VIEW_PERMISSION
from aftersales.feedback_seeders import seed_feedback_demo
from aftersales.feedback_views import customer_feedback_panel, order_feedback_panel, rating_section
from oms.registry import (
    Panel,
    PublicSection,
    Seeder,
    grant_many,
    register_audit_actions,
    register_audited_model,
    register_detail_panel,
    register_nav_item,
    register_public_order_section,
    register_seeder,
)

# Customer service acts on them; managers and sales (their own customers') read them.
grant_many({role: {VIEW_PERMISSION} for role in ("admin", "manager", "sales", "customer_service")})

register_nav_item(
    "aftersales",
    _("Customer ratings"),
    "aftersales:feedback_list",
    VIEW_PERMISSION,
    "star",
    order=50,
)
register_detail_panel(
    "orders.order",
    Panel(
        "order-feedback",
        "aftersales/panels/order_feedback.html",
        VIEW_PERMISSION,
        order_feedback_panel,
        width="col-lg-6",
        order=60,
    ),
)
register_detail_panel(
    "customers.customer",
    Panel(
        "customer-feedback",
        "oms/panels/table.html",
        VIEW_PERMISSION,
        customer_feedback_panel,
        order=60,
    ),
)
register_public_order_section(
    PublicSection(
        key="rating",
        order=300,
        template="aftersales/track/rating_section.html",
        context=rating_section,
        saved_message=_("Thank you for your rating."),
    )
)
register_audited_model("aftersales.orderfeedback", _("Customer rating"))
register_audit_actions(
    {
        "feedback.give": _("Customer rated the order"),
        "feedback.change": _("Customer changed the rating"),
    }
)
register_seeder(Seeder("feedback", seed_feedback_demo, depends_on=("shipping", "billing")))
