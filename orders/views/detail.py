"""The order page and its actions: each button is a POST-only view that calls one service.

The page offers exactly the actions of `order_allowed_actions`, the rules the services enforce.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from oms.generic import ObjectActionView, ObjectDetailView
from orders import selectors, services
from orders.choices import OrderStatus
from orders.forms import BoostForm, NoteForm, ReasonForm
from orders.models import Order
from orders.permissions import ACTION_PERMISSIONS, OrderAction, order_allowed_actions

S = OrderStatus


def get_order_or_404(number: str) -> Order:
    order = Order.objects.select_related("customer").filter(number=number).first()
    if order is None:
        raise Http404
    return order


class OrderDetailView(ObjectDetailView):
    permission_required = "orders.view_order"
    template_name = "orders/order_detail.html"

    def get_object(self):
        return selectors.order_detail(self.kwargs["number"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.object
        context.update(
            {
                "lines": order.lines.all(),
                "approvals": order.approvals.all(),
                "events": order.events.all(),
                # Timeline events name lines by id; the page names them by SKU.
                "line_skus": {str(line.pk): line.product.sku for line in order.lines.all()},
                # {action: True} for what this user may do now; the template shows those buttons.
                "can": {str(a): True for a in order_allowed_actions(order, self.request.user)},
            }
        )
        return context


class OrderActionView(ObjectActionView):
    def get_redirect_url(self, request, **kwargs):
        return reverse("orders:detail", args=[kwargs["number"]])

    def order(self, kwargs) -> Order:
        return get_order_or_404(kwargs["number"])

    def form_value(self, form_class, field):
        form = form_class(self.request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors.get(field, [_("Check the form.")])[0])
        return form.cleaned_data[field]


class SubmitView(OrderActionView):
    permission_required = ACTION_PERMISSIONS[OrderAction.SUBMIT]

    def perform(self, request, **kwargs):
        order = services.order_submit(actor=request.user, order=self.order(kwargs))
        if order.status == S.PENDING_REVIEW:
            return _("%(number)s is waiting for approval.") % {"number": order.number}
        return _("%(number)s is confirmed: %(status)s.") % {
            "number": order.number,
            "status": order.get_status_display(),
        }


class ApproveView(OrderActionView):
    permission_required = ACTION_PERMISSIONS[OrderAction.APPROVE]

    def perform(self, request, **kwargs):
        order = services.order_approve(
            actor=request.user, order=self.order(kwargs), note=self.form_value(NoteForm, "note")
        )
        return _("Approved. %(number)s is now %(status)s.") % {
            "number": order.number,
            "status": order.get_status_display(),
        }


class RejectView(OrderActionView):
    permission_required = ACTION_PERMISSIONS[OrderAction.REJECT]

    def perform(self, request, **kwargs):
        order = services.order_reject(
            actor=request.user, order=self.order(kwargs), note=self.form_value(NoteForm, "note")
        )
        return _("Rejected. %(number)s is back in draft.") % {"number": order.number}


class HoldView(OrderActionView):
    permission_required = ACTION_PERMISSIONS[OrderAction.HOLD]

    def perform(self, request, **kwargs):
        services.order_hold(
            actor=request.user,
            order=self.order(kwargs),
            reason=self.form_value(ReasonForm, "reason"),
        )
        return _("The order is on hold.")


class ResumeView(OrderActionView):
    permission_required = ACTION_PERMISSIONS[OrderAction.RESUME]

    def perform(self, request, **kwargs):
        services.order_resume(actor=request.user, order=self.order(kwargs))
        return _("The order is no longer on hold.")


class CancelView(OrderActionView):
    permission_required = ACTION_PERMISSIONS[OrderAction.CANCEL]

    def perform(self, request, **kwargs):
        services.order_cancel(
            actor=request.user,
            order=self.order(kwargs),
            reason=self.form_value(ReasonForm, "reason"),
        )
        return _("The order is cancelled and its stock released.")


class BoostView(OrderActionView):
    permission_required = ACTION_PERMISSIONS[OrderAction.BOOST]

    def perform(self, request, **kwargs):
        order = self.order(kwargs)  # an order that does not exist is a 404, whatever was sent
        form = BoostForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Enter a boost between -100 and 100."))
        order = services.order_boost(actor=request.user, order=order, **form.cleaned_data)
        return _("Priority is now %(score)s.") % {"score": order.priority_score}


class StartPickingView(OrderActionView):
    permission_required = ACTION_PERMISSIONS[OrderAction.START_PICKING]

    def perform(self, request, **kwargs):
        services.order_start_picking(actor=request.user, order=self.order(kwargs))
        return _("Picking started: the order can no longer be amended.")
