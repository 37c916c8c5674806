"""Returns: photos only to staff who may see the return, the customer's return page only for
the order its token grants, uploads read as images, typed text escaped everywhere, quantities
never above what was delivered, a double submit saves once."""

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from aftersales.models import ReturnPhoto, ReturnRequest
from orders.services import order_public_token
from tests.aftersales.conftest import Returns
from tests.factories import UserFactory

HOSTILE = '<script>alert(1)</script>=HYPERLINK("http://x","y")'


def png(size=(20, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def world(db):
    returns = Returns()
    product = returns.product(sku="SEC-R1")
    mine = returns.delivered_order((product, 2))
    theirs = returns.delivered_order((product, 2), customer=returns.customer(name="客户乙"))
    return returns, mine, theirs


def public_url(order) -> str:
    return reverse("aftersales:public_return", args=[order_public_token(order)])


def public_data(order, quantity=1, **extra):
    line = order.lines.get()
    return {
        f"line_{line.pk}": quantity,
        "reason": "defective",
        "resolution": "refund",
        "submission": extra.pop("submission", ""),
        **extra,
    }


def test_a_photo_is_served_only_through_its_own_return_to_staff_who_may_see_it(world, client):
    returns, mine, theirs = world
    first = returns.request(mine, 1, photos=[SimpleUploadedFile("a.png", png(), "image/png")])
    second = returns.request(theirs, 1)
    photo = first.photos.get()
    # The file lives outside the web root under a random name.
    assert photo.file.name.startswith(f"returns/{first.pk}/")
    # (a random hex name may itself end in "a", so compare whole names, not substrings)
    assert re.fullmatch(rf"returns/{first.pk}/[0-9a-f]{{32}}\.png", photo.file.name)
    own = reverse("aftersales:return_photo", args=[first.reference, photo.pk])
    other = reverse("aftersales:return_photo", args=[second.reference, photo.pk])
    assert client.get(own).status_code == 302  # anonymous: to sign in
    client.force_login(UserFactory(username="fin", role="finance"))
    assert client.get(own).status_code == 403
    client.force_login(UserFactory(username="cs", role="customer_service"))
    response = client.get(own)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    # Another return's address with this photo's id: not found.
    assert client.get(other).status_code == 404
    assert (
        client.get(reverse("aftersales:return_photo", args=["99999", photo.pk])).status_code == 404
    )


@override_settings(OMS_SALES_OWN_CUSTOMERS_ONLY=True)
def test_sales_see_only_their_customers_returns_and_photos(world, client):
    returns, mine, _theirs = world
    rma = returns.request(mine, 1, photos=[SimpleUploadedFile("a.png", png(), "image/png")])
    client.force_login(UserFactory(username="sales-other", role="sales"))
    assert client.get(rma.get_absolute_url()).status_code == 404
    photo = rma.photos.get()
    assert (
        client.get(reverse("aftersales:return_photo", args=[rma.reference, photo.pk])).status_code
        == 404
    )
    assert rma.number is None or rma.number not in client.get("/returns/").content.decode()


def test_the_public_return_form_works_only_for_the_tokens_order(world, client):
    _returns, mine, theirs = world
    # Posting another order's line through my token: refused, nothing written.
    their_line = theirs.lines.get()
    response = client.post(
        public_url(mine),
        {f"line_{their_line.pk}": 1, "reason": "defective", "resolution": "refund"},
    )
    assert response.status_code == 422
    assert ReturnRequest.objects.count() == 0
    # Unknown, malformed, revoked tokens: the order page's very same 404.
    not_found = client.get("/track/" + "A" * 32 + "/").content
    for token in ("A" * 32, "short", "A" * 31 + "!"):
        response = client.get(f"/track/{token}/return/")
        assert response.status_code == 404, token
        assert response.content == not_found, token
    # My token shows only my order.
    html = client.get(public_url(mine)).content.decode()
    assert mine.number in html
    assert theirs.number not in html


def test_the_public_page_sends_the_order_pages_headers_and_no_script(world, client):
    _returns, mine, _theirs = world
    response = client.get(public_url(mine))
    # Same-origin, not no-referrer: the form posts back here and the CSRF check needs our
    # origin; no other site ever receives the address.
    assert response["Referrer-Policy"] == "same-origin"
    assert '<meta name="referrer" content="same-origin">' in response.content.decode()
    assert "noindex" in response["X-Robots-Tag"]
    assert response["Cache-Control"] == "private, no-store"
    assert "script-src 'none'" in response["Content-Security-Policy"]
    assert "<script" not in response.content.decode()


@override_settings(OMS_TRACK_REQUESTS_PER_MINUTE=3)
def test_the_public_page_is_rate_limited(world, client):
    _returns, mine, _theirs = world
    statuses = [client.get(public_url(mine)).status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429]


def test_a_customer_request_through_the_public_page(world, client):
    _returns, mine, _theirs = world
    response = client.post(
        public_url(mine),
        {
            **public_data(mine, reason_text="灯罩破损"),
            "photos": [SimpleUploadedFile("x.png", png(), "image/png")],
        },
    )
    rma = ReturnRequest.objects.get()
    assert response.status_code == 302
    assert rma.source == "customer"
    assert rma.created_by is None
    page = client.get(response["Location"]).content.decode()
    assert "we received your return request" in page
    assert 'data-status="requested"' in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("evil.png", b"<?php system($_GET['c']); ?>", "not a photo we can read"),
        ("fake.jpg", b"\xff\xd8\xff\xe0" + b"0" * 100, "not a photo we can read"),
        ("doc.png", b"%PDF-1.4\n1 0 obj\n", "not a photo we can read"),
    ],
)
def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(
    world, client, name, content, message
):
    _returns, mine, _theirs = world
    response = client.post(
        public_url(mine),
        {**public_data(mine), "photos": [SimpleUploadedFile(name, content, "image/png")]},
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert ReturnRequest.objects.count() == 0
    assert ReturnPhoto.objects.count() == 0


def test_gif_and_oversized_photos_are_refused(world, client, settings):
    _returns, mine, _theirs = world
    gif = io.BytesIO()
    Image.new("RGB", (5, 5)).save(gif, "GIF")
    response = client.post(
        public_url(mine),
        {**public_data(mine), "photos": [SimpleUploadedFile("a.gif", gif.getvalue(), "image/gif")]},
    )
    assert response.status_code == 422
    settings.OMS_RETURN_PHOTO_MAX_BYTES = 1000
    big = png((400, 400))
    assert len(big) > 1000
    response = client.post(
        public_url(mine),
        {**public_data(mine), "photos": [SimpleUploadedFile("big.png", big, "image/png")]},
    )
    assert response.status_code == 422
    assert "is larger than" in response.content.decode()
    settings.OMS_RETURN_PHOTO_MAX_BYTES = 5 * 1024 * 1024
    settings.OMS_RETURN_PHOTO_MAX_PIXELS = 100
    response = client.post(
        public_url(mine),
        {
            **public_data(mine),
            "photos": [SimpleUploadedFile("wide.png", png((300, 10)), "image/png")],
        },
    )
    assert response.status_code == 422
    assert "pixels on a side" in response.content.decode()
    assert ReturnRequest.objects.count() == 0


def test_a_quantity_above_what_was_delivered_is_refused(world, client):
    _returns, mine, _theirs = world
    for quantity in (3, 10**12, -1, "1e3", "1; DROP TABLE"):
        response = client.post(public_url(mine), public_data(mine, quantity))
        assert response.status_code == 422, quantity
    assert ReturnRequest.objects.count() == 0
    client.force_login(UserFactory(username="cs2", role="customer_service"))
    line = mine.lines.get()
    response = client.post(
        reverse("aftersales:return_create"),
        {"order": mine.number, f"line_{line.pk}": 3, "reason": "defective", "resolution": "refund"},
    )
    assert response.status_code == 422
    assert ReturnRequest.objects.count() == 0


def test_a_double_submit_of_the_public_form_saves_once(world, client):
    _returns, mine, _theirs = world
    data = public_data(mine, submission="b" * 32)
    first = client.post(public_url(mine), data)
    second = client.post(public_url(mine), data)
    assert first.status_code == second.status_code == 302
    assert ReturnRequest.objects.count() == 1


def test_typed_text_is_escaped_on_pages_and_defused_in_the_csv(world, client):
    returns, mine, _theirs = world
    rma = returns.request(mine, 1, reason="other", reason_text=HOSTILE)
    public = client.get(public_url(mine)).content.decode()
    assert "<script>alert" not in public
    client.force_login(UserFactory(username="mgr", role="manager"))
    for url in (rma.get_absolute_url(), "/returns/", mine.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "<script>alert(1)" not in html, url
    assert "&lt;script&gt;alert(1)" in client.get(rma.get_absolute_url()).content.decode()
    returns.request(mine, 1, reason="other", reason_text='=HYPERLINK("http://x","y")')
    body = b"".join(client.get("/returns/?export=csv").streaming_content).decode()
    cells = [cell for row in csv.reader(io.StringIO(body)) for cell in row]
    assert HOSTILE in cells  # a CSV holds the text as typed...
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)  # ...never a formula
    assert any("HYPERLINK" in cell for cell in cells)


def _case_on(order, subject="Complaint"):
    from aftersales import case_services

    return case_services.case_open(
        actor=None,
        request=case_services.CaseRequest(
            customer=order.customer, category="defective", subject=subject, order=order
        ),
    )


@pytest.mark.parametrize(
    ("case_param", "status", "said"),
    [
        ("theirs", 422, "is not about order"),  # another customer's case
        ("CASE-2099-999999", 404, "No case with this number"),
        ("'; DROP TABLE x;--", 404, "No case with this number"),
        ("x" * 500, 404, "No case with this number"),
        ("<script>alert(1)</script>", 404, "No case with this number"),
    ],
)
def test_a_tampered_case_parameter_is_refused_and_writes_nothing(
    world, client, case_param, status, said
):
    from aftersales.models import CaseEvent

    _returns, mine, theirs = world
    _case_on(mine)
    if case_param == "theirs":
        case_param = _case_on(theirs).number
    events = CaseEvent.objects.count()
    client.force_login(UserFactory(username="desk", role="customer_service"))
    url = reverse("aftersales:return_create")
    page = client.get(url, {"order": mine.number, "case": case_param})
    assert page.status_code == status
    assert said in page.content.decode()
    assert 'name="form_token"' not in page.content.decode()  # no form to send
    line = mine.lines.get()
    response = client.post(
        url,
        {
            "order": mine.number,
            "case": case_param,
            f"line_{line.pk}": 1,
            "reason": "defective",
            "resolution": "refund",
        },
    )
    assert response.status_code == status
    assert said in response.content.decode()
    assert "<script>alert" not in response.content.decode()
    assert ReturnRequest.objects.count() == 0
    assert CaseEvent.objects.count() == events


@override_settings(OMS_SALES_OWN_CUSTOMERS_ONLY=True)
def test_sales_may_not_see_or_link_another_salespersons_case(world, client):
    from aftersales.models import CaseEvent

    _returns, mine, _theirs = world
    own = UserFactory(username="sales-own", role="sales")
    other = UserFactory(username="sales-other", role="sales")
    mine.customer.salesperson = other
    mine.customer.save(update_fields=["salesperson"])
    case = _case_on(mine, subject="Other salesperson's complaint")
    rma = _returns.request(mine, 1, case=case)
    client.force_login(own)
    assert client.get(case.get_absolute_url()).status_code == 404
    assert client.get(rma.get_absolute_url()).status_code == 404
    # Their own customer's order, with the other salesperson's case number typed in.
    ours = _returns.delivered_order(
        (_returns.product(sku="SEC-R9"), 1), customer=_returns.customer(salesperson=own)
    )
    url = reverse("aftersales:return_create")
    page = client.get(url, {"order": ours.number, "case": case.number})
    assert page.status_code == 404
    assert "No case with this number that you may see." in page.content.decode()
    assert case.subject not in page.content.decode()
    line = ours.lines.get()
    data = {"order": ours.number, "case": case.number, f"line_{line.pk}": 1}
    response = client.post(url, {**data, "reason": "defective", "resolution": "refund"})
    assert response.status_code == 404
    assert ReturnRequest.objects.count() == 1
    assert CaseEvent.objects.filter(kind="return").count() == 1
    # And the other salesperson's return page keeps the case to itself.
    client.force_login(other)
    assert case.number in client.get(rma.get_absolute_url()).content.decode()
