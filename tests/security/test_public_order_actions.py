"""What the customer's order page lets a visitor do, and nothing more: every URL under
/track/<token>/ answers a wrong token like the page does, a token downloads only its own
order's documents, the lookup form is rate limited per address and per order number and never
tells which half was wrong, the forms need their CSRF token, a rating's comment stays text,
and a delivery change after dispatch is refused."""

import re

import pytest
from django.test import Client

from aftersales.models import OrderFeedback
from oms.models import AuditLog
from orders import services as order_services
from orders.models import Order
from shipping.models import SlotBooking
from tests.factories import UserFactory
from tests.shipping.delivery import working_day_ahead
from tests.shipping.public_page import PublicOrders, page_url

RANDOM = "B" * 32


@pytest.fixture
def public(db):
    return PublicOrders()


@pytest.fixture
def two_delivered(public, django_capture_on_commit_callbacks):
    return [
        public.delivered_order(django_capture_on_commit_callbacks, seed=21, tracking="SF21"),
        public.delivered_order(django_capture_on_commit_callbacks, seed=22, tracking="SF22"),
    ]


def not_found(client) -> bytes:
    return client.get(f"/track/{RANDOM}/", HTTP_ACCEPT_LANGUAGE="en").content


def test_every_url_under_the_token_misses_like_the_page(client, two_delivered):
    order, _other = two_delivered
    revoked = order_services.order_public_token(order)
    order_services.order_public_token_revoke(actor=None, order=order)
    invoice = order.invoices.get().number
    expected = not_found(client)
    for token in (RANDOM, revoked, "short", "x" * 40):
        for method, path, data in (
            ("get", f"invoices/{invoice}.pdf", None),
            ("post", "rating/", {"rating": "1", "comment": "x"}),
            ("post", "delivery-time/", {"warehouse": "1", "slot": "2026-12-03T09:00"}),
            ("post", "delivery-note/", {"delivery_note": "x"}),
        ):
            response = getattr(client, method)(
                f"/track/{token}/{path}", data, HTTP_ACCEPT_LANGUAGE="en"
            )
            assert response.status_code == 404, (token, path)
            assert response.content == expected, (token, path)
    assert not OrderFeedback.objects.exists()
    Order.objects.filter(pk=order.pk).update(public_token=None)
    assert order.delivery_note == ""


def test_a_token_downloads_only_its_own_orders_documents(client, two_delivered):
    order, other = two_delivered
    own = order.invoices.get().number
    theirs = other.invoices.get().number
    token = order_services.order_public_token(order)
    assert client.get(f"/track/{token}/invoices/{own}.pdf").status_code == 200
    expected = not_found(client)
    for number in (theirs, "INV-2026-999999", "x" * 30, theirs.lower(), " " + theirs):
        response = client.get(f"/track/{token}/invoices/{number}.pdf", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404, number
        assert response.content == expected
    # And the other order's page shows nothing of this one.
    html = client.get(page_url(other)).content.decode()
    assert own not in html
    assert order.number not in html


def test_document_guessing_counts_as_misses(client, two_delivered, settings):
    settings.OMS_TRACK_MISSES_PER_HOUR = 3
    order, _other = two_delivered
    token = order_services.order_public_token(order)
    for number in range(3):
        assert client.get(f"/track/{token}/invoices/INV-{number}.pdf").status_code == 404
    assert client.get(f"/track/{token}/").status_code == 429


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_the_lookup_gives_one_answer_for_a_wrong_number_and_a_wrong_phone(client, public):
    order = public.open_order()
    answers = [
        client.post("/track/", data, HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=f"198.51.100.{n}")
        for n, data in enumerate(
            (
                {"number": "SO-2026-999999", "contact": "5678"},  # no such order
                {"number": order.number, "contact": "0000"},  # wrong phone ending
                {"number": order.number, "contact": "wrong@example.com"},
                {"number": "SO-2026-999999", "contact": "buyer@example.com"},
            )
        )
    ]
    assert {answer.status_code for answer in answers} == {400}
    # What differs is only what the visitor typed, kept in the form.
    typed = (
        order.number,
        "SO-2026-999999",
        "5678",
        "0000",
        "wrong@example.com",
        "buyer@example.com",
    )
    bodies = set()
    for answer in answers:
        body = _without_csrf(answer.content.decode())
        for value in typed:
            body = body.replace(f'value="{value}"', 'value=""')
        bodies.add(body)
    assert len(bodies) == 1
    assert "We could not find an order with these details" in bodies.pop()
    # A draft (not placed) is never found.
    draft = public.order(public.customer(), (order.lines.first().product, 1))
    assert client.post("/track/", {"number": draft.number, "contact": "5678"}).status_code == 400


def test_the_lookup_is_limited_per_address(client, public, settings):
    settings.OMS_TRACK_LOOKUP_TRIES = 5
    order = public.open_order()
    for n in range(5):
        wrong = {"number": f"SO-2026-00000{n}", "contact": "1111"}
        assert client.post("/track/", wrong).status_code == 400
    blocked = client.post("/track/", {"number": order.number, "contact": "5678"})
    assert blocked.status_code == 429
    assert 0 < int(blocked["Retry-After"]) <= 600
    # Another address gets through.
    ok = client.post(
        "/track/", {"number": order.number, "contact": "5678"}, REMOTE_ADDR="203.0.113.7"
    )
    assert ok.status_code == 302


def test_the_lookup_is_limited_per_order_number_across_addresses(client, public, settings):
    settings.OMS_TRACK_LOOKUP_TRIES = 5
    order = public.open_order()
    for n in range(5):
        wrong = {"number": order.number, "contact": f"{n:04d}"}
        assert client.post("/track/", wrong, REMOTE_ADDR=f"192.0.2.{n}").status_code == 400
    # The right phone ending from a fresh address: this order number is closed for now.
    right = client.post(
        "/track/", {"number": order.number.lower(), "contact": "5678"}, REMOTE_ADDR="192.0.2.99"
    )
    assert right.status_code == 429
    # Other orders are not.
    other = public.allocated_order((order.lines.first().product, 1))
    assert (
        client.post(
            "/track/", {"number": other.number, "contact": "5678"}, REMOTE_ADDR="192.0.2.98"
        ).status_code
        == 302
    )


def test_every_public_form_needs_its_csrf_token(public, two_delivered):
    delivered = two_delivered[0]
    open_order = public.open_order()
    strict = Client(enforce_csrf_checks=True)
    day = working_day_ahead(2)
    posts = [
        ("/track/", {"number": open_order.number, "contact": "5678"}),
        (page_url(open_order) + "delivery-note/", {"delivery_note": "forged"}),
        (
            page_url(open_order) + "delivery-time/",
            {"warehouse": public.shanghai.pk, "slot": f"{day.isoformat()}T09:00"},
        ),
        (page_url(delivered) + "rating/", {"rating": "1", "comment": "forged"}),
    ]
    for path, data in posts:
        assert strict.post(path, data).status_code == 403, path
    open_order.refresh_from_db()
    assert open_order.delivery_note == ""
    assert not SlotBooking.objects.exists()
    assert not OrderFeedback.objects.exists()
    # With the token from the page, the same form is taken.
    page = strict.get(page_url(open_order)).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    taken = strict.post(
        page_url(open_order) + "delivery-note/",
        {"delivery_note": "ok", "csrfmiddlewaretoken": csrf},
    )
    assert taken.status_code == 302


XSS = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def test_html_in_a_rating_comment_and_a_delivery_note_stays_text(client, public, two_delivered):
    order = two_delivered[0]
    assert (
        client.post(page_url(order) + "rating/", {"rating": "1", "comment": XSS}).status_code == 302
    )
    assert OrderFeedback.objects.get(order=order).comment == XSS
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    pages = [client.get(page_url(order)).content.decode()]
    client.force_login(UserFactory(username="cs-xss", role="customer_service"))
    pages += [
        client.get("/ratings/").content.decode(),
        client.get(f"/orders/{order.number}/").content.decode(),
        client.get(order.customer.get_absolute_url()).content.decode(),
    ]
    for html in pages:
        assert escaped in html
        assert "<script>alert" not in html
        assert 'onerror="alert' not in html
    csv = b"".join(client.get("/ratings/?export=csv").streaming_content).decode()
    assert XSS in csv or "alert(1)" in csv
    client.logout()
    open_order = public.open_order()
    client.post(page_url(open_order) + "delivery-note/", {"delivery_note": XSS})
    html = client.get(page_url(open_order)).content.decode()
    assert "&lt;script&gt;" in html
    assert "<script>alert" not in html


def test_the_delivery_time_and_note_are_refused_after_dispatch(client, public):
    order = public.open_order()
    day = working_day_ahead(2)
    url = page_url(order)
    slot = {"warehouse": public.shanghai.pk, "slot": f"{day.isoformat()}T09:00"}
    assert client.post(url + "delivery-time/", slot).status_code == 302
    client.post(url + "delivery-note/", {"delivery_note": "北门"})
    [shipment] = public.picked(order)
    public.dispatch(shipment)
    audits = AuditLog.objects.count()
    later = {"warehouse": public.shanghai.pk, "slot": f"{day.isoformat()}T14:00"}
    moved = client.post(url + "delivery-time/", later, HTTP_ACCEPT_LANGUAGE="en")
    assert moved.status_code == 400
    assert "already been sent" in moved.content.decode()
    noted = client.post(
        url + "delivery-note/", {"delivery_note": "南门"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert noted.status_code == 400
    assert "already been sent" in noted.content.decode()
    order.refresh_from_db()
    assert order.delivery_note == "北门"
    assert SlotBooking.objects.get(order=order).slot.starts.hour == 9
    assert AuditLog.objects.count() == audits
    # The page no longer offers the forms; the note reads as it was.
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-form="delivery-time"' not in html
    assert 'data-form="delivery-note"' not in html
    assert "北门" in html


def test_the_ratings_list_follows_the_roles_and_the_sales_scope(
    client, public, two_delivered, settings
):
    settings.OMS_SALES_OWN_CUSTOMERS_ONLY = True
    mine, theirs = two_delivered
    for order in two_delivered:
        client.post(
            page_url(order) + "rating/", {"rating": "3", "comment": f"ratingtext-{order.number}"}
        )
    seller = UserFactory(username="sales-own", role="sales")
    mine.customer.salesperson = seller
    mine.customer.save(update_fields=["salesperson"])
    client.force_login(seller)
    html = client.get("/ratings/").content.decode()
    assert f"ratingtext-{mine.number}" in html
    assert f"ratingtext-{theirs.number}" not in html
    assert "ratingtext-" not in client.get(f"/orders/{theirs.number}/").content.decode()
    for role in ("warehouse", "finance", "logistics", "reviewer"):
        client.force_login(UserFactory(username=f"{role}-r", role=role))
        assert client.get("/ratings/").status_code == 403, role
