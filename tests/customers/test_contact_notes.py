"""Contact notes on the customer page: who may write them, what is refused, what is shown."""

import pytest

from customers.models import CustomerNote
from oms.models import AuditLog
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_a_note_is_saved_audited_and_shown_newest_first_with_its_author(client, user_with_role):
    user = user_with_role("sales")
    client.force_login(user)
    customer = CustomerFactory()
    url = f"/customers/{customer.pk}/"
    first = client.post(f"{url}notes/", {"text": "  第一次电话：询问报价  "})
    assert first.status_code == 302
    assert first["Location"] == f"{url}#contact-notes"
    client.post(f"{url}notes/", {"text": "Second call: order agreed"})
    notes = list(CustomerNote.objects.filter(customer=customer).order_by("pk"))
    assert [n.text for n in notes] == ["第一次电话：询问报价", "Second call: order agreed"]
    assert notes[0].author.username == user.username
    audit = AuditLog.objects.filter(action="customer.note", object_type="customers.customernote")
    assert sorted(audit.values_list("object_id", flat=True)) == sorted(str(n.pk) for n in notes)
    assert audit.get(object_id=str(notes[1].pk)).changes == {"text": "Second call: order agreed"}
    page = client.get(url).content.decode()
    section = page[page.index('id="contact-notes"') :]
    assert section.index("Second call") < section.index("第一次电话")
    assert section.count("data-note") == 2
    assert user.username in section
    assert f'action="/customers/{customer.pk}/notes/"' in page


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "This field is required"),
        ("   \n ", "This field is required"),
        ("x" * 2001, "at most 2000 characters"),
    ],
)
def test_a_bad_note_is_refused_with_a_message_and_nothing_written(client_for, text, message):
    client = client_for("sales")
    customer = CustomerFactory()
    response = client.post(f"/customers/{customer.pk}/notes/", {"text": text}, follow=True)
    assert message in response.content.decode()
    assert not CustomerNote.objects.exists()
    assert not AuditLog.objects.filter(action="customer.note").exists()


def test_who_may_not_change_customers_sees_notes_but_no_form_and_cannot_post(client_for):
    customer = CustomerFactory()
    CustomerNote.objects.create(customer=customer, text="Visited the shop")
    client = client_for("warehouse")
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "Visited the shop" in page
    assert "/notes/" not in page
    assert client.post(f"/customers/{customer.pk}/notes/", {"text": "x"}).status_code == 403
    assert CustomerNote.objects.count() == 1
    writer = client_for("sales")
    assert writer.get(f"/customers/{customer.pk}/notes/").status_code == 405  # POST only
    assert CustomerNote.objects.count() == 1


def test_no_notes_yet_is_said(client_for):
    customer = CustomerFactory()
    page = client_for("sales").get(f"/customers/{customer.pk}/").content.decode()
    assert "No contact notes yet." in page
