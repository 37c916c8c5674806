"""The one table of roles: names, labels and what each may discount.

What each role may do is registered by the apps (`grant()` in their registrations.py);
`sync_roles`, run after every `migrate`, turns that into one Django group per role. Views
declare the permission they need, and tests walk every role against every page.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from oms import registry


@dataclass(frozen=True)
class Role:
    name: str
    label: object  # a lazy translation
    description: object
    discount_limit: int = 0  # the largest manual line discount, in percent

    @property
    def permissions(self) -> frozenset[str]:
        return registry.role_permissions(self.name)


ROLES: dict[str, Role] = {
    role.name: role
    for role in (
        Role(
            "admin",
            _("Administrator"),
            _("Everything, including users and settings."),
            discount_limit=100,
        ),
        Role(
            "manager",
            _("Manager"),
            _(
                "Sees everything, maintains master data, prices and approval rules, approves orders."
            ),
            discount_limit=30,
        ),
        Role("sales", _("Sales"), _("Enters orders and looks after customers."), discount_limit=10),
        Role("reviewer", _("Reviewer"), _("Approves or rejects orders.")),
        Role("warehouse", _("Warehouse"), _("Receives, counts, picks and ships stock.")),
        Role("logistics", _("Logistics"), _("Carriers, shipments and tracking.")),
        Role(
            "purchasing",
            _("Purchasing"),
            _("Buys stock and materials in and confirms a work order's materials."),
        ),
        Role("finance", _("Finance"), _("Invoices, payments, receivables and credit.")),
        Role(
            "customer_service",
            _("Customer service"),
            _("Returns, exchanges, refunds and complaints."),
            discount_limit=5,
        ),
    )
}

ROLE_CHOICES = [(name, role.label) for name, role in ROLES.items()]


def sync_role_groups(group_model, permission_model) -> None:
    """Make one Django group per role holding exactly the permissions the apps granted it."""
    existing = {
        f"{app}.{codename}": pk
        for pk, app, codename in permission_model.objects.values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for name, role in ROLES.items():
        missing = role.permissions - existing.keys()
        if missing:
            raise LookupError(f"role {name}: unknown permissions {sorted(missing)}")
        group, _created = group_model.objects.get_or_create(name=name)
        group.permissions.set([existing[p] for p in sorted(role.permissions)])
