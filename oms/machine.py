"""Requests only machines make (a carrier pushing tracking events), answered without Django's
request and response machinery.

Such a request carries its own credential (a signature over its body) and never a session,
a sign-in, a CSRF token, flash messages or a language choice; it comes hundreds a second and
is answered with a few fields of JSON. A machine view is written once, against
`MachineRequest`, and returns a `MachineAnswer`; `machine_view` turns it into a Django view
for the site's URL configuration (the test client, runserver), and `MachineApp` (mounted by
oms.wsgi on the paths registered with oms.registry.register_machine_urls) calls it straight
from the WSGI environ. What the browser's middleware did for these requests `MachineApp` does
itself, at a fraction of the cost: the database connection's life per request (Django's
request_started/request_finished signals), a NUL byte refused (RejectNulBytesMiddleware), a
503 while the database is down (DatabaseUnavailableMiddleware), SecurityMiddleware's headers
and https redirect, and every error logged to django.request and answered 500.
"""

from __future__ import annotations

import codecs
import json
import logging
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core import signals
from django.core.exceptions import (
    ImproperlyConfigured,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
)
from django.core.handlers.wsgi import LimitedStream, WSGIRequest
from django.db import connections
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.http.request import HttpHeaders
from django.urls import Resolver404, get_resolver
from django.views.decorators.csrf import csrf_exempt

from oms.middleware import RETRY_AFTER_SECONDS, database_unavailable

MACHINE_URLCONF = "oms.machine_urls"
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
request_logger = logging.getLogger("django.request")


class BadMachineRequest(SuspiciousOperation):
    """A request no view should see (a NUL byte): answered 400."""


# --- the request and the answer ------------------------------------------------------------


@dataclass
class MachineRequest:
    """What a machine view reads of a request, from Django's request or a WSGI environ."""

    method: str
    content_type: str  # without its parameters: "application/x-www-form-urlencoded"
    content_length: int
    remote_addr: str | None
    environ: Mapping[str, Any]
    read_body: Callable[[], bytes]
    read_form: Callable[[], Mapping[str, str]] | None = None

    @cached_property
    def headers(self) -> Mapping[str, str]:
        return EnvironHeaders(self.environ)

    @cached_property
    def body(self) -> bytes:
        return self.read_body()

    @property
    def is_form(self) -> bool:
        return self.content_type in (FORM, MULTIPART)

    @cached_property
    def form(self) -> dict[str, str]:
        """The form fields (the last value of a repeated one), when the body is a form."""
        if not self.is_form:
            return {}
        fields = dict(self.read_form()) if self.read_form is not None else parse_form(self.body)
        if any("\x00" in key or "\x00" in value for key, value in fields.items()):
            raise BadMachineRequest("a NUL byte in the form")
        return fields

    @classmethod
    def of_django(cls, request: HttpRequest) -> MachineRequest:
        def read_form() -> Mapping[str, str]:
            return request.POST.dict()

        def read_body() -> bytes:
            return request.body

        return cls(
            method=request.method or "",
            content_type=request.content_type or "",
            content_length=_length(request.META.get("CONTENT_LENGTH")),
            remote_addr=request.META.get("REMOTE_ADDR") or None,
            environ=request.META,
            read_body=read_body,
            read_form=read_form,
        )

    @classmethod
    def of_environ(cls, environ: dict[str, Any]) -> MachineRequest:
        content_type = environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower()
        length = _length(environ.get("CONTENT_LENGTH"))

        def read_body() -> bytes:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if limit is not None and length > limit:
                raise RequestDataTooBig("the body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE")
            return LimitedStream(environ["wsgi.input"], length).read() if length else b""

        read_form = None
        if content_type == MULTIPART:  # rare for a machine: Django's parser, files and all

            def read_form() -> Mapping[str, str]:
                return WSGIRequest(environ).POST.dict()

        return cls(
            method=environ.get("REQUEST_METHOD", "GET").upper(),
            content_type=content_type,
            content_length=length,
            remote_addr=environ.get("REMOTE_ADDR") or None,
            environ=environ,
            read_body=read_body,
            read_form=read_form,
        )


class EnvironHeaders(Mapping[str, str]):
    """The request's headers by name, in any case (as HttpRequest.headers), read from the
    environ when asked: a push's signature check reads one header or none."""

    def __init__(self, environ: Mapping[str, Any]) -> None:
        self.environ = environ

    def __getitem__(self, name: str) -> str:
        key = name.upper().replace("-", "_")
        if key not in HttpHeaders.UNPREFIXED_HEADERS:
            key = HttpHeaders.HTTP_PREFIX + key
        return self.environ[key]

    def __iter__(self) -> Iterator[str]:
        return iter(HttpHeaders(self.environ))

    def __len__(self) -> int:
        return len(HttpHeaders(self.environ))


def _length(value: str | None) -> int:
    try:
        return max(0, int(value or 0))
    except ValueError:
        return 0


@dataclass(frozen=True)
class MachineAnswer:
    """A JSON answer (its text as the carrier reads it: ensure_ascii off)."""

    status: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)

    def content(self) -> bytes:
        return json.dumps(self.body, ensure_ascii=False).encode()


# --- form bodies ---------------------------------------------------------------------------


def parse_form(body: bytes) -> dict[str, str]:
    """A form-encoded body's fields, exactly as Django's QueryDict(body).dict() reads them
    (UTF-8, else Latin-1; '+' is a space; a field without '=' is empty; the last of repeated
    keys), in a tenth of its time: a push's JSON is mostly percent-escapes (Chinese text), and
    urllib unquotes those one Python step each."""
    try:
        text = body.decode()
    except UnicodeDecodeError:
        text = body.decode("iso-8859-1")
    pairs = [pair for pair in text.split("&") if pair]
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    if limit is not None and len(pairs) > limit:
        raise TooManyFieldsSent("more form fields than DATA_UPLOAD_MAX_NUMBER_FIELDS")
    fields = {}
    for pair in pairs:
        key, _equals, value = pair.partition("=")
        fields[_unquote(key.replace("+", " "))] = _unquote(value.replace("+", " "))
    return fields


def _unquote(text: str) -> str:
    """urllib.parse.unquote(text), in C for ASCII text: %XX becomes \\xXX (backslashes
    doubled first) for the bytes-escape decoder."""
    if "%" not in text:
        return text
    if text.isascii():
        escaped = text.encode().replace(b"\\", b"\\\\").replace(b"%", b"\\x")
        try:
            return codecs.escape_decode(escaped)[0].decode("utf-8", "replace")  # type: ignore[attr-defined]
        except ValueError:  # a '%' not followed by two hex digits: urllib keeps it as it is
            pass
    return urllib.parse.unquote(text)


# --- one view for Django and for MachineApp ------------------------------------------------

MachineViewFunction = Callable[..., MachineAnswer]


def machine_view(function: MachineViewFunction, methods: Iterable[str] = ("POST",)) -> Callable:
    """The Django view of a machine view `function(request: MachineRequest, **url_kwargs)`:
    no CSRF token (the request carries its own credential); other methods answered 405."""
    allowed = tuple(methods)

    @csrf_exempt
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if request.method not in allowed:
            return HttpResponseNotAllowed(allowed)
        try:
            answer = function(MachineRequest.of_django(request), **kwargs)
        except BadMachineRequest as refused:
            answer = MachineAnswer(400, {"ok": False, "error": str(refused)})
        response = JsonResponse(
            answer.body, status=answer.status, json_dumps_params={"ensure_ascii": False}
        )
        for name, value in answer.headers.items():
            response[name] = value
        return response

    view.machine_function = function  # type: ignore[attr-defined]
    view.machine_methods = allowed  # type: ignore[attr-defined]
    return view


# --- the WSGI application of machine paths --------------------------------------------------


def _json_error(status: int, error: str, **headers: str) -> MachineAnswer:
    return MachineAnswer(status, {"ok": False, "error": error}, headers)


class MachineApp:
    """WSGI application answering the machine URLs (oms.machine_urls) with their machine views."""

    def __init__(self) -> None:
        self.resolver = get_resolver(MACHINE_URLCONF)
        # SecurityMiddleware's answer headers, read once (settings do not change in a process).
        self.security_headers = [("X-Content-Type-Options", "nosniff")] * bool(
            settings.SECURE_CONTENT_TYPE_NOSNIFF
        )
        if settings.SECURE_REFERRER_POLICY:
            policy = settings.SECURE_REFERRER_POLICY
            policy = policy if isinstance(policy, str) else ",".join(policy)
            self.security_headers.append(("Referrer-Policy", policy))
        if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
            coop = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY
            self.security_headers.append(("Cross-Origin-Opener-Policy", coop))
        self.hsts = ""
        if settings.SECURE_HSTS_SECONDS:
            self.hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
            if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
                self.hsts += "; includeSubDomains"
            if settings.SECURE_HSTS_PRELOAD:
                self.hsts += "; preload"

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        # Django's handler sends these around every request: the database connections are
        # checked (CONN_MAX_AGE, errors) before and after, the caches closed after.
        signals.request_started.send(sender=self.__class__, environ=environ)
        try:
            # No health check (a SELECT 1 round trip before the first query) on a kept
            # connection: a machine sends its request again until it is answered, so a
            # connection the database dropped costs one answer (503) and is replaced when
            # this request ends (close_old_connections).
            for database in connections.all(initialized_only=True):
                database.health_check_done = True
            answer = self.answer(environ)
        finally:
            signals.request_finished.send(sender=self.__class__)
        secure = _is_secure(environ)
        headers = [("Content-Type", "application/json"), *self.security_headers]
        if secure and self.hsts:
            headers.append(("Strict-Transport-Security", self.hsts))
        headers.extend(answer.headers.items())
        content = answer.content() if answer.status != 301 else b""
        headers.append(("Content-Length", str(len(content))))
        start_response(f"{answer.status} {HTTPStatus(answer.status).phrase}", headers)
        return [content]

    def answer(self, environ: dict[str, Any]) -> MachineAnswer:
        path = environ.get("PATH_INFO", "")
        if settings.SECURE_SSL_REDIRECT and not _is_secure(environ):
            host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
            location = f"https://{settings.SECURE_SSL_HOST or host}{path}"
            return MachineAnswer(301, None, {"Location": location})
        try:
            if "\x00" in path:
                raise BadMachineRequest("a NUL byte in the address")
            try:
                match = self.resolver.resolve(path)
            except Resolver404:
                return _json_error(404, "not found")
            function = getattr(match.func, "machine_function", None)
            if function is None:
                raise ImproperlyConfigured(f"{path} is not served by a machine_view")
            request = MachineRequest.of_environ(environ)
            if request.method not in match.func.machine_methods:
                allow = ", ".join(match.func.machine_methods)
                return _json_error(405, "method not allowed", Allow=allow)
            return function(request, **match.kwargs)
        except SuspiciousOperation as refused:  # Django answers these 400 too
            logging.getLogger("django.security").warning("%s: %s", path, refused)
            return _json_error(400, "bad request")
        except Exception as exc:
            if database_unavailable(exc):
                return _json_error(
                    503, "database unavailable", **{"Retry-After": str(RETRY_AFTER_SECONDS)}
                )
            request_logger.error(
                "Internal Server Error: %s", path, exc_info=True, extra={"status_code": 500}
            )
            return _json_error(500, "server error")


def _is_secure(environ: Mapping[str, Any]) -> bool:
    """HttpRequest.is_secure(), on the environ."""
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        value = environ.get(header)
        if value is not None:
            return value.split(",", 1)[0].strip() == secure_value
    return environ.get("wsgi.url_scheme") == "https"


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
    return MachinePaths(application, MachineApp(), paths)
