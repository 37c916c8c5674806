"""Request guards every page shares."""

import logging

from django.db import OperationalError, connection
from django.http import HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

logger = logging.getLogger(__name__)


class RejectNulBytesMiddleware:
    """A NUL byte can never be stored in PostgreSQL text: refuse it up front with a 400, in
    the user's language, rather than let a query fail halfway through a page or a form.
    (This runs before LocaleMiddleware, so it picks the language itself.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or _has_nul(request.GET):
            message = gettext_noop("The address contains characters that are not allowed.")
        elif request.method == "POST" and _has_nul(request.POST):
            message = gettext_noop(
                "The form contains characters that are not allowed (a NUL byte); nothing was saved."
            )
        else:
            return self.get_response(request)
        with translation.override(translation.get_language_from_request(request)):
            return HttpResponseBadRequest(_(message))


def _has_nul(query) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in query.lists()
    )


# How long a client is asked to wait while the database restarts.
RETRY_AFTER_SECONDS = 10


def database_unavailable(exception: BaseException) -> bool:
    """Did `exception` come from a database that is down (rather than one refusing a query)?
    Logged here, as both the pages (DatabaseUnavailableMiddleware) and oms.machine answer 503."""
    if not isinstance(exception, OperationalError) or _connection_usable():
        return False  # a live database that refused one query is a real error
    logger.warning("database unavailable: %s", exception)
    return True


class DatabaseUnavailableMiddleware:
    """While the database restarts, answer 503 with a retry hint instead of a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not database_unavailable(exception):
            return None
        response = HttpResponse(
            render_to_string("503.html", request=request), status=503, content_type="text/html"
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


def _connection_usable() -> bool:
    if connection.connection is None:
        return False
    try:
        return connection.is_usable()
    except Exception:
        return False
