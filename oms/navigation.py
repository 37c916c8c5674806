"""The sidebar: entries grouped by work, each shown only to users who may open it."""

from typing import NamedTuple

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class NavItem(NamedTuple):
    label: str
    url_name: str
    permission: str
    icon: str


NAVIGATION: list[tuple[str, list[NavItem]]] = [
    (
        _("Orders"),
        [
            NavItem(_("Orders"), "orders:list", "orders.view_order", "receipt"),
            NavItem(_("New order"), "orders:create", "orders.add_order", "plus-square"),
            NavItem(
                _("Awaiting my approval"),
                "orders:approvals",
                "orders.approve_order",
                "check2-square",
            ),
            NavItem(_("Priority queue"), "orders:queue", "orders.view_order", "sort-down"),
        ],
    ),
    (
        _("Warehouse"),
        [
            NavItem(
                _("Stock levels"), "inventory:stock_list", "inventory.view_stocklevel", "boxes"
            ),
            NavItem(
                _("Low stock"),
                "inventory:low_stock",
                "inventory.view_stocklevel",
                "exclamation-triangle",
            ),
            NavItem(
                _("Stock ledger"),
                "inventory:movement_list",
                "inventory.view_stockmovement",
                "journal-text",
            ),
            NavItem(
                _("Receive stock"),
                "inventory:stock_receive",
                "inventory.receive_stock",
                "box-arrow-in-down",
            ),
            NavItem(
                _("Transfer stock"),
                "inventory:stock_transfer",
                "inventory.transfer_stock",
                "arrow-left-right",
            ),
            NavItem(
                _("Work orders"), "inventory:work_order_list", "inventory.view_workorder", "tools"
            ),
            NavItem(_("Products"), "inventory:product_list", "inventory.view_product", "tag"),
            NavItem(
                _("Warehouses"), "inventory:warehouse_list", "inventory.view_warehouse", "building"
            ),
        ],
    ),
    (
        _("Customers"),
        [
            NavItem(_("Customers"), "customers:list", "customers.view_customer", "people"),
            NavItem(_("New customer"), "customers:create", "customers.add_customer", "person-plus"),
        ],
    ),
    (
        _("Settings"),
        [
            NavItem(_("Price lists"), "orders:price_list_list", "orders.view_pricelist", "tags"),
            NavItem(_("Promotions"), "orders:promotion_list", "orders.view_promotion", "percent"),
            NavItem(
                _("Shipping fees"),
                "orders:shipping_rule_list",
                "orders.view_shippingrule",
                "truck",
            ),
            NavItem(
                _("Approval rules"),
                "orders:approval_rule_list",
                "orders.view_approvalrule",
                "diagram-3",
            ),
            NavItem(_("Audit log"), "audit_log", "oms.view_auditlog", "clock-history"),
        ],
    ),
]


def navigation_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    sections = []
    for title, items in NAVIGATION:
        visible = [
            {
                "label": item.label,
                "url": reverse(item.url_name),
                "icon": item.icon,
                "url_name": item.url_name,
            }
            for item in items
            if user.has_perm(item.permission)
        ]
        if visible:
            sections.append({"title": title, "items": visible})
    return sections
