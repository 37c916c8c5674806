"""The customer's return page, /track/<token>/return/: the same right and rules as the order
page (shipping.public_views): the token is the right, every miss gets the same 404 page,
requests and misses count against the same per-address limits, no script, no referrer, not
indexed, not cached by shared caches. It lists the order's returns with their progress, and
while something delivered may still come back, the form to ask for it (no sign-in, so the
service runs with actor=None and source "customer")."""

import uuid
from typing import Any

from csp.decorators import csp_replace
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
from oms.ratelimit import client_address, count_hit, hits, seconds_left
from orders.selectors import order_by_public_token
from shipping.public_views import HOUR, MINUTE, PUBLIC_PAGE_CSP, TOKEN_SHAPE, TrackOrderView

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


class PublicReturnView(TrackOrderView):
    """Language switch and headers come from the order page's view; `page` is this page."""

    http_method_names = ["get", "head", "post"]

    def get(self, request: HttpRequest, token: str) -> HttpResponse:  # type: ignore[override]
        response = super().get(request, token)
        # The page posts a form to itself: the browser must send our own origin (no-referrer
        # makes it "null", which the CSRF check refuses). Other sites still get nothing.
        response["Referrer-Policy"] = "same-origin"
        return response

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        return self.get(request, token)

    def page(self, request: HttpRequest, token: str) -> HttpResponse:
        address = client_address(request)
        window = None
        if hits("track-miss", address, window=HOUR) >= settings.OMS_TRACK_MISSES_PER_HOUR:
            window = HOUR
        elif count_hit("track", address, window=MINUTE) > settings.OMS_TRACK_REQUESTS_PER_MINUTE:
            window = MINUTE
        if window is not None:
            response = render(request, "shipping/track/too_many.html", status=429)
            response["Retry-After"] = str(seconds_left(window))
            return response
        order = order_by_public_token(token) if TOKEN_SHAPE.fullmatch(token) else None
        if order is None:
            count_hit("track-miss", address, window=HOUR)
            return render(request, "shipping/track/not_found.html", status=404)
        lines = returnable_lines(order)
        form = None
        status = 200
        if request.method == "POST":
            form = ReturnRequestForm(request.POST, request.FILES, lines=lines)
            created = self.create(request, order, form)
            if created is not None:
                url = reverse("aftersales:public_return", args=[token])
                return HttpResponseRedirect(f"{url}?sent={created.pk}")
            status = 422
        elif any(entry.returnable for entry in lines):
            form = ReturnRequestForm(lines=lines)
        return render(
            request,
            "aftersales/returns/public/page.html",
            {
                **self.progress(order),
                "order": order,
                "form": form if any(entry.returnable for entry in lines) else None,
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


public_return = csp_replace(PUBLIC_PAGE_CSP)(PublicReturnView.as_view())
