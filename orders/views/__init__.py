"""Order pages, one module per group: lists, the order page and its actions, the draft
editor, amendments; the pricing and review rules in orders/views/rules/ (one module per kind)."""

from orders.views.amend import AmendView
from orders.views.customer_link import (
    CustomerLinkRegenerateView,
    CustomerLinkRevokeView,
    CustomerLinkShareView,
)
from orders.views.detail import (
    ApproveView,
    BoostView,
    CancelView,
    HoldView,
    OrderDetailView,
    RejectView,
    ResumeView,
    StartPickingView,
    SubmitView,
)
from orders.views.draft import (
    DraftDetailsView,
    DraftLineAddView,
    DraftLineRemoveView,
    DraftLineUpdateView,
    OrderCreateView,
    OrderEditView,
)
from orders.views.lists import (
    ApprovalQueueView,
    CustomerOptionsView,
    OrderListView,
    PriorityQueueView,
    SkuOptionsView,
)

__all__ = [
    "AmendView",
    "ApprovalQueueView",
    "ApproveView",
    "BoostView",
    "CancelView",
    "CustomerLinkRegenerateView",
    "CustomerLinkRevokeView",
    "CustomerLinkShareView",
    "CustomerOptionsView",
    "DraftDetailsView",
    "DraftLineAddView",
    "DraftLineRemoveView",
    "DraftLineUpdateView",
    "HoldView",
    "OrderCreateView",
    "OrderDetailView",
    "OrderEditView",
    "OrderListView",
    "PriorityQueueView",
    "RejectView",
    "ResumeView",
    "SkuOptionsView",
    "StartPickingView",
    "SubmitView",
]
