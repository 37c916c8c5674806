"""The customer's order page, /track/<token>/: no sign-in, the token is the right to see one
order (shipping.order_page says what it shows).

Every miss (a random, revoked, replaced or malformed token) gets the same "not found" page,
byte for byte, so a guesser learns nothing; misses and requests are counted per client
address and a guesser is slowed to a halt (oms.ratelimit). The page is not indexed, sends no
referrer (the token would leak to any site it linked to), runs no script at all, and is not
kept by shared caches. The language follows the browser, and the visitor can switch it with
a plain link (?lang=), remembered in Django's language cookie.
"""

import re

from csp.constants import NONE, SELF
from csp.decorators import csp_replace
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views import View

from oms.ratelimit import client_address, count_hit, hits, seconds_left
from shipping.order_page import public_order_page

# secrets.token_urlsafe(24): 32 characters of the URL-safe alphabet. Anything else is a miss
# without a database query.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32}")
LANGUAGES = {code for code, _name in settings.LANGUAGES}
MINUTE, HOUR = 60, 3600

# The page keeps the site's policy but allows no script at all and no connections.
PUBLIC_PAGE_CSP = {"script-src": [NONE], "connect-src": [NONE], "style-src": [SELF]}


def _headers(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    # Personal data: the browser may keep it, a shared cache (proxy, CDN) never.
    response["Cache-Control"] = "private, no-store"
    return response


def _language(request: HttpRequest) -> str | None:
    """The language chosen with the page's switch (?lang=zh-hans), or None."""
    chosen = request.GET.get("lang", "")
    return chosen if chosen in LANGUAGES else None


class TrackOrderView(View):
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        chosen = _language(request)
        if chosen:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        response = self.page(request, token)
        if chosen:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                chosen,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return _headers(response)

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
        context = public_order_page(token) if TOKEN_SHAPE.fullmatch(token) else None
        if context is None:
            count_hit("track-miss", address, window=HOUR)
            return render(request, "shipping/track/not_found.html", status=404)
        return render(request, "shipping/track/order.html", context)


track_order = csp_replace(PUBLIC_PAGE_CSP)(TrackOrderView.as_view())
