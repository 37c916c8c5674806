"""The customer's order page's sections: the kernel registry, the timeline, the delivery time
and note, finding an order without the link, billing's payment and documents, the rating."""

import subprocess
from datetime import time

import pytest
from django.core.exceptions import ImproperlyConfigured

from aftersales.models import OrderFeedback
from oms.models import AuditLog
from oms.registry import PublicSection, public_order_sections, register_public_order_section
from orders import services as order_services
from orders.models import Order, OrderEvent
from shipping.models import SlotBooking
from tests.shipping.delivery import MORNING, working_day_ahead
from tests.shipping.public_page import PublicOrders, page_url


@pytest.fixture
def public(db):
    return PublicOrders()


def test_sections_come_from_the_registry_in_their_order():
    keys = [section.key for section in public_order_sections()]
    assert keys.index("delivery") < keys.index("payment") < keys.index("rating")
    with pytest.raises(ImproperlyConfigured):
        register_public_order_section(
            PublicSection("payment", 1, "x.html", context=lambda order, request: {})
        )


def test_the_timeline_tells_the_story_in_plain_words(
    client, public, django_capture_on_commit_callbacks
):
    order = public.delivered_order(django_capture_on_commit_callbacks)
    html = client.get(page_url(order), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    timeline = html[html.index("data-order-timeline") :]
    timeline = timeline[: timeline.index("</ol>")]
    for words in ("Order placed", "Order confirmed", "Order shipped", "Order delivered"):
        assert words in timeline, words
    # Newest first, and "confirmed" once although the order went through several statuses.
    assert timeline.index("Order delivered") < timeline.index("Order placed")
    assert timeline.count("Order confirmed") == 1
    zh = client.get(page_url(order), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "订单已签收" in zh


def test_the_customer_books_and_changes_the_delivery_time(client, public):
    order = public.open_order()
    url = page_url(order)
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-form="delivery-time"' in html
    assert "free" not in html  # the customer never sees the places left
    day = working_day_ahead(2)
    warehouse = public.shanghai.pk
    response = client.post(
        url + "delivery-time/", {"warehouse": warehouse, "slot": f"{day.isoformat()}T09:00"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?saved=delivery#section-delivery")
    booking = SlotBooking.objects.get(order=order)
    assert (booking.slot.date, booking.slot.starts, booking.by_customer) == (day, MORNING, True)
    assert booking.booked_by is None
    audit = AuditLog.objects.get(action="slot.book")
    assert audit.actor is None
    assert audit.changes["source"] == "customer"
    saved = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "your delivery details are saved" in saved
    assert "Booked:" in saved
    client.post(
        url + "delivery-time/", {"warehouse": warehouse, "slot": f"{day.isoformat()}T14:00"}
    )
    assert SlotBooking.objects.get(order=order).slot.starts == time(14)


def test_a_full_slot_and_a_made_up_one_are_refused_with_a_message(client, public):
    order = public.open_order(capacity=1)
    other = public.allocated_order((order.lines.first().product, 1))
    day = working_day_ahead(2)
    key = f"{day.isoformat()}T09:00"
    client.post(page_url(other) + "delivery-time/", {"warehouse": public.shanghai.pk, "slot": key})
    response = client.post(
        page_url(order) + "delivery-time/",
        {"warehouse": public.shanghai.pk, "slot": key},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "just been fully booked" in response.content.decode()
    for bad in (
        {"warehouse": "999999", "slot": key},
        {"warehouse": public.shanghai.pk, "slot": "x"},
    ):
        response = client.post(page_url(order) + "delivery-time/", bad)
        assert response.status_code == 400
    assert not SlotBooking.objects.filter(order=order).exists()


def test_the_customer_edits_the_delivery_note_the_warehouse_prints(client, public):
    order = public.open_order()
    url = page_url(order)
    response = client.post(url + "delivery-note/", {"delivery_note": "  放在门卫处，\n谢谢 "})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.delivery_note == "放在门卫处， 谢谢"
    audit = AuditLog.objects.get(action="order.delivery_note")
    assert (audit.actor, audit.changes["source"]) == (None, "customer")
    event = OrderEvent.objects.filter(order=order).latest("id")
    assert event.message["code"] == "delivery_note_changed"
    too_long = client.post(url + "delivery-note/", {"delivery_note": "x" * 201})
    assert too_long.status_code == 400
    order.refresh_from_db()
    assert order.delivery_note == "放在门卫处， 谢谢"
    # The packing list the warehouse prints carries it.
    [shipment] = public.picked(order)
    staff = client
    staff.force_login(public_user("warehouse"))
    pdf = staff.get(f"/shipments/{shipment.number}/documents/packing-list/?format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert "放在门卫处" in pdf_text(pdf.content)


def test_the_lookup_form_leads_to_the_page_by_phone_ending_or_email(client, public):
    order = public.open_order(email="Li.Ming@example.com")
    form = client.get("/track/", HTTP_ACCEPT_LANGUAGE="en")
    assert form.status_code == 200
    chinese = client.get("/track/?lang=zh-hans", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "查询订单" in chinese
    assert form["Referrer-Policy"] == "same-origin"
    assert 'name="csrfmiddlewaretoken"' in form.content.decode()
    by_phone = client.post("/track/", {"number": order.number.lower(), "contact": "5678"})
    assert by_phone.status_code == 302
    order.refresh_from_db()
    assert by_phone["Location"] == f"/track/{order.public_token}/"
    by_email = client.post("/track/", {"number": order.number, "contact": "li.ming@EXAMPLE.com"})
    assert by_email["Location"] == f"/track/{order.public_token}/"


def test_a_revoked_link_is_made_anew_by_the_lookup(client, public):
    order = public.open_order()
    old = order_services.order_public_token(order)
    Order.objects.filter(pk=order.pk).update(public_token=None)
    response = client.post("/track/", {"number": order.number, "contact": "5678"})
    order.refresh_from_db()
    assert order.public_token
    assert order.public_token != old
    assert response["Location"] == f"/track/{order.public_token}/"


def test_payment_and_documents_section(client, public, django_capture_on_commit_callbacks):
    order = public.delivered_order(django_capture_on_commit_callbacks)
    invoice = order.invoices.get()
    html = client.get(page_url(order), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-payment-status="unpaid"' in html
    assert "Not paid yet" in html
    link = f"/track/{order.public_token}/invoices/{invoice.number}.pdf"
    assert link in html
    pdf = client.get(link)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert f'filename="{invoice.number}.pdf"' in pdf["Content-Disposition"]
    assert pdf["Cache-Control"] == "private, no-store"
    text = pdf_text(pdf.content)
    assert invoice.number in text
    assert order.number in text


def test_the_customer_rates_a_delivered_order_and_can_change_it(
    client, public, django_capture_on_commit_callbacks
):
    order = public.delivered_order(django_capture_on_commit_callbacks)
    url = page_url(order)
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "How did we do?" in html
    response = client.post(url + "rating/", {"rating": "2", "comment": "Box was wet."})
    assert response.status_code == 302
    again = client.post(url + "rating/", {"rating": "4", "comment": "Replaced next day."})
    assert again.status_code == 302
    feedback = OrderFeedback.objects.get(order=order)
    assert (feedback.rating, feedback.comment, feedback.edits) == (4, "Replaced next day.", 1)
    actions = list(
        AuditLog.objects.filter(object_type="aftersales.orderfeedback")
        .order_by("id")
        .values_list("action", "actor", "changes__source")
    )
    assert actions == [("feedback.give", None, "customer"), ("feedback.change", None, "customer")]
    page = client.get(url + "?saved=rating", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Thank you for your rating." in page
    assert "Update rating" in page
    for bad in ({"rating": "6"}, {"rating": "0"}, {"rating": "x"}, {}):
        assert client.post(url + "rating/", bad).status_code == 400
    assert OrderFeedback.objects.get(order=order).rating == 4


def test_an_order_not_delivered_offers_no_rating_and_refuses_one(client, public):
    order = public.open_order()
    url = page_url(order)
    assert "How did we do?" not in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = client.post(url + "rating/", {"rating": "5"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "once it has been delivered" in response.content.decode()
    assert not OrderFeedback.objects.exists()


def test_staff_read_ratings_on_the_list_the_order_and_the_customer(
    client, public, django_capture_on_commit_callbacks
):
    order = public.delivered_order(django_capture_on_commit_callbacks)
    client.post(page_url(order) + "rating/", {"rating": "5", "comment": "很满意"})
    client.force_login(public_user("customer_service"))
    listing = client.get("/ratings/?rating=5").content.decode()
    assert order.number in listing
    assert "很满意" in listing
    assert "很满意" in client.get(f"/orders/{order.number}/").content.decode()
    assert "很满意" in client.get(order.customer.get_absolute_url()).content.decode()
    csv = client.get("/ratings/?export=csv")
    assert csv.status_code == 200


def public_user(role):
    from tests.factories import UserFactory

    return UserFactory(username=f"{role}-public", role=role)


def pdf_text(content: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
