"""Finding one's order without the link (/track/): the order number and either the last four
digits of the recipient's phone or the customer's e-mail. A match leads to the order's page
(/track/<token>/); anything else gets one answer, whichever half was wrong, so the form tells
a guesser nothing about which order numbers exist.

Tries are counted per client address and per order number (OMS_TRACK_LOOKUP_TRIES in
OMS_TRACK_LOOKUP_MINUTES): a guesser cannot walk through phone endings of one order from
many addresses, nor through many orders from one address. A plain POST form: no script,
CSRF-protected like every form of the site.
"""

import re

from csp.decorators import csp_replace
from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View

from oms.ratelimit import client_address, count_hit, hits
from orders import services as order_services
from orders.choices import OrderStatus
from orders.models import Order
from shipping.public_views import (
    PUBLIC_PAGE_CSP,
    in_chosen_language,
    page_url,
    public_headers,
    too_many,
)

NO_MATCH = _(
    "We could not find an order with these details. Check the order number and the last "
    "four digits of the phone number or the e-mail address, and try again."
)
ORDER_NUMBER_SHAPE = re.compile(r"[A-Z0-9-]{4,20}")


class OrderLookupForm(forms.Form):
    number = forms.CharField(
        label=_("Order number"),
        max_length=20,
        help_text=_("As in our messages, for example SO-2026-000123."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    contact = forms.CharField(
        label=_("Last 4 digits of the phone number, or the e-mail address"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "email"}),
    )

    def clean_number(self) -> str:
        return "".join(self.cleaned_data["number"].split()).upper()

    def clean_contact(self) -> str:
        return self.cleaned_data["contact"].strip()


def _window() -> int:
    return settings.OMS_TRACK_LOOKUP_MINUTES * 60


def matching_order(number: str, contact: str) -> Order | None:
    """The placed order of this number whose recipient's phone ends with these four digits,
    or whose customer has this e-mail address; None otherwise. One query either way."""
    if not ORDER_NUMBER_SHAPE.fullmatch(number):
        return None
    order = (
        Order.objects.filter(number=number)
        .exclude(status=OrderStatus.DRAFT)
        .select_related("customer")
        .first()
    )
    if order is None:
        return None
    if re.fullmatch(r"\d{4}", contact):
        digits = re.sub(r"\D", "", order.ship_phone)
        return order if len(digits) >= 4 and digits.endswith(contact) else None
    email = order.customer.email.strip().lower()
    return order if "@" in contact and email and email == contact.lower() else None


class OrderLookupView(View):
    http_method_names = ["get", "post"]
    template_name = "shipping/track/lookup.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return in_chosen_language(
            request, lambda: render(request, self.template_name, {"form": OrderLookupForm()})
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        form = OrderLookupForm(request.POST)
        window = _window()
        address = client_address(request)
        number = form.data.get("number", "")
        number_key = "".join(str(number).split()).upper()[:20]
        limit = settings.OMS_TRACK_LOOKUP_TRIES
        if (
            hits("track-lookup-ip", address, window=window) >= limit
            or hits("track-lookup-number", number_key, window=window) >= limit
        ):
            return public_headers(too_many(request, window, "shipping/track/lookup_wait.html"))
        count_hit("track-lookup-ip", address, window=window)
        if number_key:
            count_hit("track-lookup-number", number_key, window=window)
        if form.is_valid():
            order = matching_order(form.cleaned_data["number"], form.cleaned_data["contact"])
            if order is not None:
                order_services.order_public_token(order)
                return public_headers(HttpResponseRedirect(page_url(order)))
            form.add_error(None, NO_MATCH)
        return public_headers(render(request, self.template_name, {"form": form}, status=400))


order_lookup = csp_replace(PUBLIC_PAGE_CSP)(OrderLookupView.as_view())
