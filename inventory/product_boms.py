"""A product's default bill of materials: the components one unit takes. Kept on the product's
page by whoever keeps bills of materials; a work order created for the product starts with it
(times its quantity), and a work order without a bill of materials can take it later. The
work order's own bill of materials then changes on its own (inventory.work_orders)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from inventory.models import Product, ProductComponent, WorkOrder, WorkOrderComponent
from inventory.services import _check_quantity
from oms.errors import ServiceError
from oms.services import audit_record
from oms.types import User

MAX_COMPONENTS = 50


def product_components(product: Product) -> list[ProductComponent]:
    """The product's default bill of materials, in the order it was written."""
    return list(
        ProductComponent.objects.filter(product=product).select_related("component").order_by("id")
    )


@transaction.atomic
def product_component_set(
    *, actor: User | None, product: Product, component: Product, quantity: int
) -> ProductComponent:
    """Put a component on the product's default bill of materials, or change how many one
    unit takes. Audited as product.bom."""
    _check_quantity(quantity)
    product = Product.objects.select_for_update().get(pk=product.pk)
    if component.pk == product.pk:
        raise ValidationError(
            {
                "product": _("A product cannot be a component of itself (%(sku)s).")
                % {"sku": component.sku}
            }
        )
    if not component.is_active:
        raise ValidationError(
            {"product": _("Product %(sku)s is inactive.") % {"sku": component.sku}}
        )
    line = ProductComponent.objects.filter(product=product, component=component).first()
    before = line.quantity if line else 0
    if line is None:
        if ProductComponent.objects.filter(product=product).count() >= MAX_COMPONENTS:
            raise ValidationError(
                _("A bill of materials has at most %(max)s components.") % {"max": MAX_COMPONENTS}
            )
        line = ProductComponent.objects.create(
            product=product, component=component, quantity=quantity
        )
    elif line.quantity != quantity:
        line.quantity = quantity
        line.save(update_fields=["quantity"])
    else:
        return line
    audit_record(
        actor=actor, action="product.bom", obj=product, changes={component.sku: [before, quantity]}
    )
    return line


@transaction.atomic
def product_component_remove(*, actor: User | None, product: Product, line_id: int) -> None:
    """Take a component off the product's default bill of materials (work orders keep
    theirs). Audited as product.bom."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    line = (
        ProductComponent.objects.select_related("component")
        .filter(pk=line_id, product=product)
        .first()
    )
    if line is None:
        raise ServiceError(_("This component is no longer on the bill of materials."))
    line.delete()
    audit_record(
        actor=actor,
        action="product.bom",
        obj=product,
        changes={line.component.sku: [line.quantity, 0]},
    )


def default_bom_copy(*, actor: User | None, work_order: WorkOrder) -> list[WorkOrderComponent]:
    """Give a work order (locked by the caller, with no bill of materials) its product's
    default, times its quantity; audited as work_order.bom. Nothing when the product has
    none."""
    defaults = [line for line in product_components(work_order.product) if line.component.is_active]
    if not defaults:
        return []
    lines = WorkOrderComponent.objects.bulk_create(
        WorkOrderComponent(
            work_order=work_order,
            product_id=line.component_id,
            quantity=line.quantity * work_order.quantity,
        )
        for line in defaults
    )
    audit_record(
        actor=actor,
        action="work_order.bom",
        obj=work_order,
        changes={line.component.sku: [0, line.quantity * work_order.quantity] for line in defaults},
    )
    return lines
