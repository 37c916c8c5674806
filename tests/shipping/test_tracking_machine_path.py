"""A carrier's push reaches the site's WSGI application (oms.wsgi, what gunicorn serves)
through the machine path (oms.machine.MachineApp): the push endpoint's machine view called
from the environ, without Django's request machinery or the browser's middleware, and a URL
configuration of the machine URLs only; what that middleware guarded is guarded still (NUL
bytes, a database gone, security headers). Pages keep every middleware. Served over real HTTP
by a WSGI server in a thread."""

import http.client
import json
import threading
import urllib.error
import urllib.request
from urllib.parse import urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.db import connection, connections

from oms.registry import register_machine_urls
from shipping.models import ReceivedCallback
from shipping.tracking import webhook
from tests.shipping.kuaidi100_server import md5_upper, push_param
from tests.shipping.tracking_helpers import SALT, kuaidi100_carrier, webhook_carrier

PARAM = push_param("KD100001", [("2026-11-30 08:00:00", "0", "上海", "运输中")])


def signed(param: str = PARAM) -> bytes:
    return urlencode({"param": param, "sign": md5_upper(param + SALT)}).encode()


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


def fetch(
    url: str, body: bytes | None = None, content_type: str = "application/x-www-form-urlencoded"
) -> tuple[int, dict[str, str], bytes]:
    headers = {"Content-Type": content_type} if body is not None else {}
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


def test_only_posts_are_taken(site):
    carrier = kuaidi100_carrier()
    status, headers, reply = fetch(f"{site}/shipping/callbacks/{carrier.code}/")
    assert (status, headers["Allow"]) == (405, "POST")
    assert json.loads(reply)["ok"] is False


def test_a_push_in_the_carriers_answer_format_with_its_chinese_text(site):
    carrier = kuaidi100_carrier()
    status, headers, reply = fetch(f"{site}/shipping/callbacks/{carrier.code}/", signed())
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert int(headers["Content-Length"]) == len(reply)
    assert reply.decode() == '{"result": true, "returnCode": "200", "message": "成功"}'


def test_a_nul_byte_is_refused_and_nothing_stored(site):
    carrier = kuaidi100_carrier()
    param = PARAM.replace("上海", "上\x00海")
    status, _headers, _reply = fetch(f"{site}/shipping/callbacks/{carrier.code}/", signed(param))
    assert status == 400
    status, _headers, _reply = fetch(f"{site}/shipping/callbacks/K%00D/", signed())
    assert status == 400
    assert not ReceivedCallback.objects.exists()


def test_a_webhook_push_reads_its_signature_header(site):
    carrier = webhook_carrier(secret="s3cret")
    body = json.dumps(
        {"events": [{"tracking_number": "X", "time": "2026-11-30T10:00:00+08:00", "code": "0"}]}
    ).encode()
    url = f"{site}/shipping/callbacks/{carrier.code}/"
    request = urllib.request.Request(
        url,
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-OMS-Signature": webhook.sign(body, "s3cret"),
        },
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 200
    assert ReceivedCallback.objects.get().payload == body.decode()
    status, _headers, _reply = fetch(url, body, content_type="application/json")  # unsigned
    assert status == 403
    assert ReceivedCallback.objects.count() == 1


def test_a_dropped_database_connection_costs_one_answer_503(site, monkeypatch):
    """The server keeps its connection between pushes (CONN_MAX_AGE, as gunicorn's workers
    do) without a health check: when the database drops it, that push is answered 503 with a
    retry hint, and the next one is served on a new connection."""
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 60)
    carrier = kuaidi100_carrier()
    url = f"{site}/shipping/callbacks/{carrier.code}/"
    assert fetch(url, signed())[0] == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert cursor.fetchall()  # the server's connection
    again = push_param("KD100002", [("2026-11-30 09:00:00", "0", "上海", "运输中")])
    status, headers, reply = fetch(url, signed(again))
    assert (status, headers["Retry-After"]) == (503, "10")
    assert json.loads(reply)["ok"] is False
    assert fetch(url, signed(again))[0] == 200
    assert ReceivedCallback.objects.count() == 2


def test_plain_http_is_sent_to_https_where_the_site_asks_for_it(site, settings):
    """SECURE_SSL_REDIRECT (production) holds for machine paths as SecurityMiddleware holds it
    for pages: nothing is read or stored from a push sent in clear."""
    settings.SECURE_SSL_REDIRECT = True
    carrier = kuaidi100_carrier()
    host, port = site.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    path = f"/shipping/callbacks/{carrier.code}/"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    connection.request("POST", path, body=signed(), headers=headers)
    answer = connection.getresponse()
    answer.read()
    connection.close()
    assert answer.status == 301
    assert answer.getheader("Location") == f"https://{host}:{port}{path}"
    assert not ReceivedCallback.objects.exists()
