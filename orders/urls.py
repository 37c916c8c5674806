from django.urls import path

from orders import views

app_name = "orders"
urlpatterns = [
    path("orders/", views.OrderListView.as_view(), name="list"),
    path("orders/new/", views.OrderCreateView.as_view(), name="create"),
    path("orders/queue/", views.PriorityQueueView.as_view(), name="queue"),
    path("orders/sku-options/", views.SkuOptionsView.as_view(), name="sku_options"),
    path("orders/customer-options/", views.CustomerOptionsView.as_view(), name="customer_options"),
    path("orders/approval-rules/", views.ApprovalRuleListView.as_view(), name="approval_rule_list"),
    path(
        "orders/approval-rules/new/",
        views.ApprovalRuleCreateView.as_view(),
        name="approval_rule_create",
    ),
    path(
        "orders/approval-rules/<int:pk>/",
        views.ApprovalRuleEditView.as_view(),
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
]
