from django.urls import path

from inventory import views

app_name = "inventory"
urlpatterns = [
    path("products/", views.ProductListView.as_view(), name="product_list"),
    path("products/new/", views.ProductCreateView.as_view(), name="product_create"),
    path("products/<int:pk>/", views.ProductDetailView.as_view(), name="product_detail"),
    path("products/<int:pk>/edit/", views.ProductEditView.as_view(), name="product_edit"),
    path("warehouses/", views.WarehouseListView.as_view(), name="warehouse_list"),
    path("warehouses/new/", views.WarehouseCreateView.as_view(), name="warehouse_create"),
    path("warehouses/<int:pk>/", views.WarehouseDetailView.as_view(), name="warehouse_detail"),
    path("warehouses/<int:pk>/edit/", views.WarehouseEditView.as_view(), name="warehouse_edit"),
    path("warehouses/<int:pk>/count-sheet/", views.CountSheetView.as_view(), name="count_sheet"),
    path("stock/", views.StockLevelListView.as_view(), name="stock_list"),
    path("stock/low/", views.LowStockListView.as_view(), name="low_stock"),
    path("stock/ledger/", views.StockMovementListView.as_view(), name="movement_list"),
    path("stock/receive/", views.StockReceiveView.as_view(), name="stock_receive"),
    path("stock/adjust/", views.StockAdjustView.as_view(), name="stock_adjust"),
    path("stock/transfer/", views.StockTransferView.as_view(), name="stock_transfer"),
    path("stock/<int:pk>/edit/", views.StockLevelEditView.as_view(), name="stock_level_edit"),
    path("work-orders/", views.WorkOrderListView.as_view(), name="work_order_list"),
    path(
        "work-orders/<int:pk>/advance/",
        views.WorkOrderAdvanceView.as_view(),
        name="work_order_advance",
    ),
]
