"""Order lists: all orders, the warehouse's priority queue, the reviewers' queue, and the
option lists the order forms fetch as the user types."""

from django.db.models import Q, Sum
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from customers.selectors import customers_visible_to
from inventory.models import Product
from oms.generic import ObjectListView, RequirePermissionMixin
from oms.roles import ROLES
from orders import selectors
from orders.filters import OrderFilterSet, QueueFilterSet
from orders.permissions import OrderAction, order_allowed_actions
from orders.tables import ApprovalTable, OrderTable, QueueTable


class OrderListView(ObjectListView):
    permission_required = "orders.view_order"
    filterset_class = OrderFilterSet
    table_class = OrderTable
    title = gettext_lazy("Orders")
    export_name = "orders"
    actions = [(gettext_lazy("New order"), "orders:create", "orders.add_order", "plus-lg")]

    def get_queryset(self):
        return selectors.order_list(self.request.user)


class PriorityQueueView(ObjectListView):
    permission_required = "orders.view_order"
    filterset_class = QueueFilterSet
    table_class = QueueTable
    title = gettext_lazy("Priority queue")
    export_name = "priority-queue"

    def get_queryset(self):
        return selectors.priority_queue(self.request.user)

    def get_summary(self, queryset):
        return _(
            "Open orders, most urgent first. The score and its reasons are recomputed every night."
        )


class ApprovalQueueView(ObjectListView):
    """What this user may approve or reject now: exactly the orders whose page would offer
    them the buttons (order_allowed_actions). Orders at their roles' level that another
    person must decide (separation of duties: they created, last edited or already decided
    them) are left out and counted in the summary."""

    permission_required = "orders.approve_order"
    filterset_class = None
    table_class = ApprovalTable
    title = gettext_lazy("Awaiting my approval")
    export_name = "approvals"

    def get_queryset(self):
        user = self.request.user
        self.roles = selectors.user_roles(user)
        waiting = selectors.pending_approvals_for(self.roles, user).prefetch_related(
            "order__approvals"
        )
        mine, self.not_mine = [], set()
        for approval in waiting:
            if OrderAction.APPROVE in order_allowed_actions(approval.order, user, roles=self.roles):
                mine.append(approval)
            else:
                self.not_mine.add(approval.order.number)
        return mine

    def get_summary(self, queryset):
        summary = _("Orders whose current review level needs one of your roles: %(roles)s.") % {
            "roles": ", ".join(str(ROLES[r].label) for r in sorted(self.roles)) or "—"
        }
        if self.not_mine:
            summary += " " + ngettext(
                "%(count)s more order at your level is not yours to decide: you created, "
                "last edited or already decided it, so another person must.",
                "%(count)s more orders at your level are not yours to decide: you created, "
                "last edited or already decided them, so another person must.",
                len(self.not_mine),
            ) % {"count": len(self.not_mine)}
        return summary


class SkuOptionsView(RequirePermissionMixin, View):
    """htmx: <option>s for the SKU box, with free stock, as the user types."""

    permission_required = "orders.view_order"

    def get(self, request):
        query = request.GET.get("product", "").strip()
        products = Product.objects.filter(is_active=True)
        if query:
            products = products.filter(
                Q(sku__istartswith=query) | Q(name__icontains=query) | Q(name_en__icontains=query)
            )
        products = products.annotate(
            free=Sum("stock_levels__on_hand") - Sum("stock_levels__reserved")
        ).order_by("sku")[:20]
        return render(request, "orders/includes/sku_options.html", {"products": products})


class CustomerOptionsView(RequirePermissionMixin, View):
    permission_required = "orders.add_order"

    def get(self, request):
        query = request.GET.get("customer", "").strip()
        customers = customers_visible_to(request.user).filter(is_active=True)
        if query:
            customers = customers.filter(
                Q(code__istartswith=query) | Q(name__icontains=query) | Q(phone__startswith=query)
            )
        return render(
            request,
            "orders/includes/customer_options.html",
            {"customers": customers.order_by("code")[:20]},
        )
