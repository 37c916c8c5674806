"""A carrier's push reaches the site's WSGI application (oms.wsgi, what gunicorn serves)
through the machine path (oms.machine): no session, sign-in, CSRF, messages, CSP or language
middleware, and a URL configuration of the machine URLs only. Pages keep every middleware.
Served over real HTTP by a WSGI server in a thread."""

import json
import threading
import urllib.error
import urllib.request
from urllib.parse import urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from oms.registry import register_machine_urls
from shipping.models import ReceivedCallback
from tests.shipping.kuaidi100_server import md5_upper, push_param
from tests.shipping.tracking_helpers import SALT, kuaidi100_carrier


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class ThreadedServer(WSGIServer):
    daemon_threads = True


@pytest.fixture
def site(transactional_db, settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    from oms.wsgi import application

    server = make_server(
        "127.0.0.1", 0, application, server_class=ThreadedServer, handler_class=QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def fetch(url: str, body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, dict(refused.headers), refused.read()


def test_a_push_skips_the_browser_middleware(site):
    carrier = kuaidi100_carrier()
    param = push_param("KD100001", [("2026-11-30 08:00:00", "0", "上海", "运输中")])
    body = urlencode({"param": param, "sign": md5_upper(param + SALT)}).encode()
    status, headers, reply = fetch(f"{site}/shipping/callbacks/{carrier.code}/", body)
    assert status == 200, reply
    assert json.loads(reply)["result"] is True
    assert ReceivedCallback.objects.get().payload == param
    # Neither the clickjacking, CSP, session nor language middleware answered with it.
    present = {name.lower() for name in headers}
    assert not present & {"x-frame-options", "content-security-policy", "set-cookie", "vary"}
    assert headers.get("X-Content-Type-Options") == "nosniff"  # SecurityMiddleware stays


def test_a_bad_signature_is_still_refused(site):
    carrier = kuaidi100_carrier()
    param = push_param("KD100001", [("2026-11-30 08:00:00", "0", "上海", "运输中")])
    body = urlencode({"param": param, "sign": "0" * 32}).encode()
    status, _headers, _reply = fetch(f"{site}/shipping/callbacks/{carrier.code}/", body)
    assert status == 403
    assert not ReceivedCallback.objects.exists()


def test_nothing_else_is_served_on_the_machine_path(site):
    status, headers, reply = fetch(f"{site}/shipping/callbacks/KD/extra/", b"x=1")
    assert (status, json.loads(reply)) == (404, {"ok": False, "error": "not found"})
    assert headers["Content-Type"] == "application/json"


def test_pages_keep_the_browser_middleware(site):
    status, headers, _reply = fetch(f"{site}/login/")
    assert status == 200
    assert headers["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in headers


def test_a_machine_path_is_a_whole_path():
    with pytest.raises(ValueError, match="starts and ends with a slash"):
        register_machine_urls("", "shipping.tracking.urls", path="shipping/callbacks")


def test_the_push_endpoint_reads_its_carrier_as_the_orm_does(db):
    from shipping.models import Carrier
    from shipping.tracking.selectors import carrier_by_code

    carrier = kuaidi100_carrier()
    read = carrier_by_code(carrier.code)
    orm = Carrier.objects.get(code=carrier.code)
    fields = [field.attname for field in Carrier._meta.concrete_fields]
    assert [getattr(read, name) for name in fields] == [getattr(orm, name) for name in fields]
    assert read._state.adding is False
    assert carrier_by_code("NOPE") is None
