"""The customer's return page, /track/<token>/return/: the same right and rules as the order
page (shipping.public_views): the token is the right, every miss gets the same 404 page,
requests and misses count against the same per-address limits, no script, no referrer, not
indexed, not cached by shared caches. It lists the order's returns with their progress, and
while something delivered may still come back, the form to ask for it (no sign-in, so the
service runs with actor=None and source "customer")."""

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from aftersales import return_services as services
from aftersales.models import ReturnRequest
from aftersales.return_choices import ReturnStatus
from aftersales.return_forms import ReturnRequestForm
from aftersales.return_selectors import returnable_lines
from oms.errors import ServiceError
from oms.generic import apply_validation_error
from orders.choices import OrderStatus
from orders.models import Order
from shipping.public_views import PublicOrderView

# What the customer reads at each step (the staff's words stay inside).
STEPS = [
    ReturnStatus.REQUESTED,
    ReturnStatus.APPROVED,
    ReturnStatus.RECEIVED,
    ReturnStatus.INSPECTED,
    ReturnStatus.RESOLVED,
]
PUBLIC_TONES = {
    ReturnStatus.REQUESTED: "orange",
    ReturnStatus.APPROVED: "blue",
    ReturnStatus.RECEIVED: "teal",
    ReturnStatus.INSPECTED: "indigo",
    ReturnStatus.RESOLVED: "green",
    ReturnStatus.REJECTED: "red",
}
# Before the first parcel leaves nothing can be delivered: the page skips the three queries
# that count what may come back.
NOTHING_DELIVERED_YET = {
    OrderStatus.DRAFT,
    OrderStatus.PENDING_REVIEW,
    OrderStatus.CONFIRMED,
    OrderStatus.BACKORDERED,
    OrderStatus.IN_PRODUCTION,
    OrderStatus.ALLOCATED,
    OrderStatus.PICKING,
}
# Events the customer sees on the return's timeline (no notes, no names).
CUSTOMER_EVENTS = {
    "requested",
    "approved",
    "rejected",
    "shipped",
    "received",
    "resolved",
    "cancelled",
}


class PublicReturnView(PublicOrderView):
    """The token, language switch, rate limits and headers are the order page's
    (`PublicOrderView`); this page lists the returns and takes the request form."""

    def get_order(self, request: HttpRequest, order: Order) -> HttpResponse:
        return self.page(request, order)

    def post_order(self, request: HttpRequest, order: Order) -> HttpResponse:
        return self.page(request, order)

    def page(self, request: HttpRequest, order: Order) -> HttpResponse:
        lines = returnable_lines(order)
        returnable = any(entry.returnable for entry in lines)
        form = None
        status = 200
        if request.method == "POST":
            form = ReturnRequestForm(request.POST, request.FILES, lines=lines)
            created = self.create(request, order, form)
            if created is not None:
                url = reverse("aftersales:public_return", args=[order.public_token])
                return HttpResponseRedirect(f"{url}?sent={created.pk}")
            status = 422
        elif returnable:
            form = ReturnRequestForm(lines=lines)
        return render(
            request,
            "aftersales/returns/public/page.html",
            {
                **self.progress(order),
                "order": order,
                "form": form if returnable else None,
                "submission": request.POST.get("submission") or uuid.uuid4().hex,
                "sent": request.GET.get("sent", ""),
                "return_days": settings.OMS_RETURN_DAYS,
                "defect_days": settings.OMS_RETURN_DEFECT_DAYS,
            },
            status=status,
        )

    @staticmethod
    def create(request: HttpRequest, order, form: ReturnRequestForm) -> ReturnRequest | None:
        if not form.is_valid():
            return None
        submission = request.POST.get("submission", "")
        try:
            key = f"public:{uuid.UUID(submission).hex}"
        except ValueError:
            key = None
        try:
            return services.return_request_create(
                actor=None,
                order=order,
                lines=form.chosen_lines(),
                reason=form.cleaned_data["reason"],
                reason_text=form.cleaned_data["reason_text"],
                resolution=form.cleaned_data["resolution"],
                photos=form.cleaned_data["photos"],
                submission_key=key,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        return None

    @staticmethod
    def progress(order) -> dict[str, Any]:
        returns = list(
            ReturnRequest.objects.filter(order=order)
            .order_by("-id")
            .prefetch_related("lines__order_line__product", "events")
        )
        for rma in returns:
            rma.step = STEPS.index(rma.status) if rma.status in STEPS else None
            rma.tone = PUBLIC_TONES.get(rma.status, "grey")
            rma.public_events = [e for e in rma.events.all() if e.kind in CUSTOMER_EVENTS]
        return {"returns": returns, "steps": [status.label for status in STEPS]}


public_return = PublicReturnView.as_public_view()


def return_section(order: Order, request: HttpRequest) -> dict[str, Any] | None:
    """The order page's returns card: each return's state, and the way to the return page
    while something delivered may still come back. Left out when neither applies."""
    returns = list(ReturnRequest.objects.filter(order=order).order_by("-id"))
    returnable = order.status not in NOTHING_DELIVERED_YET and any(
        entry.returnable for entry in returnable_lines(order, any_returns=bool(returns))
    )
    if not returns and not returnable:
        return None
    for rma in returns:
        rma.tone = PUBLIC_TONES.get(rma.status, "grey")
    return {"returns": returns, "returnable": returnable}
