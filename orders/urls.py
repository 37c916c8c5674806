from django.urls import path

from orders import views
from orders.views import rules as rule_views

app_name = "orders"
urlpatterns = [
    path("orders/", views.OrderListView.as_view(), name="list"),
    path("orders/new/", views.OrderCreateView.as_view(), name="create"),
    path("orders/queue/", views.PriorityQueueView.as_view(), name="queue"),
    path("orders/sku-options/", views.SkuOptionsView.as_view(), name="sku_options"),
    path("orders/customer-options/", views.CustomerOptionsView.as_view(), name="customer_options"),
    path(
        "orders/approval-rules/",
        rule_views.ApprovalRuleListView.as_view(),
        name="approval_rule_list",
    ),
    path(
        "orders/approval-rules/new/",
        rule_views.ApprovalRuleCreateView.as_view(),
        name="approval_rule_create",
    ),
    path(
        "orders/approval-rules/<int:pk>/",
        rule_views.ApprovalRuleEditView.as_view(),
        name="approval_rule_edit",
    ),
    path("approvals/", views.ApprovalQueueView.as_view(), name="approvals"),
    path("orders/<str:number>/", views.OrderDetailView.as_view(), name="detail"),
    path("orders/<str:number>/edit/", views.OrderEditView.as_view(), name="edit"),
    path(
        "orders/<str:number>/edit/details/", views.DraftDetailsView.as_view(), name="draft_details"
    ),
    path("orders/<str:number>/edit/lines/add/", views.DraftLineAddView.as_view(), name="line_add"),
    path(
        "orders/<str:number>/edit/lines/update/",
        views.DraftLineUpdateView.as_view(),
        name="line_update",
    ),
    path(
        "orders/<str:number>/edit/lines/remove/",
        views.DraftLineRemoveView.as_view(),
        name="line_remove",
    ),
    path("orders/<str:number>/amend/", views.AmendView.as_view(), name="amend"),
    path("orders/<str:number>/submit/", views.SubmitView.as_view(), name="submit"),
    path("orders/<str:number>/approve/", views.ApproveView.as_view(), name="approve"),
    path("orders/<str:number>/reject/", views.RejectView.as_view(), name="reject"),
    path("orders/<str:number>/hold/", views.HoldView.as_view(), name="hold"),
    path("orders/<str:number>/resume/", views.ResumeView.as_view(), name="resume"),
    path("orders/<str:number>/cancel/", views.CancelView.as_view(), name="cancel"),
    path("orders/<str:number>/boost/", views.BoostView.as_view(), name="boost"),
    path(
        "orders/<str:number>/start-picking/", views.StartPickingView.as_view(), name="start_picking"
    ),
    # Pricing and review rules (orders/views/rules.py).
    path(
        "orders/approval-rules/<int:pk>/activate/",
        rule_views.ApprovalRuleActivateView.as_view(),
        name="approval_rule_activate",
    ),
    path(
        "orders/approval-rules/<int:pk>/deactivate/",
        rule_views.ApprovalRuleDeactivateView.as_view(),
        name="approval_rule_deactivate",
    ),
    path("price-lists/", rule_views.PriceListListView.as_view(), name="price_list_list"),
    path("price-lists/new/", rule_views.PriceListCreateView.as_view(), name="price_list_create"),
    path(
        "price-lists/<int:pk>/", rule_views.PriceListDetailView.as_view(), name="price_list_detail"
    ),
    path(
        "price-lists/<int:pk>/edit/", rule_views.PriceListEditView.as_view(), name="price_list_edit"
    ),
    path(
        "price-lists/<int:pk>/prices/",
        rule_views.PriceListPricesView.as_view(),
        name="price_list_prices",
    ),
    path(
        "price-lists/<int:pk>/import/",
        rule_views.PriceListImportView.as_view(),
        name="price_list_import",
    ),
    path(
        "price-lists/<int:pk>/activate/",
        rule_views.PriceListActivateView.as_view(),
        name="price_list_activate",
    ),
    path(
        "price-lists/<int:pk>/deactivate/",
        rule_views.PriceListDeactivateView.as_view(),
        name="price_list_deactivate",
    ),
    path("promotions/", rule_views.PromotionListView.as_view(), name="promotion_list"),
    path("promotions/new/", rule_views.PromotionCreateView.as_view(), name="promotion_create"),
    path("promotions/<int:pk>/", rule_views.PromotionEditView.as_view(), name="promotion_edit"),
    path(
        "promotions/<int:pk>/activate/",
        rule_views.PromotionActivateView.as_view(),
        name="promotion_activate",
    ),
    path(
        "promotions/<int:pk>/deactivate/",
        rule_views.PromotionDeactivateView.as_view(),
        name="promotion_deactivate",
    ),
    path("shipping-fees/", rule_views.ShippingRuleListView.as_view(), name="shipping_rule_list"),
    path(
        "shipping-fees/new/",
        rule_views.ShippingRuleCreateView.as_view(),
        name="shipping_rule_create",
    ),
    path(
        "shipping-fees/<int:pk>/",
        rule_views.ShippingRuleEditView.as_view(),
        name="shipping_rule_edit",
    ),
    path(
        "shipping-fees/<int:pk>/activate/",
        rule_views.ShippingRuleActivateView.as_view(),
        name="shipping_rule_activate",
    ),
    path(
        "shipping-fees/<int:pk>/deactivate/",
        rule_views.ShippingRuleDeactivateView.as_view(),
        name="shipping_rule_deactivate",
    ),
]
