"""Requests only machines make (a carrier pushing tracking events) skip the browser's
middleware.

Such a request carries its own credential (a signature over its body) and never a session,
a sign-in, a CSRF token, flash messages or a language choice, yet every middleware in
settings.MIDDLEWARE would still do its part of the work for it, and resolving its address
would walk every page's URL pattern. Paths registered with
oms.registry.register_machine_urls go instead to a handler of their own: the middleware in
settings.OMS_MACHINE_MIDDLEWARE only, and a URL configuration (oms.machine_urls) holding
only the machine URL modules. Everything else is answered as before.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections
from django.http import HttpRequest, HttpResponseBase, JsonResponse

MACHINE_URLCONF = "oms.machine_urls"


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """A machine path nobody serves: JSON, as machines read it (oms.machine_urls.handler404)."""
    return JsonResponse({"ok": False, "error": "not found"}, status=404)


def server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": False, "error": "server error"}, status=500)


class MachineHandler(WSGIHandler):
    """Django's WSGI handler with settings.OMS_MACHINE_MIDDLEWARE and the machine URLs."""

    def load_middleware(self, is_async: bool = False) -> None:
        # BaseHandler reads settings.MIDDLEWARE; this runs once, when the process starts,
        # before any request is served.
        browser_middleware = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.OMS_MACHINE_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = browser_middleware

    def get_response(self, request: HttpRequest) -> HttpResponseBase:
        request.urlconf = MACHINE_URLCONF  # type: ignore[attr-defined]
        # No health check (a SELECT 1 round trip before the first query) on a kept
        # connection: a machine sends its request again until it is answered, so a
        # connection the database dropped costs one answer (503, DatabaseUnavailableMiddleware)
        # and Django replaces it when that request ends (close_if_unusable_or_obsolete).
        for database in connections.all(initialized_only=True):
            database.health_check_done = True
        return super().get_response(request)


class MachinePaths:
    """WSGI application: machine paths to `machine`, every other request to `application`."""

    def __init__(self, application: Callable, machine: Callable, paths: Iterable[str]) -> None:
        self.application = application
        self.machine = machine
        self.paths = tuple(paths)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if self.paths and environ.get("PATH_INFO", "").startswith(self.paths):
            return self.machine(environ, start_response)
        return self.application(environ, start_response)


def machine_aware(application: Callable) -> MachinePaths:
    """Wrap the site's WSGI application (oms.wsgi); the apps have registered their URLs."""
    from oms.registry import registry

    paths = [path for _prefix, _module, path in registry.machine_url_modules]
    return MachinePaths(application, MachineHandler(), paths)
