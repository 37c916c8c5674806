"""The one table of roles and what each may do.

A data migration (and `manage.py sync_roles`) turns it into Django groups; views declare
the permission they need, and tests walk every role against every page from this table.
"""

from typing import NamedTuple

from django.utils.translation import gettext_lazy as _


class Role(NamedTuple):
    label: str
    description: str
    permissions: frozenset[str]
    discount_limit: int = 0  # the largest manual line discount, in percent


VIEW_MASTER_DATA = {
    "customers.view_customer",
    "inventory.view_product",
    "inventory.view_warehouse",
    "inventory.view_stocklevel",
}
STOCK_WORK = {
    "inventory.view_stockmovement",
    "inventory.receive_stock",
    "inventory.adjust_stock",
    "inventory.transfer_stock",
}
EDIT_CUSTOMERS = {"customers.add_customer", "customers.change_customer"}
EDIT_PRODUCTS = {"inventory.add_product", "inventory.change_product"}
EDIT_WAREHOUSES = {"inventory.add_warehouse", "inventory.change_warehouse"}
VIEW_ORDERS = {"orders.view_order"}
ORDER_DESK = {
    "orders.add_order",
    "orders.change_order",
    "orders.amend_order",
    "orders.cancel_order",
    "orders.hold_order",
    "orders.boost_order",
}
APPROVE = {"orders.approve_order"}
APPROVAL_RULES = {
    "orders.view_approvalrule",
    "orders.add_approvalrule",
    "orders.change_approvalrule",
}
PRICING_RULES = {
    f"orders.{verb}_{model}"
    for model in ("pricelist", "promotion", "shippingrule")
    for verb in ("view", "add", "change")
}
WORK_ORDERS = {"inventory.view_workorder", "inventory.advance_work_order"}

_manager = (
    VIEW_MASTER_DATA
    | EDIT_CUSTOMERS
    | EDIT_PRODUCTS
    | EDIT_WAREHOUSES
    | VIEW_ORDERS
    | ORDER_DESK
    | APPROVE
    | APPROVAL_RULES
    | PRICING_RULES
    | WORK_ORDERS
    | {"inventory.view_stockmovement", "oms.view_auditlog"}
)

ROLES: dict[str, Role] = {
    "admin": Role(
        _("Administrator"),
        _("Everything, including users and settings."),
        frozenset(_manager | STOCK_WORK | {"oms.view_outboxmessage", "orders.start_picking"}),
        discount_limit=100,
    ),
    "manager": Role(
        _("Manager"),
        _("Sees everything, maintains master data, prices and approval rules, approves orders."),
        frozenset(_manager),
        discount_limit=30,
    ),
    "sales": Role(
        _("Sales"),
        _("Enters orders and looks after customers."),
        frozenset(VIEW_MASTER_DATA | EDIT_CUSTOMERS | VIEW_ORDERS | ORDER_DESK),
        discount_limit=10,
    ),
    "reviewer": Role(
        _("Reviewer"),
        _("Approves or rejects orders."),
        frozenset(VIEW_MASTER_DATA | VIEW_ORDERS | APPROVE),
    ),
    "warehouse": Role(
        _("Warehouse"),
        _("Receives, counts, picks and ships stock."),
        frozenset(
            VIEW_MASTER_DATA
            | STOCK_WORK
            | EDIT_PRODUCTS
            | VIEW_ORDERS
            | WORK_ORDERS
            | {"orders.start_picking"}
        ),
    ),
    "logistics": Role(
        _("Logistics"),
        _("Carriers, shipments and tracking."),
        frozenset(VIEW_MASTER_DATA | VIEW_ORDERS),
    ),
    "finance": Role(
        _("Finance"),
        _("Invoices, payments, receivables and credit."),
        frozenset(
            VIEW_MASTER_DATA
            | VIEW_ORDERS
            | APPROVE
            | {"customers.change_customer", "inventory.view_stockmovement", "orders.hold_order"}
        ),
    ),
    "customer_service": Role(
        _("Customer service"),
        _("Returns, exchanges, refunds and complaints."),
        frozenset(
            VIEW_MASTER_DATA
            | VIEW_ORDERS
            | {"customers.change_customer", "orders.hold_order", "orders.cancel_order"}
        ),
        discount_limit=5,
    ),
}


def all_role_permissions() -> set[str]:
    return set().union(*(role.permissions for role in ROLES.values()))


def sync_role_groups(group_model, permission_model, *, allow_missing: bool = False) -> None:
    """Make one Django group per role holding exactly the role's permissions.

    Takes the models as arguments so a data migration can pass its historical ones. An early
    migration may run before the apps that define some permissions: it passes
    allow_missing, and a later migration completes the groups.
    """
    existing = {
        f"{app}.{codename}": pk
        for pk, app, codename in permission_model.objects.values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for name, role in ROLES.items():
        missing = role.permissions - existing.keys()
        if missing and not allow_missing:
            raise LookupError(f"role {name}: unknown permissions {sorted(missing)}")
        group, _created = group_model.objects.get_or_create(name=name)
        group.permissions.set([existing[p] for p in sorted(role.permissions - missing)])


ROLE_CHOICES = [(name, role.label) for name, role in ROLES.items()]
