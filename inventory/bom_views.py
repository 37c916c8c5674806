"""A product's default bill of materials on its page, and a work order taking it."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from inventory import product_boms, selectors, work_orders
from inventory.forms import ProductComponentForm
from inventory.models import Product, ProductComponent
from oms.generic import ObjectActionView, get_object_or_404

# The people who keep work orders' bills of materials keep the products' defaults too.
BOM_PERMISSION = "inventory.change_workorder"


def _product_or_404(pk) -> Product:
    return get_object_or_404(lambda key: Product.objects.filter(pk=key).first(), pk)


class ProductBomView(ObjectActionView):
    def get_redirect_url(self, request, **kwargs):
        return reverse("inventory:product_detail", args=[kwargs["pk"]]) + "#default-bom"


class ProductComponentSetView(ProductBomView):
    permission_required = BOM_PERMISSION

    def perform(self, request, **kwargs):
        product = _product_or_404(kwargs["pk"])
        form = ProductComponentForm(request.POST)
        if not form.is_valid():
            raise ValidationError(
                [
                    f"{form.fields[name].label}: {' '.join(errors)}"
                    for name, errors in form.errors.items()
                ]
            )
        line = product_boms.product_component_set(
            actor=request.user,
            product=product,
            component=form.cleaned_data["product"],
            quantity=form.cleaned_data["quantity"],
        )
        return _("%(sku)s: %(quantity)s per unit of %(product)s.") % {
            "sku": line.component.sku,
            "quantity": line.quantity,
            "product": product.sku,
        }


class ProductComponentRemoveView(ProductBomView):
    permission_required = BOM_PERMISSION

    def perform(self, request, **kwargs):
        product = _product_or_404(kwargs["pk"])
        get_object_or_404(
            lambda key: ProductComponent.objects.filter(product=product, pk=key).first(),
            kwargs["line_pk"],
        )
        product_boms.product_component_remove(
            actor=request.user, product=product, line_id=kwargs["line_pk"]
        )
        return _("Removed the component from the default bill of materials of %(sku)s.") % {
            "sku": product.sku
        }


class WorkOrderUseDefaultBomView(ObjectActionView):
    permission_required = BOM_PERMISSION

    def perform(self, request, **kwargs):
        work_order = get_object_or_404(selectors.work_order_detail, kwargs["pk"])
        count = work_orders.work_order_use_default_bom(actor=request.user, work_order=work_order)
        return _(
            "%(number)s has the default bill of materials of %(sku)s: %(count)s components."
        ) % {
            "number": work_order.number,
            "sku": work_order.product.sku,
            "count": count,
        }

    def get_redirect_url(self, request, **kwargs):
        return reverse("inventory:work_order_detail", args=[kwargs["pk"]])
