"""Return pages: rights, the forms, bad input (a clear message and nothing written)."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from aftersales import return_services as rs
from aftersales.models import ReturnEvent, ReturnRequest
from inventory.models import StockMovement
from shipping.models import Carrier


def png_bytes(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def upload(name="photo.png", content=None, content_type="image/png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, png_bytes() if content is None else content, content_type)


def request_data(order, *quantities, **extra):
    data = {
        f"line_{line.pk}": quantity
        for line, quantity in zip(order.lines.order_by("line_no"), quantities, strict=False)
    }
    data.update({"order": order.number, "reason": "defective", "resolution": "refund"})
    data.update(extra)
    return data


def test_staff_request_a_return_with_a_photo(returns, client_for):
    order = returns.delivered_order((returns.product(), 3))
    client = client_for("customer_service")
    page = client.get(reverse("aftersales:return_create") + f"?order={order.number}")
    assert page.status_code == 200
    assert "up to 3 may come back" in page.content.decode()
    response = client.post(
        reverse("aftersales:return_create"),
        {**request_data(order, 2, reason_text="Flickers"), "photos": [upload()]},
    )
    rma = ReturnRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == rma.get_absolute_url()
    assert rma.source == "staff"
    assert rma.photos.count() == 1
    detail = client.get(rma.get_absolute_url()).content.decode()
    assert "Flickers" in detail
    photo = client.get(
        reverse("aftersales:return_photo", args=[rma.reference, rma.photos.get().pk])
    )
    assert photo.status_code == 200
    assert photo["Content-Type"] == "image/png"
    assert b"".join(photo.streaming_content).startswith(b"\x89PNG")


def test_unknown_order_and_bad_quantities_write_nothing(returns, client_for):
    order = returns.delivered_order((returns.product(), 2))
    client = client_for("customer_service")
    assert client.get(reverse("aftersales:return_create") + "?order=SO-NOPE").status_code == 404
    for bad in ({"line": 3}, {"line": -1}, {"line": "two"}, {"line": 0}):
        response = client.post(
            reverse("aftersales:return_create"), request_data(order, bad["line"])
        )
        assert response.status_code == 422, bad
    html = response.content.decode()
    assert "Choose at least one delivered item" in html
    response = client.post(
        reverse("aftersales:return_create"), request_data(order, 1, reason="nonsense")
    )
    assert response.status_code == 422
    assert ReturnRequest.objects.count() == 0


def test_a_double_submit_of_the_request_form_saves_once(returns, client_for):
    order = returns.delivered_order((returns.product(), 2))
    client = client_for("sales")
    data = request_data(order, 1, form_token="a" * 32)
    first = client.post(reverse("aftersales:return_create"), data)
    second = client.post(reverse("aftersales:return_create"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert ReturnRequest.objects.count() == 1


def test_the_steps_on_the_return_page(returns, client_for):
    carrier = Carrier.objects.create(code="sf", name="SF Express")
    lamp, shade = returns.product(), returns.product()
    order = returns.delivered_order((lamp, 2), (shade, 1))
    rma = returns.request(order, 2, 1)
    agent = client_for("customer_service")
    url = rma.get_absolute_url()
    response = agent.post(reverse("aftersales:return_approve", args=[rma.reference]), {})
    rma.refresh_from_db()
    assert rma.status == "approved"
    assert response["Location"] == rma.get_absolute_url() != url
    # Bad tracking number: a message, nothing written.
    response = agent.post(
        reverse("aftersales:return_shipment", args=[rma.reference]),
        {"carrier": carrier.pk, "tracking_number": "<b>1"},
        follow=True,
    )
    assert "6 to 40 letters" in response.content.decode()
    assert not ReturnEvent.objects.filter(request=rma, kind="shipped").exists()
    agent.post(
        reverse("aftersales:return_shipment", args=[rma.reference]),
        {"carrier": carrier.pk, "tracking_number": "SF9876543210"},
    )
    label = agent.get(reverse("aftersales:return_label", args=[rma.reference]))
    assert label.status_code == 200
    assert rma.number in label.content.decode()
    warehouse = client_for("warehouse")
    warehouse.post(
        reverse("aftersales:return_receive", args=[rma.reference]),
        {"warehouse": returns.shanghai.pk},
    )
    rma.refresh_from_db()
    assert rma.status == "received"
    lines = list(rma.lines.order_by("order_line__line_no"))
    response = warehouse.post(
        reverse("aftersales:return_inspect", args=[rma.reference, lines[1].pk]),
        {"disposition": "scrap"},
        follow=True,
    )
    assert "Say why the goods are scrapped" in response.content.decode()
    assert not StockMovement.objects.filter(reference=rma.number).exists()
    for line, disposition in zip(lines, ("restock", "quarantine"), strict=True):
        warehouse.post(
            reverse("aftersales:return_inspect", args=[rma.reference, line.pk]),
            {"disposition": disposition},
        )
    rma.refresh_from_db()
    assert rma.status == "inspected"
    html = warehouse.get(rma.get_absolute_url()).content.decode()
    assert "Quarantine" in html
    assert returns.quarantine.code in html
    # The order page's Returns card tells the story.
    order_page = agent.get(order.get_absolute_url()).content.decode()
    assert rma.number in order_page
    assert "Line inspected" in order_page


@pytest.mark.parametrize(
    ("role", "status"),
    [("warehouse", 403), ("sales", 403), ("finance", 403), ("customer_service", 302)],
)
def test_who_may_approve(returns, client_for, role, status):
    order = returns.delivered_order((returns.product(), 1))
    rma = returns.request(order, 1)
    client = client_for(role)
    response = client.post(reverse("aftersales:return_approve", args=[rma.reference]), {})
    assert response.status_code == status


def test_the_list_filters_and_exports(returns, client_for):
    order = returns.delivered_order((returns.product(), 3))
    returns.request(order, 1, reason="damaged")
    rma = returns.request(order, 1, reason="changed_mind")
    rs.return_approve(actor=None, request=rma)
    client = client_for("manager")
    html = client.get(reverse("aftersales:return_list") + "?status=approved").content.decode()
    assert "RMA-" in html
    assert "not approved" not in html
    html = client.get(reverse("aftersales:return_list") + "?reason=damaged").content.decode()
    assert "not approved" in html
    assert "RMA-" not in html
    for bad in ("?status=nope", "?customer=99999999999999999999", "?requested_from=x", "?page=-1"):
        assert client.get(reverse("aftersales:return_list") + bad).status_code == 200, bad
    csv = client.get(reverse("aftersales:return_list") + "?export=csv")
    body = b"".join(csv.streaming_content).decode()
    assert "Changed mind" in body


def test_customer_page_shows_the_returns_panel(returns, client_for):
    order = returns.delivered_order((returns.product(), 1))
    rma = returns.request(order, 1)
    html = client_for("sales").get(order.customer.get_absolute_url()).content.decode()
    assert rma.get_absolute_url() in html


def test_the_customers_order_page_leads_to_the_return_page(returns, client):
    from orders.services import order_public_token

    product = returns.product(sku="RET-PUB")
    undelivered = returns.allocated_order((product, 1))
    page = client.get(f"/track/{order_public_token(undelivered)}/").content.decode()
    assert 'id="returns-title"' not in page  # nothing delivered, no return: no card

    order = returns.delivered_order((product, 2))
    token = order_public_token(order)
    return_page = reverse("aftersales:public_return", args=[token])
    page = client.get(f"/track/{token}/").content.decode()
    assert f'href="{return_page}"' in page
    assert "Ask for a return" in page

    rma = returns.request(order, 2)
    page = client.get(f"/track/{token}/").content.decode()
    # Everything asked back: the card follows the request, no new one offered.
    assert f'data-return="{rma.pk}"' in page
    assert 'data-status="requested"' in page
    assert "Follow your returns" in page
    assert "Ask for a return" not in page
