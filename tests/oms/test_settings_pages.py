"""The working-day calendar page and the message template pages: who may do what."""

from datetime import date

import pytest
from django.contrib.messages import get_messages

from oms.models import AuditLog, CalendarDay, MessageTemplate
from oms.workdays import is_working_day

pytestmark = pytest.mark.django_db


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_calendar_page_lists_the_years_special_days(client_for):
    page = client_for("warehouse").get("/calendar/?year=2026")
    assert page.status_code == 200
    html = page.content.decode()
    assert "2026: 248 working days; 19 weekdays off, 6 weekend days worked." in html
    assert "Feb. 14, 2026" in html or "2026-02-14" in html
    assert "National Day" in html
    assert "Make it a day off" not in html  # warehouse reads, managers edit
    assert 'action="/calendar/set/"' not in html


def test_a_year_without_its_notice_says_so(client_for):
    client = client_for("manager")
    assert (
        "notice for that year is probably not"
        not in client.get("/calendar/?year=2026").content.decode()
    )
    # holidays 0.109 has 2027's statutory holidays but not 2027's notice (no make-up days).
    assert (
        "notice for that year is probably not"
        in client.get("/calendar/?year=2027").content.decode()
    )


def test_the_calendar_page_speaks_chinese(client_for):
    client = client_for("manager")
    html = client.get("/calendar/?year=2026", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "国庆节" in html
    assert "春节" in html


def test_the_calendar_exports_csv(client_for):
    response = client_for("manager").get("/calendar/?year=2026&export=csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "2026-02-14" in text or "02/14/2026" in text or "Feb" in text
    assert "Working day" in text


def test_a_manager_adds_and_removes_days(client_for):
    client = client_for("manager")
    response = client.post(
        "/calendar/set/", {"date": "2026-03-02", "working": "0", "name": "Stocktake"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/calendar/?year=2026"
    assert not is_working_day(date(2026, 3, 2))
    assert "is now a day off" in flash(response)[0]
    # Removing a shipped make-up working day.
    client.post("/calendar/set/", {"date": "2026-02-14", "working": "0"})
    assert not is_working_day(date(2026, 2, 14))
    html = client.get("/calendar/?year=2026").content.decode()
    assert "Stocktake" in html
    assert "Changed here (officially a working day)" in html
    # Each row's button turns the day the other way: Mid-Autumn Festival becomes a working day.
    assert (
        '<input type="hidden" name="date" value="2026-09-25">'
        '<input type="hidden" name="working" value="1">'
    ) in html
    assert AuditLog.objects.filter(object_type="oms.calendarday").count() == 2


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"date": "2026-02-30", "working": "0"},
        {"date": "not a date", "working": "1"},
        {"date": "1900-01-01", "working": "1"},
        {"date": "2026-03-02", "working": "maybe"},
        {"date": "2026-03-02", "working": "0", "name": "x" * 101},
    ],
)
def test_bad_calendar_input_is_a_message_and_changes_nothing(client_for, data):
    response = client_for("manager").post("/calendar/set/", data)
    assert response.status_code == 302
    assert flash(response)
    assert not CalendarDay.objects.exists()


def test_only_managers_edit_the_calendar(client_for):
    response = client_for("logistics").post(
        "/calendar/set/", {"date": "2026-03-02", "working": "0"}
    )
    assert response.status_code == 403
    assert not CalendarDay.objects.exists()


def confirmed_template(language="en"):
    return MessageTemplate.objects.get(event_code="order.confirmed", language=language)


def test_customer_service_edits_a_template(client_for):
    client = client_for("customer_service")
    listing = client.get("/message-templates/").content.decode()
    assert "Order confirmed" in listing
    template = confirmed_template()
    url = f"/message-templates/{template.pk}/edit/"
    page = client.get(url).content.decode()
    assert "{{ order_number }}" in page  # the variables
    assert "Your order SO-2026-000123 is confirmed" in page  # the preview
    response = client.post(
        url,
        {
            "subject": "Order {{ order_number }}: confirmed",
            "body": "Hello {{ customer_name }}",
            "sms_body": "{{ order_number }} ok",
        },
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.subject == "Order {{ order_number }}: confirmed"
    assert template.is_customised
    assert template.updated_by.username == "customer_service-user"
    assert AuditLog.objects.get(object_type="oms.messagetemplate").action == (
        "message_template.update"
    )
    # Restore the default wording.
    response = client.post(f"/message-templates/{template.pk}/reset/")
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.subject == "Your order {{ order_number }} is confirmed"
    assert not template.is_customised


@pytest.mark.parametrize(
    ("field", "text", "error"),
    [
        ("body", "{% load static %}", "is not allowed"),
        ("subject", "{% if %}", "if"),
        ("sms_body", "好" * 400, "more than 5 SMS parts"),
        ("body", "{{ x|nosuchfilter }}", "nosuchfilter"),
    ],
)
def test_a_bad_template_is_refused_on_the_form(client_for, field, text, error):
    template = confirmed_template("zh-hans")
    data = {"subject": template.subject, "body": template.body, "sms_body": template.sms_body}
    response = client_for("manager").post(
        f"/message-templates/{template.pk}/edit/", {**data, field: text}
    )
    assert response.status_code == 422
    assert error in response.content.decode()
    assert confirmed_template("zh-hans").subject == template.subject
    assert not confirmed_template("zh-hans").is_customised


@pytest.mark.parametrize("role", ["sales", "warehouse", "finance", "reviewer", "logistics"])
def test_other_roles_may_not_edit_templates(client_for, role):
    client = client_for(role)
    template = confirmed_template()
    assert client.get("/message-templates/").status_code == 403
    assert client.get(f"/message-templates/{template.pk}/edit/").status_code == 403
    response = client.post(f"/message-templates/{template.pk}/edit/", {"subject": "x", "body": "y"})
    assert response.status_code == 403
    assert client.post(f"/message-templates/{template.pk}/reset/").status_code == 403
    assert confirmed_template().subject == template.subject


def test_a_template_of_an_event_no_app_registers_is_not_found(client_for):
    template = MessageTemplate.objects.create(
        event_code="gone.event", language="en", subject="s", body="b"
    )
    assert client_for("manager").get(f"/message-templates/{template.pk}/edit/").status_code == 404
