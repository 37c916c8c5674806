"""A product's default bill of materials: the components one unit takes. Kept on the product's
page by whoever keeps bills of materials; a work order created for the product starts with it
(times its quantity), and a work order without a bill of materials can take it later. The
work order's own bill of materials then changes on its own (inventory.work_orders)."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from inventory.models import Product, ProductComponent, WorkOrder, WorkOrderComponent
from inventory.services import _check_quantity
from oms.errors import ServiceError
from oms.services import audit_record
from oms.types import User

MAX_COMPONENTS = 50


def bom_line_put(
    rows: QuerySet,
    key: str,
    *,
    made_id: int,
    component: Product,
    quantity: int,
    new: Callable[[], Model],
) -> tuple[Any, int]:
    """What both bills of materials (a product's default, a work order's) do to put a
    component on: the checks, then its row (`rows` filtered by `key`) added, made by `new()`,
    or its quantity changed. The row and the quantity before (0 for a new row; the same
    quantity when nothing changed)."""
    if component.pk == made_id:
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
    line = rows.filter(**{key: component}).first()
    if line is None:
        if rows.count() >= MAX_COMPONENTS:
            raise ValidationError(
                _("A bill of materials has at most %(max)s components.") % {"max": MAX_COMPONENTS}
            )
        line = new()
        line.save(force_insert=True)
        return line, 0
    before = line.quantity
    if before != quantity:
        line.quantity = quantity
        line.save(update_fields=["quantity"])
    return line, before


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
    line, before = bom_line_put(
        ProductComponent.objects.filter(product=product),
        "component",
        made_id=product.pk,
        component=component,
        quantity=quantity,
        new=lambda: ProductComponent(product=product, component=component, quantity=quantity),
    )
    if before == quantity:
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
