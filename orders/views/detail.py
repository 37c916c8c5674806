"""The order page and its actions: each button is a POST-only view that calls one service.

The page offers exactly the actions of `order_allowed_actions`, the rules the services enforce.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.generic import ObjectActionView, ObjectDetailView
from oms.types import AnyUser
from orders import selectors, services
from orders.choices import OrderStatus
from orders.forms import BoostForm, NoteForm, ReasonForm
from orders.models import Order
from orders.permissions import ACTION_PERMISSIONS, OrderAction, order_allowed_actions
from orders.tables import OrderLineTable

S = OrderStatus


def get_order_or_404(number: str, user: AnyUser) -> Order:
    """The order in the URL, when this user may see it: otherwise 404, never a 403 that
    would tell that the number exists."""
    order = selectors.order_for_user(number, user)
    if order is None:
        raise Http404
    return order


class OrderInUrlMixin:
    """The order named in the URL, read on first use: after the rights are checked, so a
    user without them gets a 403 whether the number exists or not, and a user who may not
    see this order gets a 404."""

    @cached_property
    def order(self) -> Order:
        return get_order_or_404(self.kwargs["number"], self.request.user)


class OrderDetailView(ObjectDetailView):
    permission_required = "orders.view_order"
    template_name = "orders/order_detail.html"

    lookup_kwarg = "number"

    def lookup(self, number: str) -> Order | None:
        return selectors.order_detail(number, self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.object
        context.update(
            {
                "lines_table": OrderLineTable(order.lines.all(), order=order),
                "approvals": order.approvals.all(),
                "events": order.events.all(),
                # Timeline events name lines by id; the page names them by SKU.
                "line_skus": {str(line.pk): line.product.sku for line in order.lines.all()},
                # {action: True} for what this user may do now; the template shows those buttons.
                "can": {str(a): True for a in order_allowed_actions(order, self.request.user)},
            }
        )
        return context


class OrderActionView(OrderInUrlMixin, ObjectActionView):
    def get_redirect_url(self, request, **kwargs):
        return reverse("orders:detail", args=[kwargs["number"]])

    def form_value(self, form_class, field):
        form = form_class(self.request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors.get(field, [_("Check the form.")])[0])
        return form.cleaned_data[field]


class OrderServiceView(OrderActionView):
    """An order button that calls one service: with the note or reason typed in its dialog
    when `text_field` names it, then says `done` (which may name the order's %(number)s and
    %(status)s)."""

    service: Any = None
    text_field = ""  # "note" or "reason"
    done: Any = ""
    TEXT_FORMS: Any = {"note": NoteForm, "reason": ReasonForm}

    def perform(self, request, **kwargs):
        text = {}
        if self.text_field:
            text[self.text_field] = self.form_value(
                self.TEXT_FORMS[self.text_field], self.text_field
            )
        order = self.service(actor=request.user, order=self.order, **text)
        return self.done_message(order)

    def done_message(self, order: Order) -> str:
        return str(self.done) % {"number": order.number, "status": order.get_status_display()}


class SubmitView(OrderServiceView):
    permission_required = ACTION_PERMISSIONS[OrderAction.SUBMIT]
    service = staticmethod(services.order_submit)
    done = gettext_lazy("%(number)s is confirmed: %(status)s.")

    def done_message(self, order):
        if order.status == S.PENDING_REVIEW:
            return _("%(number)s is waiting for approval.") % {"number": order.number}
        return super().done_message(order)


class ApproveView(OrderServiceView):
    permission_required = ACTION_PERMISSIONS[OrderAction.APPROVE]
    service = staticmethod(services.order_approve)
    text_field = "note"
    done = gettext_lazy("Approved. %(number)s is now %(status)s.")


class RejectView(OrderServiceView):
    permission_required = ACTION_PERMISSIONS[OrderAction.REJECT]
    service = staticmethod(services.order_reject)
    text_field = "note"
    done = gettext_lazy("Rejected. %(number)s is back in draft.")


class HoldView(OrderServiceView):
    permission_required = ACTION_PERMISSIONS[OrderAction.HOLD]
    service = staticmethod(services.order_hold)
    text_field = "reason"
    done = gettext_lazy("The order is on hold.")


class ResumeView(OrderServiceView):
    permission_required = ACTION_PERMISSIONS[OrderAction.RESUME]
    service = staticmethod(services.order_resume)
    done = gettext_lazy("The order is no longer on hold.")


class CancelView(OrderServiceView):
    permission_required = ACTION_PERMISSIONS[OrderAction.CANCEL]
    service = staticmethod(services.order_cancel)
    text_field = "reason"
    done = gettext_lazy("The order is cancelled and its stock released.")

    def done_message(self, order):
        if order.status != S.CANCELLED:
            return _(
                "What had not been dispatched is cancelled and its stock released; "
                "%(number)s goes on with what was dispatched."
            ) % {"number": order.number}
        return super().done_message(order)


class BoostView(OrderActionView):
    permission_required = ACTION_PERMISSIONS[OrderAction.BOOST]

    def perform(self, request, **kwargs):
        order = self.order  # an order that does not exist is a 404, whatever was sent
        form = BoostForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Enter a boost between -100 and 100."))
        order = services.order_boost(actor=request.user, order=order, **form.cleaned_data)
        return _("Priority is now %(score)s.") % {"score": order.priority_score}


class StartPickingView(OrderServiceView):
    permission_required = ACTION_PERMISSIONS[OrderAction.START_PICKING]
    service = staticmethod(services.order_start_picking)
    done = gettext_lazy("Picking started: the order can no longer be amended.")
