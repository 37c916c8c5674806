"""What customers adds to the kernel: pages, rights, the dashboard tile, search, demo data."""

from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from customers import selectors
from customers.import_seeders import seed_import_demo
from customers.imports import CustomerImporter
from customers.seeders import seed_customer_notes_demo, seed_customers_demo
from oms.db import typed_id
from oms.imports import register_importer
from oms.registry import (
    Kpi,
    KpiValue,
    SearchProvider,
    Seeder,
    grant_many,
    register_audit_actions,
    register_audited_model,
    register_kpi,
    register_message_scope,
    register_nav_item,
    register_reference_resolver,
    register_search,
    register_seeder,
    register_urls,
)
from oms.roles import ROLES

register_urls("customers/", "customers.urls")

EDIT = {"customers.add_customer", "customers.change_customer"}
CREDIT = {"customers.change_credit"}  # credit limit, payment terms, credit hold
FAPIAO = {"customers.change_fapiao"}  # invoice type, title, taxpayer id, bank details
grant_many({role: {"customers.view_customer"} for role in ROLES})
# With OMS_SALES_OWN_CUSTOMERS_ONLY on, sales users see only their own customers and those
# customers' orders (customers.selectors.customers_visible_to); every other role sees all.
grant_many({role: {selectors.SEE_ALL_CUSTOMERS} for role in ROLES if role != "sales"})
grant_many(
    {
        "admin": EDIT | CREDIT | FAPIAO,
        "manager": EDIT | CREDIT | FAPIAO,
        "sales": EDIT,
        "finance": CREDIT | FAPIAO,
        "customer_service": {"customers.change_customer"},
    }
)
# Where the tiers start (by 12-month spend): a manager's decision.
TIERS = {"customers.view_tierthreshold", "customers.change_tierthreshold"}
grant_many({"admin": TIERS, "manager": TIERS})

register_nav_item(
    "customers", _("Customers"), "customers:list", "customers.view_customer", "people", order=10
)
register_nav_item(
    "customers",
    _("New customer"),
    "customers:create",
    "customers.add_customer",
    "person-plus",
    order=20,
)
register_nav_item(
    "customers",
    _("Customer tiers"),
    "customers:tiers",
    "customers.change_tierthreshold",
    "award",
    order=30,
)

register_audited_model("customers.customer", _("Customer"), money=("credit_limit",))
register_audited_model("customers.address", _("Address"))
register_audited_model("customers.customernote", _("Contact note"))
register_audited_model("customers.tierthreshold", _("Tier threshold"), money=("min_spend",))
register_audit_actions(
    {
        "customer.create": _("Customer created"),
        "customer.update": _("Customer changed"),
        "customer.note": _("Contact note written"),
        "customer.fapiao": _("Fapiao details changed"),
        "customer.credit_hold": _("Customer put on credit hold"),
        "customer.credit_release": _("Credit hold lifted"),
        "address.create": _("Address added"),
        "customer.tier_change": _("Customer tier changed"),
        "tier_threshold.create": _("Tier threshold set"),
        "tier_threshold.update": _("Tier threshold changed"),
        "address.update": _("Address changed"),
    }
)

register_kpi(
    Kpi(
        "active-customers",
        "customers.view_customer",
        lambda user: KpiValue(
            _("Active customers"),
            selectors.active_customer_count(user),
            url=reverse("customers:list") + "?is_active=true",
        ),
        order=10,
    )
)

register_search(
    SearchProvider(_("Customers"), "customers.view_customer", selectors.customer_search, order=20)
)

register_seeder(Seeder("customers", seed_customers_demo, depends_on=("users",)))
register_seeder(Seeder("customer-notes", seed_customer_notes_demo, depends_on=("customers",)))
register_seeder(Seeder("customer-import", seed_import_demo, depends_on=("customers",)))

# An outbox row names its customer as "customers.customer:<id>" (oms.messaging.recipient_ref):
# the messages list links it to the customer's page.
register_reference_resolver(
    "customers.customer:",
    lambda ref: (
        reverse("customers:detail", args=[ref.rpartition(":")[2]])
        if typed_id(ref.rpartition(":")[2]) is not None
        else None
    ),
)


def _messages_of_visible_customers(user, rows):
    """With OMS_SALES_OWN_CUSTOMERS_ONLY, a sales user reads only what their own customers
    were told (the outbox names a customer as "customers.customer:<id>")."""
    if not selectors.own_customers_only(user):
        return rows
    refs = selectors.customers_visible_to(user).annotate(
        ref=Concat(Value("customers.customer:"), Cast("pk", CharField()))
    )
    return rows.filter(recipient_ref__in=refs.values("ref"))


register_message_scope(_messages_of_visible_customers)

register_importer(CustomerImporter())
