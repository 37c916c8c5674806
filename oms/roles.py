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

_manager = (
    VIEW_MASTER_DATA
    | EDIT_CUSTOMERS
    | EDIT_PRODUCTS
    | EDIT_WAREHOUSES
    | {
        "inventory.view_stockmovement",
        "oms.view_auditlog",
    }
)

ROLES: dict[str, Role] = {
    "admin": Role(
        _("Administrator"),
        _("Everything, including users and settings."),
        frozenset(_manager | STOCK_WORK | {"oms.view_outboxmessage"}),
    ),
    "manager": Role(
        _("Manager"), _("Sees everything, maintains master data."), frozenset(_manager)
    ),
    "sales": Role(
        _("Sales"),
        _("Enters orders and looks after customers."),
        frozenset(VIEW_MASTER_DATA | EDIT_CUSTOMERS),
    ),
    "reviewer": Role(_("Reviewer"), _("Approves or rejects orders."), frozenset(VIEW_MASTER_DATA)),
    "warehouse": Role(
        _("Warehouse"),
        _("Receives, counts, picks and ships stock."),
        frozenset(VIEW_MASTER_DATA | STOCK_WORK | EDIT_PRODUCTS),
    ),
    "logistics": Role(
        _("Logistics"), _("Carriers, shipments and tracking."), frozenset(VIEW_MASTER_DATA)
    ),
    "finance": Role(
        _("Finance"),
        _("Invoices, payments, receivables and credit."),
        frozenset(VIEW_MASTER_DATA | {"customers.change_customer", "inventory.view_stockmovement"}),
    ),
    "customer_service": Role(
        _("Customer service"),
        _("Returns, exchanges, refunds and complaints."),
        frozenset(VIEW_MASTER_DATA | {"customers.change_customer"}),
    ),
}


def all_role_permissions() -> set[str]:
    return set().union(*(role.permissions for role in ROLES.values()))


def sync_role_groups(group_model, permission_model) -> None:
    """Make one Django group per role holding exactly the role's permissions.

    Takes the models as arguments so a data migration can pass its historical ones.
    """
    for name, role in ROLES.items():
        group, _created = group_model.objects.get_or_create(name=name)
        wanted = []
        for perm in sorted(role.permissions):
            app_label, codename = perm.split(".")
            wanted.append(
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)
