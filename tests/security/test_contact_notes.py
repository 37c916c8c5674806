"""Contact notes: hostile text is stored as written and shown escaped; a note cannot be put
on a customer the user may not see; a bad customer id is a 404."""

import pytest

from customers.models import CustomerNote
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> {{ 7|add:7 }} {% now "Y" %}'


def test_hostile_note_text_is_escaped_on_the_page(client_for):
    client = client_for("sales")
    customer = CustomerFactory()
    client.post(f"/customers/{customer.pk}/notes/", {"text": HOSTILE})
    assert CustomerNote.objects.get().text == HOSTILE  # kept as written
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "{{ 7|add:7 }}" in page  # not rendered as a template


def test_no_note_on_another_salespersons_customer(client, settings):
    settings.OMS_SALES_OWN_CUSTOMERS_ONLY = True
    me = UserFactory(username="sales1", role="sales")
    theirs = CustomerFactory(salesperson=UserFactory(username="sales2", role="sales"))
    client.force_login(me)
    response = client.post(f"/customers/{theirs.pk}/notes/", {"text": "sneaky"})
    assert response.status_code == 404
    assert client.get(f"/customers/{theirs.pk}/").status_code == 404
    assert not CustomerNote.objects.exists()


@pytest.mark.parametrize("pk", ["0", "999999999", "99999999999999999999"])
def test_a_note_on_a_customer_that_does_not_exist_is_a_404(client_for, pk):
    client = client_for("sales")
    assert client.post(f"/customers/{pk}/notes/", {"text": "x"}).status_code == 404
    assert not CustomerNote.objects.exists()
