"""The channel API at /api/v1/: one ninja API built from the routers the apps register
(orders: orders; shipping: shipments and tracking), with its OpenAPI schema at
/api/v1/openapi.json and interactive docs at /api/v1/docs (served from our own static files).

Every operation needs a bearer token; the registered authenticator (orders' channel tokens)
turns it into the caller, whose scopes each operation checks with `require_scope`. Callers are
throttled per token; a body over DATA_UPLOAD_MAX_MEMORY_SIZE is refused with 413."""

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer
from ninja.throttling import AuthRateThrottle
from pydantic import field_validator

from oms.registry import registry

API_RATE = "1200/m"  # per token: a busy shop's sync, not a flood


class ChannelBearer(HttpBearer):
    openapi_description = "A channel's API token: `Authorization: Bearer oms_…`"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if registry.api_authenticator is None or not token:
            return None
        return registry.api_authenticator(request, token)


class InputSchema(Schema):
    """Base of every request body the API reads: a NUL character can never be stored in
    PostgreSQL text, so a string holding one is refused with the other invalid input (422),
    not left to fail the database statement (the pages' RejectNulBytesMiddleware does the
    same for addresses and forms; a JSON body escapes it as \\u0000)."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError(_("This text contains a character that is not allowed (NUL)."))
        return value


def require_scope(request: HttpRequest, scope: str) -> Any:
    """The caller, if its token has the scope; else 403 naming the scope."""
    caller = request.auth
    if scope not in caller.scopes:
        raise HttpError(
            403, _("This token may not do this: it lacks the scope %(scope)s.") % {"scope": scope}
        )
    return caller


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="OMS channel API",
        version="1",
        description=(
            "Orders in and out of the OMS for one sales channel. Each token belongs to one "
            "channel and sees only that channel's orders."
        ),
        auth=ChannelBearer(),
        throttle=[AuthRateThrottle(API_RATE)],
        urls_namespace="api",
        docs_url="/docs",
        openapi_url="/openapi.json",
    )

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        return api.create_response(
            request, {"detail": _("The request body is too large.")}, status=413
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return api.create_response(
            request,
            {"detail": _("A valid, unrevoked API token is needed.")},
            status=401,
        )

    for prefix, router in registry.api_routers:
        api.add_router(prefix, router)
    return api
