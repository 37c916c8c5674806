"""The complaint pages: the queue with its filters, highlights and CSV, a case's page and its
actions, the new-case form from an order, the lot trace with the recall button, the panels on
the order and customer pages and the dashboard tiles."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales import case_services as services
from aftersales.models import Case
from tests.factories import UserFactory


@pytest.fixture
def desk(cases, agent, boss):
    now = timezone.now()
    customer = cases.customer(name="星光灯饰")
    shipment = cases.dispatched(customer, lot="LOT-9")
    late = cases.case(
        customer=customer,
        actor=agent,
        priority="urgent",
        subject="Late one",
        opened_at=now - timedelta(days=10),
        order=shipment.order,
        assignee=agent,
    )
    fresh = cases.case(actor=agent, subject="Fresh one", priority="low")
    waiting = cases.case(actor=agent, subject="Waiting one")
    services.case_set_status(actor=agent, case=waiting, status="waiting")
    return {
        "late": late,
        "fresh": fresh,
        "waiting": waiting,
        "shipment": shipment,
        "customer": customer,
    }


def rows_of(response):
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text[1:])))


def test_queue_sorted_by_sla_with_overdue_highlighted(desk, client, agent):
    client.force_login(agent)
    html = client.get("/cases/").content.decode()
    assert (
        html.index(desk["late"].number)
        < html.index(desk["fresh"].number)
        < html.index(desk["waiting"].number)
    )
    assert re.search(
        r"<tr [^>]*class=\"[^\"]*table-danger[^\"]*\"[^>]*data-due=\"overdue\"", html
    ), re.findall(r"<tr[^>]*>", html)
    assert "1 past SLA" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("overdue=true", {"late"}),
        ("status=waiting", {"waiting"}),
        ("priority=urgent&priority=low", {"late", "fresh"}),
        ("mine=true", {"late"}),
        ("category=damaged", {"late", "fresh", "waiting"}),
        ("q=星光", {"late"}),
    ],
)
def test_queue_filters(desk, client, agent, query, expected):
    client.force_login(agent)
    rows = rows_of(client.get(f"/cases/?{query}&export=csv"))
    numbers = {row[0] for row in rows[1:]}
    assert numbers == {desk[name].number for name in expected}


def test_assignee_filter_and_bad_parameters_never_fail(desk, client, agent):
    client.force_login(agent)
    response = client.get(f"/cases/?assignee={agent.pk}")
    assert desk["late"].number in response.content.decode()
    for query in (
        "assignee=abc",
        "status=nope",
        "overdue=maybe",
        "page=-1",
        "sort=nonsense",
        "per_page=x" * 50,
    ):
        assert client.get(f"/cases/?{query}").status_code == 200, query
    assert client.get("/cases/CASE-2026-999999/").status_code == 404
    assert client.get("/trace/?lot=" + "x" * 500).status_code == 200


def test_case_page_actions(desk, client, agent, boss):
    client.force_login(agent)
    case = desk["fresh"]
    url = case.get_absolute_url()
    assert client.get(url).status_code == 200
    client.post(
        reverse("aftersales:case_note", args=[case.number]), {"kind": "note", "body": "已联系客户"}
    )
    client.post(reverse("aftersales:case_assign", args=[case.number]), {"assignee": boss.pk})
    client.post(
        reverse("aftersales:case_status", args=[case.number]),
        {"status": "resolved", "note": "补发"},
    )
    case.refresh_from_db()
    assert (case.status, case.assignee, case.first_response_at is not None) == (
        "resolved",
        boss,
        True,
    )
    html = client.get(url).content.decode()
    for text in ("已联系客户", "Assigned to boss", "Status: Open → Resolved", "补发"):
        assert text in html
    # A status the table does not allow, an empty note, an unknown assignee: a message, no 500.
    for name, data in (
        ("case_status", {"status": "waiting"}),
        ("case_status", {"status": "bogus"}),
        ("case_note", {"kind": "note", "body": ""}),
        ("case_assign", {"assignee": "999999"}),
    ):
        response = client.post(reverse(f"aftersales:{name}", args=[case.number]), data, follow=True)
        assert response.status_code == 200
        assert "alert-danger" in response.content.decode() or "error" in response.content.decode()
    case.refresh_from_db()
    assert (case.status, case.assignee) == ("resolved", boss)


def test_new_case_from_an_order_page(desk, client, agent):
    client.force_login(agent)
    order = desk["shipment"].order
    order_page = client.get(order.get_absolute_url()).content.decode()
    new_url = reverse("aftersales:case_create") + f"?order={order.number}"
    assert new_url in order_page  # the header button and the panel's link
    assert desk["late"].number in order_page  # the order's "Cases" panel
    form = client.get(new_url).content.decode()
    assert f'value="{order.number}"' in form
    assert f'value="{order.customer.code}"' in form
    response = client.post(
        reverse("aftersales:case_create"),
        {
            "customer": order.customer.code,
            "order": order.number,
            "shipment": desk["shipment"].number,
            "lot": "LOT-9",
            "category": "defective",
            "priority": "high",
            "subject": "Flickers",
            "form_token": "6f1c7a3e-0a43-4c39-9f5e-3b8f0f3f5c11",
        },
    )
    case = Case.objects.get(subject="Flickers")
    assert response["Location"] == case.get_absolute_url()
    assert (case.order, case.shipment, case.lot) == (order, desk["shipment"], "LOT-9")
    page = client.get(case.get_absolute_url()).content.decode()
    assert reverse("aftersales:lot_trace") + "?lot=LOT-9" in page
    customer_page = client.get(order.customer.get_absolute_url()).content.decode()
    assert case.number in customer_page


def test_new_case_form_refuses_bad_input(desk, client, agent):
    client.force_login(agent)
    other = desk["fresh"].customer
    response = client.post(
        reverse("aftersales:case_create"),
        {
            "customer": other.code,
            "order": desk["shipment"].order.number,  # another customer's order
            "category": "damaged",
            "priority": "normal",
            "subject": "x",
        },
    )
    assert response.status_code == 422
    assert "another customer" in response.content.decode()
    response = client.post(reverse("aftersales:case_create"), {"customer": "NOPE", "category": "?"})
    assert response.status_code == 422
    assert Case.objects.count() == 3


def test_trace_page_and_the_recall_button(desk, cases, client, agent):
    other = cases.customer(name="远方商行")
    cases.dispatched(other, lot="LOT-9")
    client.force_login(agent)
    html = client.get("/trace/?lot=LOT-9").content.decode()
    assert "远方商行" in html
    assert "星光灯饰" in html
    assert "reached 2 customers" in html
    rows = rows_of(client.get("/trace/?lot=LOT-9&export=csv"))
    assert len(rows) == 3
    for _click in range(2):
        client.post(
            reverse("aftersales:lot_recall"),
            {"lot": "LOT-9", "category": "defective", "priority": "high"},
        )
    assert Case.objects.filter(recall_lot="LOT-9").count() == 2
    assert client.get("/trace/").status_code == 200


def test_sales_see_and_open_but_do_not_work_cases(desk, client):
    sales = UserFactory(role="sales")
    client.force_login(sales)
    case = desk["fresh"]
    assert client.get("/cases/").status_code == 200
    assert client.get(case.get_absolute_url()).status_code == 200
    assert "case-note-form" not in client.get(case.get_absolute_url()).content.decode()
    assert (
        client.post(reverse("aftersales:case_note", args=[case.number]), {"body": "x"}).status_code
        == 403
    )
    assert client.get(reverse("aftersales:case_create")).status_code == 200


def test_dashboard_tiles(desk, cases, client, boss, agent):
    resolved = cases.case(actor=agent, priority="urgent")
    services.case_set_status(actor=agent, case=resolved, status="resolved")
    client.force_login(boss)
    html = client.get("/").content.decode()
    assert "Cases resolved within SLA" in html
    assert "100 %" in html
    assert "Open cases" in html
    assert "Cases by SLA due" in html
    assert html.index(desk["late"].number) < html.index(desk["fresh"].number)
    warehouse = UserFactory(role="warehouse")
    client.force_login(warehouse)
    assert "Open cases" not in client.get("/").content.decode()


def test_queue_and_case_page_cost_a_fixed_number_of_queries(cases, client, agent):
    from tests.helpers import page_queries

    client.force_login(agent)
    first = cases.case(actor=agent, assignee=agent)
    few = len(page_queries(client, "/cases/"))
    one_note = len(page_queries(client, first.get_absolute_url()))
    for n in range(8):
        case = cases.case(actor=agent, assignee=agent, order=None)
        services.case_add_note(actor=agent, case=first, body=f"note {n}")
        services.case_set_status(actor=agent, case=case, status="waiting")
    assert len(page_queries(client, "/cases/")) == few
    assert len(page_queries(client, first.get_absolute_url())) == one_note
