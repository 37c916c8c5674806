from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from customers.models import Address, Customer
from customers.selectors import customers_visible_to, own_customers_only
from oms.services import audit_record, model_save
from oms.types import User

CUSTOMER_FIELDS = [
    "code",
    "name",
    "kind",
    "contact_person",
    "phone",
    "email",
    "group",
    "tier",
    "credit_limit",
    "payment_terms",
    "salesperson",
    "region",
    "tags",
    "notes",
    "language",
    "preferred_channel",
    "preferred_carrier",
    "opt_out_non_essential",
    "credit_hold",
    "is_active",
]
# Credit terms are finance's: only holders of change_credit may change them (through any
# form or import); everything else about a customer needs change_customer.
CREDIT_FIELDS = ("credit_limit", "payment_terms", "credit_hold")
CUSTOMER_FIELD_PERMISSIONS = {
    field: "customers.change_credit" if field in CREDIT_FIELDS else "customers.change_customer"
    for field in CUSTOMER_FIELDS
}

ADDRESS_FIELDS = [
    "label",
    "recipient",
    "phone",
    "region",
    "city",
    "district",
    "street",
    "postal_code",
    "latitude",
    "longitude",
    "is_default_shipping",
    "is_default_billing",
]


def check_own_customer(actor: User, salesperson: Any) -> None:
    """With OMS_SALES_OWN_CUSTOMERS_ONLY, a sales user keeps their customers their own: a
    customer they enter or change has them as its salesperson."""
    if own_customers_only(actor) and getattr(salesperson, "pk", salesperson) != actor.pk:
        raise ValidationError(
            {"salesperson": _("You look after your own customers only: choose yourself.")}
        )


@transaction.atomic
def customer_create(
    *, actor: User, data: dict[str, Any], address: dict[str, Any] | None = None
) -> Customer:
    """Create a customer, and its first address when one is given (it becomes the default)."""
    check_own_customer(actor, data.get("salesperson"))
    customer = model_save(
        actor=actor,
        instance=Customer(),
        data={k: v for k, v in data.items() if k in CUSTOMER_FIELDS},
        action="customer.create",
        field_permissions=CUSTOMER_FIELD_PERMISSIONS,
    )
    if address:
        address_save(
            actor=actor,
            customer=customer,
            address=None,
            data={**address, "is_default_shipping": True, "is_default_billing": True},
        )
    return customer


@transaction.atomic
def customer_update(*, actor: User, customer: Customer, data: dict[str, Any]) -> Customer:
    locked = customers_visible_to(actor).select_for_update().filter(pk=customer.pk).first()
    if locked is None:
        raise PermissionDenied(_("This customer is not one of yours."))
    check_own_customer(actor, data.get("salesperson", locked.salesperson_id))
    return model_save(
        actor=actor,
        instance=locked,
        data={k: v for k, v in data.items() if k in CUSTOMER_FIELDS},
        action="customer.update",
        field_permissions=CUSTOMER_FIELD_PERMISSIONS,
    )


@transaction.atomic
def address_save(
    *, actor: User, customer: Customer, address: Address | None, data: dict[str, Any]
) -> Address:
    """Create or change an address. A new default replaces the customer's previous default;
    a customer's first address is the default for both shipping and billing."""
    Customer.objects.select_for_update().filter(pk=customer.pk).get()  # serialise default changes
    data = {k: v for k, v in data.items() if k in ADDRESS_FIELDS}
    others = customer.addresses.all()
    if address is not None:
        others = others.exclude(pk=address.pk)
    if not others.exists():
        data["is_default_shipping"] = data["is_default_billing"] = True
    for flag in ("is_default_shipping", "is_default_billing"):
        if data.get(flag):
            others.filter(**{flag: True}).update(**{flag: False})
    return model_save(
        actor=actor,
        instance=address or Address(customer=customer),
        data=data,
        action="address.update" if address else "address.create",
    )


@transaction.atomic
def customer_credit_hold_set(
    *, actor: User | None, customer_id: int, hold: bool, reason: str, note: str = ""
) -> bool:
    """Put a customer on credit hold or lift it, audited with why (`reason`, a short code such
    as "overdue_final_notice" or "lifted_by_finance", and the person's note). None as actor is
    the system (the reminder job, a payment). Returns whether anything changed."""
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    if customer.credit_hold == hold:
        return False
    customer.credit_hold = hold
    customer.save(update_fields=["credit_hold"])
    changes = {"credit_hold": [not hold, hold], "reason": reason, "note": note}
    if hold:
        audit_record(actor=actor, action="customer.credit_hold", obj=customer, changes=changes)
    else:
        audit_record(actor=actor, action="customer.credit_release", obj=customer, changes=changes)
    return True
