"""The customer's order page (/track/<token>/) grants one order to whoever holds its token and
nothing else: every miss looks the same, guessing is slowed down, the page leaks the token
nowhere (referrer, search engines, logs) and runs no script."""

import logging
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from oms.logredact import RedactSecretPaths
from orders import services as order_services
from orders.models import Order
from shipping import services
from shipping.models import Shipment
from tests.factories import UserFactory
from tests.shipping.conftest import Shipping

RANDOM = "A" * 32  # the right shape, nobody's token


@pytest.fixture
def two_orders(db):
    """Two dispatched orders of one customer, with a shipping cost and staff notes."""
    shipping = Shipping()
    product = shipping.product("99.00", sku="SEC-1")
    customer = shipping.customer(name="客户甲")
    orders = []
    clerk = UserFactory(username="li.dispatcher", role="admin")
    for tracking in ("SF9000000001", "SF9000000002"):
        order = shipping.allocated_order(
            (product, 1), stock=[(product, shipping.shanghai, 5)], customer=customer
        )
        [shipment] = shipping.packed(order, actor=clerk)
        Shipment.objects.filter(pk=shipment.pk).update(shipping_cost=Decimal("17.38"))
        Order.objects.filter(pk=order.pk).update(notes="VIP — do not call before 10")
        services.shipment_dispatch(
            actor=clerk, shipment=shipment, details=shipping.details(tracking, note="bay 4")
        )
        order.refresh_from_db()
        orders.append(order)
    return orders


def url(token: str) -> str:
    return f"/track/{token}/"


def test_the_page_shows_only_what_the_token_grants(client, two_orders):
    first, second = two_orders
    html = client.get(url(order_services.order_public_token(first))).content.decode()
    assert first.number in html
    assert "SF9000000001" in html
    for leak in (
        second.number,
        "SF9000000002",
        "li.dispatcher",
        "VIP",
        "bay 4",
        "17.38",  # what the carrier costs us
        first.customer.code,
        first.ship_phone,
        first.ship_street,
        "/orders/",
        "/shipments/",
    ):
        assert leak not in html, leak


def test_every_miss_gets_the_same_not_found_page(client, two_orders):
    order, _other = two_orders
    revoked = order_services.order_public_token(order)
    order_services.order_public_token_revoke(actor=None, order=order)
    replaced = order_services.order_public_token(order)
    order_services.order_public_token_regenerate(actor=None, order=order)
    current = order.public_token
    assert client.get(url(current)).status_code == 200

    answers = [
        client.get(url(token), HTTP_ACCEPT_LANGUAGE="en")
        for token in (RANDOM, revoked, replaced, "short", "x" * 200, current[:-1] + "!", "%20")
    ]
    assert {answer.status_code for answer in answers} == {404}
    assert len({answer.content for answer in answers}) == 1
    assert len({tuple(sorted(answer.headers)) for answer in answers}) == 1
    body = answers[0].content.decode()
    assert "We could not find this order" in body
    for token in (revoked, replaced):
        assert token not in body


def test_headers_keep_the_page_private_and_scriptless(client, two_orders):
    token = order_services.order_public_token(two_orders[0])
    for response in (client.get(url(token)), client.get(url(RANDOM))):
        csp = response["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if " " in d.strip())
        assert directives["script-src"] == "'none'"
        assert directives["style-src"] == "'self'"
        assert "unsafe-inline" not in csp
        # Not to other sites; same-origin so the page's forms keep their Origin (CSRF).
        assert response["Referrer-Policy"] == "same-origin"
        assert "noindex" in response["X-Robots-Tag"]
        assert "no-store" in response["Cache-Control"]
        html = response.content.decode()
        assert '<meta name="robots" content="noindex, nofollow">' in html
        assert "<script" not in html
        assert not re.search(r"\sstyle=|\son[a-z]+=", html)
        # The language switch is a link to the page itself: the token never leaves the page.
        assert 'href="?lang=zh-hans"' in html
        assert not re.search(r'href="https?://', html)


def test_guessing_is_slowed_to_a_halt_per_address(client, two_orders, settings):
    settings.OMS_TRACK_MISSES_PER_HOUR = 5
    token = order_services.order_public_token(two_orders[0])
    for number in range(5):
        assert client.get(url(f"{number:032d}")).status_code == 404
    # The guesser is stopped, even with the right token: no answer tells a hit from a miss.
    blocked = client.get(url(token))
    assert blocked.status_code == 429
    assert 0 < int(blocked["Retry-After"]) <= 3600
    assert client.get(url(RANDOM)).status_code == 429
    # Another address is not.
    assert client.get(url(token), REMOTE_ADDR="203.0.113.9").status_code == 200


def test_too_many_pages_per_minute_are_refused(client, two_orders, settings):
    settings.OMS_TRACK_REQUESTS_PER_MINUTE = 3
    token = order_services.order_public_token(two_orders[0])
    if time.time() % 60 > 55:  # the four requests in one window of the limiter
        time.sleep(61 - time.time() % 60)
    answers = [client.get(url(token)) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert 0 < int(answers[-1]["Retry-After"]) <= 60


def test_a_proxy_address_counts_only_when_the_proxy_is_trusted(client, two_orders, settings):
    settings.OMS_TRACK_MISSES_PER_HOUR = 2
    for forwarded in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        client.get(url(RANDOM), HTTP_X_FORWARDED_FOR=forwarded)
    # Untrusted: the header is ignored, all three came from the test client's address.
    assert client.get(url(RANDOM)).status_code == 429


# --- logs ----------------------------------------------------------------------------------


def test_djangos_request_log_never_holds_the_token(client, two_orders, caplog):
    token = order_services.order_public_token(two_orders[0])
    order_services.order_public_token_regenerate(actor=None, order=two_orders[0])
    with caplog.at_level(logging.INFO):
        assert client.get(url(token) + "?lang=en").status_code == 404
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Not Found: /track/[redacted]/" in logged
    assert token not in logged


def test_the_development_servers_log_line_is_redacted():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /track/{RANDOM}/?lang=zh-hans HTTP/1.1", "200", "5120"),
        None,
    )
    RedactSecretPaths().filter(record)
    assert record.getMessage() == '"GET /track/[redacted]/?lang=zh-hans HTTP/1.1" 200 5120'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorns_access_log_never_holds_the_token(tmp_path):
    """gunicorn as `make run` starts it (gunicorn.conf.py), asked for a customer page with the
    token in the path, the query and the referrer: the access log has none of them."""
    port = free_port()
    log = tmp_path / "access.log"
    root = Path(settings.BASE_DIR)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--config",
            str(root / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "1",
            "--access-logfile",
            str(log),
            "--access-logformat",
            # A header's atom in any case ({Referer}i) is printed, and redacted, too.
            '%(h)s "%(r)s" %(s)s "%(f)s" %(U)s %(q)s <%({Referer}i)s>',
            "oms.wsgi:application",
        ],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    secret = "Z" * 31  # not a token's shape: answered without the database
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/track/{secret}/?back=/track/{secret}/",
            headers={"Referer": f"http://127.0.0.1:{port}/track/{secret}/"},
        )
        deadline = time.monotonic() + 60
        status = None
        while status is None:
            try:
                status = urllib.request.urlopen(request, timeout=5).status
            except urllib.error.HTTPError as answer:
                status = answer.code
            except OSError:  # not listening yet
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        assert status == 404
        deadline = time.monotonic() + 10
        while "/track/" not in (log.read_text() if log.exists() else ""):
            assert time.monotonic() < deadline, "nothing logged"
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=20)
    logged = log.read_text()
    assert secret not in logged
    assert "GET /track/[redacted]/?back=/track/[redacted]/ HTTP/1.1" in logged
    assert f"<http://127.0.0.1:{port}/track/[redacted]/>" in logged
    assert "/track/[redacted]/" in logged.split('"')[3]  # the referrer
