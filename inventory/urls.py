from django.urls import path

from inventory import bom_views, replenishment_views, stocktake_views, tax_views, views
from oms.generic import object_urls

app_name = "inventory"
urlpatterns = [
    *object_urls("products/", "product", views, "Product"),
    *object_urls("warehouses/", "warehouse", views, "Warehouse"),
    path("warehouses/<int:pk>/count-sheet/", views.CountSheetView.as_view(), name="count_sheet"),
    *object_urls("tax-classes/", "tax_class", tax_views, "TaxClass"),
    path(
        "tax-classes/<int:pk>/rates/new/",
        tax_views.TaxRateCreateView.as_view(),
        name="tax_rate_create",
    ),
    path("stock/", views.StockLevelListView.as_view(), name="stock_list"),
    path("stock/low/", views.LowStockListView.as_view(), name="low_stock"),
    path("stock/ledger/", views.StockMovementListView.as_view(), name="movement_list"),
    path("stock/receive/", views.StockReceiveView.as_view(), name="stock_receive"),
    path("stock/adjust/", views.StockAdjustView.as_view(), name="stock_adjust"),
    path("stock/transfer/", views.StockTransferView.as_view(), name="stock_transfer"),
    path("stock/<int:pk>/edit/", views.StockLevelEditView.as_view(), name="stock_level_edit"),
    *object_urls("stocktakes/", "stocktake", stocktake_views, "Stocktake"),
    path(
        "stocktakes/<int:pk>/count/",
        stocktake_views.StocktakeCountView.as_view(),
        name="stocktake_count",
    ),
    path(
        "stocktakes/<int:pk>/upload/",
        stocktake_views.StocktakeUploadView.as_view(),
        name="stocktake_upload",
    ),
    path(
        "stocktakes/<int:pk>/template.csv",
        stocktake_views.StocktakeTemplateView.as_view(),
        name="stocktake_template",
    ),
    path(
        "stocktakes/<int:pk>/sheet/",
        stocktake_views.StocktakeSheetView.as_view(),
        name="stocktake_sheet",
    ),
    path(
        "stocktakes/<int:pk>/post/",
        stocktake_views.StocktakePostView.as_view(),
        name="stocktake_post",
    ),
    path(
        "stocktakes/<int:pk>/cancel/",
        stocktake_views.StocktakeCancelView.as_view(),
        name="stocktake_cancel",
    ),
    path(
        "replenishment/",
        replenishment_views.ReplenishmentListView.as_view(),
        name="replenishment",
    ),
    path(
        "products/<int:pk>/forecast/refresh/",
        replenishment_views.ForecastRefreshView.as_view(),
        name="forecast_refresh",
    ),
    path(
        "products/<int:pk>/components/",
        bom_views.ProductComponentSetView.as_view(),
        name="product_component_set",
    ),
    path(
        "products/<int:pk>/components/<int:line_pk>/remove/",
        bom_views.ProductComponentRemoveView.as_view(),
        name="product_component_remove",
    ),
    path(
        "work-orders/<int:pk>/default-bom/",
        bom_views.WorkOrderUseDefaultBomView.as_view(),
        name="work_order_use_default_bom",
    ),
    path("work-orders/", views.WorkOrderListView.as_view(), name="work_order_list"),
    path("work-orders/<int:pk>/", views.WorkOrderDetailView.as_view(), name="work_order_detail"),
    path(
        "work-orders/<int:pk>/components/",
        views.WorkOrderComponentSetView.as_view(),
        name="work_order_component_set",
    ),
    path(
        "work-orders/<int:pk>/components/<int:component_pk>/remove/",
        views.WorkOrderComponentRemoveView.as_view(),
        name="work_order_component_remove",
    ),
    path(
        "work-orders/<int:pk>/files/",
        views.WorkOrderFileUploadView.as_view(),
        name="work_order_file_upload",
    ),
    path(
        "work-orders/<int:pk>/files/<int:file_pk>/",
        views.WorkOrderFileView.as_view(),
        name="work_order_file",
    ),
    path(
        "work-orders/<int:pk>/confirm-materials/",
        views.WorkOrderConfirmMaterialsView.as_view(),
        name="work_order_confirm_materials",
    ),
    path(
        "work-orders/<int:pk>/advance/",
        views.WorkOrderAdvanceView.as_view(),
        name="work_order_advance",
    ),
]
