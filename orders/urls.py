from django.urls import path

from oms.generic import action_urls, object_urls
from orders import views
from orders.intake import inbound_views
from orders.intake import views as channel_views
from orders.intake.webhooks import WebhookView
from orders.views.rules import approval_rules, price_lists, promotions, shipping_fees

ORDER = "orders/<str:number>/"

app_name = "orders"
urlpatterns = [
    path("orders/", views.OrderListView.as_view(), name="list"),
    path("orders/new/", views.OrderCreateView.as_view(), name="create"),
    path("orders/queue/", views.PriorityQueueView.as_view(), name="queue"),
    path("orders/sku-options/", views.SkuOptionsView.as_view(), name="sku_options"),
    path("orders/customer-options/", views.CustomerOptionsView.as_view(), name="customer_options"),
    # Before orders/<number>/, which would take "approval-rules" for an order number.
    *object_urls(
        "orders/approval-rules/",
        "approval_rule",
        approval_rules,
        "ApprovalRule",
        edit_route="<int:pk>/",
    ),
    path("approvals/", views.ApprovalQueueView.as_view(), name="approvals"),
    path(ORDER, views.OrderDetailView.as_view(), name="detail"),
    path(f"{ORDER}edit/", views.OrderEditView.as_view(), name="edit"),
    path(f"{ORDER}edit/details/", views.DraftDetailsView.as_view(), name="draft_details"),
    path(f"{ORDER}edit/lines/add/", views.DraftLineAddView.as_view(), name="line_add"),
    path(f"{ORDER}edit/lines/update/", views.DraftLineUpdateView.as_view(), name="line_update"),
    path(f"{ORDER}edit/lines/remove/", views.DraftLineRemoveView.as_view(), name="line_remove"),
    path(f"{ORDER}amend/", views.AmendView.as_view(), name="amend"),
    *action_urls(
        ORDER,
        views,
        *("submit", "approve", "reject", "hold", "resume", "cancel", "boost", "start_picking"),
    ),
    path(
        f"{ORDER}customer-link/share/",
        views.CustomerLinkShareView.as_view(),
        name="customer_link_share",
    ),
    path(
        f"{ORDER}customer-link/regenerate/",
        views.CustomerLinkRegenerateView.as_view(),
        name="customer_link_regenerate",
    ),
    path(
        f"{ORDER}customer-link/revoke/",
        views.CustomerLinkRevokeView.as_view(),
        name="customer_link_revoke",
    ),
    # Sales channels (orders/intake/).
    *object_urls("channels/", "channel", channel_views, "Channel"),
    # What was sent to channels (orders.intake.outbound).
    path(
        "channels/webhooks/", channel_views.WebhookDeliveryListView.as_view(), name="webhook_list"
    ),
    path(
        "channels/webhooks/<int:pk>/resend/",
        channel_views.WebhookResendView.as_view(),
        name="webhook_resend",
    ),
    path(
        "channels/<int:pk>/tokens/new/",
        channel_views.ChannelTokenCreateView.as_view(),
        name="channel_token_create",
    ),
    path(
        "channels/<int:pk>/tokens/<int:token_pk>/",
        channel_views.ChannelTokenDetailView.as_view(),
        name="channel_token_detail",
    ),
    path(
        "channels/<int:pk>/tokens/<int:token_pk>/revoke/",
        channel_views.ChannelTokenRevokeView.as_view(),
        name="channel_token_revoke",
    ),
    # Inbound deliveries and platform SKU mappings; the shops' webhook endpoint (no login).
    path("intake/<str:code>/webhook/", WebhookView.as_view(), name="inbound_webhook"),
    path("intake/deliveries/", inbound_views.DeliveryListView.as_view(), name="inbound_list"),
    path(
        "intake/deliveries/<int:pk>/",
        inbound_views.DeliveryDetailView.as_view(),
        name="inbound_detail",
    ),
    path(
        "intake/deliveries/<int:pk>/retry/",
        inbound_views.DeliveryRetryView.as_view(),
        name="inbound_retry",
    ),
    path("intake/unmapped-skus/", inbound_views.UnmappedSkuView.as_view(), name="unmapped_skus"),
    # Pricing rules (orders/views/rules/).
    *object_urls("price-lists/", "price_list", price_lists, "PriceList"),
    path(
        "price-lists/<int:pk>/prices/",
        price_lists.PriceListPricesView.as_view(),
        name="price_list_prices",
    ),
    path(
        "price-lists/<int:pk>/import/",
        price_lists.PriceListImportView.as_view(),
        name="price_list_import",
    ),
    *object_urls("promotions/", "promotion", promotions, "Promotion", edit_route="<int:pk>/"),
    *object_urls(
        "shipping-fees/", "shipping_rule", shipping_fees, "ShippingRule", edit_route="<int:pk>/"
    ),
]
