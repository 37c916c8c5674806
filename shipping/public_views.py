"""The customer's order page, /track/<token>/: no sign-in, the token is the right to see one
order (shipping.order_page says what it shows).

Every miss (a random, revoked, replaced or malformed token) gets the same "not found" page,
byte for byte, so a guesser learns nothing; misses and requests are counted per client
address and a guesser is slowed to a halt (oms.ratelimit). The page is not indexed, sends no
referrer (the token would leak to any site it linked to), runs no script at all, and is not
kept by shared caches. The language follows the browser, and the visitor can switch it with
a plain link (?lang=), remembered in Django's language cookie.

Other apps add sections (oms.registry.register_public_order_section) and their own POST
forms and downloads under /track/<token>/…: they subclass `PublicOrderView`, which resolves
the token under the same rules, so a token reaches its own order and nothing else.
"""

import re
from typing import Any

from csp.constants import NONE, SELF
from csp.decorators import csp_replace
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views import View

from oms.ratelimit import client_address, count_hit, hits, seconds_left
from oms.registry import public_order_sections
from orders.models import Order
from shipping.order_page import public_order, public_order_page

# secrets.token_urlsafe(24): 32 characters of the URL-safe alphabet. Anything else is a miss
# without a database query.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32}")
LANGUAGES = {code for code, _name in settings.LANGUAGES}
MINUTE, HOUR = 60, 3600

# The page keeps the site's policy but allows no script at all and no connections; its forms
# post to the site itself (form-action 'self', the site's default).
PUBLIC_PAGE_CSP = {"script-src": [NONE], "connect-src": [NONE], "style-src": [SELF]}


def public_headers(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    # Never to another site; to our own, so that the page's forms post with their origin
    # (no-referrer makes a browser send "Origin: null", which the CSRF check refuses). Our
    # own logs redact the token wherever it appears (oms.logredact).
    response["Referrer-Policy"] = "same-origin"
    # Personal data: the browser may keep it, a shared cache (proxy, CDN) never.
    response["Cache-Control"] = "private, no-store"
    return response


def _language(request: HttpRequest) -> str | None:
    """The language chosen with the page's switch (?lang=zh-hans), or None."""
    chosen = request.GET.get("lang", "")
    return chosen if chosen in LANGUAGES else None


def in_chosen_language(request: HttpRequest, respond) -> HttpResponse:
    """`respond()` in the language picked with the page's switch (?lang=), remembered in
    Django's language cookie, with the headers every public page sends."""
    chosen = _language(request)
    if chosen:
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen
    response = respond()
    if chosen:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            chosen,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return public_headers(response)


def too_many(request: HttpRequest, window: int, template: str = "shipping/track/too_many.html"):
    response = render(request, template, status=429)
    response["Retry-After"] = str(seconds_left(window))
    return response


def order_for_token(request: HttpRequest, token: str) -> Order | HttpResponse:
    """The token's order, or the response for a miss: the rate limit's 429 or the one
    not-found page. Every public URL under /track/<token>/ starts here."""
    address = client_address(request)
    window = None
    if hits("track-miss", address, window=HOUR) >= settings.OMS_TRACK_MISSES_PER_HOUR:
        window = HOUR
    elif count_hit("track", address, window=MINUTE) > settings.OMS_TRACK_REQUESTS_PER_MINUTE:
        window = MINUTE
    if window is not None:
        return too_many(request, window)
    order = public_order(token) if TOKEN_SHAPE.fullmatch(token) else None
    if order is None:
        count_hit("track-miss", address, window=HOUR)
        return render(request, "shipping/track/not_found.html", status=404)
    return order


def page_url(order: Order, *, saved: str = "") -> str:
    path = reverse("shipping:track", args=[order.public_token])
    return f"{path}?saved={saved}" if saved else path


def render_order_page(
    request: HttpRequest,
    order: Order,
    *,
    bound_forms: dict[str, Any] | None = None,
    refused: str = "",
    status: int = 200,
) -> HttpResponse:
    """The page with every registered section. `bound_forms` carries a form sent with errors
    (by section key), so its section shows what the visitor typed and why it was refused;
    `refused` says at the top why a form the page no longer offers was not taken (the order
    left meanwhile)."""
    request.public_bound_forms = bound_forms or {}  # type: ignore[attr-defined]
    context = public_order_page(order)
    sections = []
    saved = request.GET.get("saved", "") if request.method == "GET" else ""
    notice = ""
    for section in public_order_sections():
        section_context = section.context(order, request)
        if section_context is None:
            continue
        sections.append(
            {
                "key": section.key,
                "template": section.template,
                "column": section.column,
                "context": section_context,
            }
        )
        if saved == section.key and section.saved_message:
            notice = section.saved_message
    context["main_sections"] = [s for s in sections if s["column"] == "main"]
    context["aside_sections"] = [s for s in sections if s["column"] == "aside"]
    context["notice"] = notice
    context["has_errors"] = bool(bound_forms)
    context["refused"] = refused
    return render(request, "shipping/track/order.html", context, status=status)


class PublicOrderView(View):
    """A view of /track/<token>/…: the language switch, the headers every public page sends,
    and the token resolved to its order (or the same miss as the page). Subclasses implement
    `get_order(request, order)` and/or `post_order(request, order)`."""

    def get(self, request: HttpRequest, token: str, **kwargs) -> HttpResponse:
        return self._answer(request, token, "get_order", kwargs)

    def post(self, request: HttpRequest, token: str, **kwargs) -> HttpResponse:
        return self._answer(request, token, "post_order", kwargs)

    def _answer(self, request: HttpRequest, token: str, handler: str, kwargs) -> HttpResponse:
        if not hasattr(self, handler):
            return self.http_method_not_allowed(request)

        def respond() -> HttpResponse:
            found = order_for_token(request, token)
            if isinstance(found, HttpResponse):
                return found
            return getattr(self, handler)(request, found, **kwargs)

        return in_chosen_language(request, respond)

    @classmethod
    def as_public_view(cls, **initkwargs):
        return csp_replace(PUBLIC_PAGE_CSP)(cls.as_view(**initkwargs))

    def saved(self, order: Order, key: str) -> HttpResponse:
        """After a form was taken: back to the page, which says so (POST, redirect, GET)."""
        return HttpResponseRedirect(page_url(order, saved=key) + f"#section-{key}")


class TrackOrderView(PublicOrderView):
    http_method_names = ["get", "head"]

    def get_order(self, request: HttpRequest, order: Order) -> HttpResponse:
        return render_order_page(request, order)


track_order = TrackOrderView.as_public_view()
