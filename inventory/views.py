from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from inventory import selectors, services, work_orders
from inventory.bom_views import BOM_PERMISSION
from inventory.charts import forecast_chart
from inventory.filters import (
    LowStockFilterSet,
    ProductFilterSet,
    StockLevelFilterSet,
    StockMovementFilterSet,
    WarehouseFilterSet,
    WorkOrderFilterSet,
)
from inventory.forms import (
    ProductComponentForm,
    ProductForm,
    StockAdjustForm,
    StockLevelForm,
    StockReceiveForm,
    StockTransferForm,
    WarehouseForm,
    WorkOrderComponentForm,
    WorkOrderFileForm,
)
from inventory.models import ProductComponent, StockMovement
from inventory.product_boms import product_components
from inventory.replenishment import forecast_weeks
from inventory.tables import (
    LowStockTable,
    ProductTable,
    StockLevelTable,
    StockMovementTable,
    WarehouseTable,
    WorkOrderTable,
)
from oms.documents import barcode_svg
from oms.generic import (
    DocumentView,
    ObjectActionView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    RequirePermissionMixin,
    get_object_or_404,
)
from oms.tables import compact_table, table_card


class ProductListView(ObjectListView):
    permission_required = "inventory.view_product"
    filterset_class = ProductFilterSet
    table_class = ProductTable
    title = gettext_lazy("Products")
    export_name = "products"
    actions = [
        (
            gettext_lazy("New product"),
            "inventory:product_create",
            "inventory.add_product",
            "plus-lg",
        )
    ]

    def get_queryset(self):
        return selectors.product_list()


class ProductDetailView(ObjectDetailView):
    permission_required = "inventory.view_product"
    template_name = "inventory/product_detail.html"

    lookup = staticmethod(selectors.product_detail)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["stock_table"] = compact_table(
            StockLevelTable,
            selectors.product_stock(self.object),
            without=("sku", "product"),
            request=self.request,
        )
        context["movement_table"] = compact_table(
            StockMovementTable,
            selectors.movement_list().filter(product=self.object)[:20],
            columns=(
                "created_at",
                "kind",
                "reason",
                "warehouse",
                "quantity",
                "balance_after",
                "reference",
                "actor",
            ),
        )
        product = self.object
        context["default_bom"] = product_components(product)
        context["can_edit_default_bom"] = self.request.user.has_perm(BOM_PERMISSION)
        context["show_default_bom"] = product.made_to_order or bool(context["default_bom"])
        context["default_bom_form"] = ProductComponentForm()
        if self.request.user.has_perm("inventory.view_demandforecast"):
            context["forecasts"] = [
                (forecast, forecast_chart(forecast), forecast_weeks(forecast))
                for forecast in selectors.product_forecasts(self.object)
            ]
        return context


class ProductEditView(ObjectEditView):
    permission_required = "inventory.change_product"
    form_class = ProductForm
    title = gettext_lazy("Edit product")

    lookup = staticmethod(selectors.product_detail)
    service = staticmethod(services.product_save)
    service_object = "product"


class ProductCreateView(ProductEditView):
    permission_required = "inventory.add_product"
    title = gettext_lazy("New product")

    list_url_name = "inventory:product_list"


class WarehouseListView(ObjectListView):
    permission_required = "inventory.view_warehouse"
    filterset_class = WarehouseFilterSet
    table_class = WarehouseTable
    title = gettext_lazy("Warehouses")
    export_name = "warehouses"
    actions = [
        (
            gettext_lazy("New warehouse"),
            "inventory:warehouse_create",
            "inventory.add_warehouse",
            "plus-lg",
        )
    ]

    def get_queryset(self):
        return selectors.warehouse_list()


class WarehouseDetailView(ObjectDetailView):
    permission_required = "inventory.view_warehouse"
    template_name = "inventory/warehouse_detail.html"

    lookup = staticmethod(selectors.warehouse_detail)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        in_warehouse = "?" + urlencode({"warehouse": self.object.pk})
        context["low_stock_card"] = table_card(
            _("Below safety stock"),
            compact_table(
                LowStockTable,
                selectors.low_stock().filter(warehouse=self.object).order_by("-shortfall")[:10],
                columns=("sku", "product", "available", "safety_stock"),
            ),
            reverse("inventory:low_stock") + in_warehouse,
        )
        context["movement_card"] = table_card(
            _("Latest stock movements"),
            compact_table(
                StockMovementTable,
                selectors.movement_list().filter(warehouse=self.object)[:10],
                columns=("created_at", "kind", "sku", "quantity"),
            ),
            reverse("inventory:movement_list") + in_warehouse,
        )
        return context


class WarehouseEditView(ObjectEditView):
    permission_required = "inventory.change_warehouse"
    form_class = WarehouseForm
    title = gettext_lazy("Edit warehouse")

    lookup = staticmethod(selectors.warehouse_detail)
    service = staticmethod(services.warehouse_save)
    service_object = "warehouse"


class WarehouseCreateView(WarehouseEditView):
    permission_required = "inventory.add_warehouse"
    title = gettext_lazy("New warehouse")

    list_url_name = "inventory:warehouse_list"


class CountSheetView(DocumentView):
    """The stock-count sheet of a warehouse: an HTML print page, or a PDF with ?format=pdf."""

    permission_required = "inventory.view_stocklevel"
    template_name = "inventory/count_sheet.html"

    lookup = staticmethod(selectors.warehouse_detail)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.localtime()
        number = f"SC-{self.object.code}-{now:%Y%m%d}"
        context.update(
            {
                "warehouse": self.object,
                "rows": list(selectors.count_sheet_rows(self.object)),
                "document_number": number,
                # Code 128 reads ASCII only; the warehouse code may be Chinese.
                "barcode": barcode_svg(f"SC-{self.object.pk}-{now:%Y%m%d}"),
                "printed_at": now,
                "title": _("Stock-count sheet"),
                "back_url": self.object.get_absolute_url(),
            }
        )
        return context


class StockLevelListView(ObjectListView):
    permission_required = "inventory.view_stocklevel"
    filterset_class = StockLevelFilterSet
    table_class = StockLevelTable
    title = gettext_lazy("Stock levels")
    export_name = "stock"
    actions = [
        (
            gettext_lazy("Receive stock"),
            "inventory:stock_receive",
            "inventory.receive_stock",
            "box-arrow-in-down",
        ),
        (
            gettext_lazy("Adjust stock"),
            "inventory:stock_adjust",
            "inventory.adjust_stock",
            "sliders",
        ),
        (
            gettext_lazy("Transfer stock"),
            "inventory:stock_transfer",
            "inventory.transfer_stock",
            "arrow-left-right",
        ),
    ]

    def get_queryset(self):
        return selectors.stock_levels()


class LowStockListView(ObjectListView):
    permission_required = "inventory.view_stocklevel"
    filterset_class = LowStockFilterSet
    table_class = LowStockTable
    title = gettext_lazy("Low stock")
    export_name = "low-stock"

    def get_queryset(self):
        return selectors.low_stock()

    def get_summary(self, queryset):
        return _(
            "Items whose available stock (on hand minus reserved) is below their safety stock."
        )


class StockMovementListView(ObjectListView):
    permission_required = "inventory.view_stockmovement"
    filterset_class = StockMovementFilterSet
    table_class = StockMovementTable
    title = gettext_lazy("Stock ledger")
    export_name = "stock-ledger"

    def get_queryset(self):
        return selectors.movement_list()

    def get_summary(self, queryset):
        return _(
            "Every change of stock on hand, newest first. Entries are never edited or deleted."
        )


class StockFormView(ObjectEditView):
    """Receive, adjust and transfer: a form, one stock service, back to the ledger.

    A subclass names its service and its success message; the message is formatted with the
    movement's quantity, sku, warehouse and balance.
    """

    template_name = "inventory/stock_form.html"
    list_url_name = "inventory:stock_list"
    success_text = ""

    @staticmethod
    def service(**kwargs) -> StockMovement:
        raise NotImplementedError

    def get_form_kwargs(self):
        if self.request.method == "GET":
            initial = {
                k: v for k, v in self.request.GET.items() if k in ("product", "warehouse", "source")
            }
            return {"initial": initial}
        return {}

    def save(self, form):
        return self.service(actor=self.request.user, **form.cleaned_data)

    def get_success_url(self, movement):
        return f"{reverse('inventory:movement_list')}?{urlencode({'sku': movement.product.sku})}"

    def success_message(self, movement):
        return self.success_text % {
            "quantity": movement.quantity,
            "sku": movement.product.sku,
            "warehouse": movement.warehouse.code,
            "balance": movement.balance_after,
        }

    def get_extra_context(self):
        return {
            "sku_options": selectors.product_list()
            .filter(is_active=True)
            .values("sku", "name")[:500]
        }


class StockReceiveView(StockFormView):
    permission_required = "inventory.receive_stock"
    form_class = StockReceiveForm
    title = gettext_lazy("Receive stock")
    submit_label = gettext_lazy("Receive")
    service = staticmethod(services.stock_receive)
    success_text = gettext_lazy(
        "Received %(quantity)s × %(sku)s into %(warehouse)s; now %(balance)s on hand."
    )


class StockAdjustView(StockFormView):
    permission_required = "inventory.adjust_stock"
    form_class = StockAdjustForm
    title = gettext_lazy("Adjust stock")
    submit_label = gettext_lazy("Adjust")
    service = staticmethod(services.stock_adjust)
    success_text = gettext_lazy(
        "Adjusted %(sku)s in %(warehouse)s by %(quantity)+d; now %(balance)s on hand."
    )


class StockTransferView(StockFormView):
    permission_required = "inventory.transfer_stock"
    form_class = StockTransferForm
    title = gettext_lazy("Transfer stock")
    submit_label = gettext_lazy("Transfer")
    success_text = gettext_lazy("Transferred %(quantity)s × %(sku)s to %(warehouse)s.")

    @staticmethod
    def service(**kwargs) -> StockMovement:
        return services.stock_transfer(**kwargs)[1]  # the movement into the destination


class StockLevelEditView(ObjectEditView):
    permission_required = "inventory.adjust_stock"
    form_class = StockLevelForm
    title = gettext_lazy("Bin and safety stock")

    lookup = staticmethod(selectors.stock_level)

    def get_cancel_url(self):
        return self.object.product.get_absolute_url()

    def get_success_url(self, level):
        return level.product.get_absolute_url()

    def save(self, form):
        return services.stock_level_update(
            actor=self.request.user,
            stock_level=self.object,
            bin_location=form.cleaned_data["bin_location"],
            safety_stock=form.cleaned_data["safety_stock"],
        )


class WorkOrderListView(ObjectListView):
    permission_required = "inventory.view_workorder"
    filterset_class = WorkOrderFilterSet
    table_class = WorkOrderTable
    title = gettext_lazy("Work orders")
    export_name = "work-orders"

    def get_queryset(self):
        return selectors.work_order_list()

    def get_summary(self, queryset):
        return _(
            "Made-to-order goods: materials → production → quality check → done. Done receives them into stock for their order."
        )


def _work_order_or_404(pk) -> object:
    return get_object_or_404(selectors.work_order_detail, pk)


class WorkOrderDetailView(ObjectDetailView):
    """A work order with its bill of materials: stock of each component in the work order's
    warehouse, what production reserved and issued, and the materials confirmation."""

    permission_required = "inventory.view_workorder"
    template_name = "inventory/work_order_detail.html"
    lookup = staticmethod(selectors.work_order_detail)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        work_order = self.object
        components = selectors.work_order_components(work_order)
        user = self.request.user
        context.update(
            {
                "components": components,
                "short": [c for c in components if c.reservation is None and c.free < c.quantity],
                "component_form": WorkOrderComponentForm(),
                "has_default_bom": not components
                and ProductComponent.objects.filter(product_id=work_order.product_id).exists(),
                "files": selectors.work_order_files(work_order),
                "file_form": WorkOrderFileForm(),
                "can_attach": work_order.stage not in ("done", "cancelled")
                and user.has_perm("inventory.change_workorder"),
                "can_edit_bom": work_order.bom_editable
                and user.has_perm("inventory.change_workorder"),
                "can_confirm": work_order.bom_editable
                and bool(components)
                and work_order.materials_confirmed_at is None
                and user.has_perm("inventory.confirm_work_order_materials"),
                "can_advance": work_order.stage not in ("done", "cancelled")
                and user.has_perm("inventory.advance_work_order"),
                "waiting_for_materials": work_order.bom_editable
                and bool(components)
                and work_order.materials_confirmed_at is None,
            }
        )
        return context


class WorkOrderActionView(ObjectActionView):
    """An action on one work order; back to its page."""

    def get_redirect_url(self, request, **kwargs):
        return reverse("inventory:work_order_detail", args=[kwargs["pk"]])


class WorkOrderComponentSetView(WorkOrderActionView):
    permission_required = "inventory.change_workorder"

    def perform(self, request, **kwargs):
        work_order = _work_order_or_404(kwargs["pk"])
        form = WorkOrderComponentForm(request.POST)
        if not form.is_valid():
            raise ValidationError(
                [
                    f"{form.fields[name].label}: {' '.join(errors)}"
                    for name, errors in form.errors.items()
                ]
            )
        component = work_orders.work_order_set_component(
            actor=request.user, work_order=work_order, **form.cleaned_data
        )
        return _("%(sku)s: %(quantity)s on the bill of materials of %(number)s.") % {
            "sku": component.product.sku,
            "quantity": component.quantity,
            "number": work_order.number,
        }


class WorkOrderComponentRemoveView(WorkOrderActionView):
    permission_required = "inventory.change_workorder"

    def perform(self, request, **kwargs):
        work_order = _work_order_or_404(kwargs["pk"])
        get_object_or_404(selectors.work_order_component_lookup(work_order), kwargs["component_pk"])
        work_orders.work_order_remove_component(
            actor=request.user, work_order=work_order, component_id=kwargs["component_pk"]
        )
        return _("Removed the component from the bill of materials of %(number)s.") % {
            "number": work_order.number
        }


class WorkOrderFileUploadView(WorkOrderActionView):
    permission_required = "inventory.change_workorder"

    def perform(self, request, **kwargs):
        work_order = _work_order_or_404(kwargs["pk"])
        form = WorkOrderFileForm(request.POST, request.FILES)
        if not form.is_valid():
            raise ValidationError([" ".join(errors) for errors in form.errors.values()])
        attached = work_orders.work_order_attach_file(
            actor=request.user, work_order=work_order, upload=form.cleaned_data["file"]
        )
        return _("Added %(name)s to %(number)s.") % {
            "name": attached.name,
            "number": work_order.number,
        }


class WorkOrderFileView(RequirePermissionMixin, View):
    """A work order's drawing or specification, always as a download, with the type the
    upload was checked to be."""

    permission_required = "inventory.view_workorder"

    def get(self, request, pk: int, file_pk: int):
        attached = selectors.work_order_file(pk, file_pk)
        if attached is None:
            raise Http404
        try:
            handle = attached.file.open("rb")
        except (FileNotFoundError, ValueError) as exc:
            raise Http404 from exc
        return FileResponse(
            handle, as_attachment=True, filename=attached.name, content_type=attached.content_type
        )


class WorkOrderConfirmMaterialsView(WorkOrderActionView):
    permission_required = "inventory.confirm_work_order_materials"

    def perform(self, request, **kwargs):
        work_order = work_orders.work_order_confirm_materials(
            actor=request.user, work_order=_work_order_or_404(kwargs["pk"])
        )
        return _("The materials of %(number)s are confirmed; production can start.") % {
            "number": work_order.number
        }


class WorkOrderAdvanceView(ObjectActionView):
    permission_required = "inventory.advance_work_order"

    def perform(self, request, **kwargs):
        work_order = _work_order_or_404(kwargs["pk"])
        work_order = work_orders.work_order_advance(actor=request.user, work_order=work_order)
        return _("%(number)s is now at %(stage)s.") % {
            "number": work_order.number,
            "stage": work_order.get_stage_display(),
        }

    def get_redirect_url(self, request, **kwargs):
        if request.POST.get("from") == "detail":
            return reverse("inventory:work_order_detail", args=[kwargs["pk"]])
        return reverse("inventory:work_order_list")
