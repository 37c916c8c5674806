"""Who may see, issue and correct invoices: finance issues and credits; sales see only their
own customers' documents (OMS_SALES_OWN_CUSTOMERS_ONLY) and change nothing; the warehouse sees
none. Another user's invoice is a 404, as if it did not exist."""

from decimal import Decimal

import pytest

from billing import services
from billing.models import CreditNote, Invoice
from orders import services as order_services
from tests.billing.conftest import Billing, taxpayer_id
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def documents(db):
    """Two sales users, each with an invoiced customer; the second invoice has a credit note."""
    billing = Billing()
    lamp = billing.product("88.00")
    billing.stock(lamp, billing.shanghai, 10)
    mine, theirs = (
        UserFactory(username="sales-a", role="sales"),
        UserFactory(username="sales-b", role="sales"),
    )
    made = []
    for seed, salesperson in ((1, mine), (2, theirs)):
        customer = billing.customer(
            kind="business",
            payment_terms="prepaid",
            taxpayer_id=taxpayer_id(seed),
            salesperson=salesperson,
            credit_limit=Decimal(100000),
        )
        order = order_services.order_submit(actor=None, order=billing.order(customer, (lamp, 2)))
        [invoice] = services.order_bill(order_id=order.pk)
        made.append(invoice)
    note = services.credit_note_create(
        actor=None, invoice=made[1], quantities={1: 1}, note="broken"
    )
    return {"mine": made[0], "theirs": made[1], "note": note, "sales": mine}


def test_sales_see_only_their_own_customers_invoices(client, settings, documents):
    settings.OMS_SALES_OWN_CUSTOMERS_ONLY = True
    client.force_login(documents["sales"])
    mine, theirs, note = documents["mine"], documents["theirs"], documents["note"]
    assert client.get(f"/invoices/{mine.pk}/").status_code == 200
    for url in (
        f"/invoices/{theirs.pk}/",
        f"/invoices/{theirs.pk}/print/",
        f"/invoices/{theirs.pk}/print/?format=pdf",
        f"/credit-notes/{note.pk}/",
        f"/credit-notes/{note.pk}/print/",
    ):
        assert client.get(url).status_code == 404, url
    listing = client.get("/invoices/").content.decode()
    assert mine.number in listing
    assert theirs.number not in listing
    export = b"".join(client.get("/invoices/?export=csv").streaming_content).decode()
    assert mine.number in export
    assert theirs.number not in export
    assert note.number not in client.get("/credit-notes/").content.decode()
    order_page = client.get(mine.order.get_absolute_url()).content.decode()
    assert mine.number in order_page  # the chain on the order page


def test_only_finance_issues_and_credits(client_for, documents):
    invoice = documents["mine"]
    for role in ("sales", "warehouse", "manager", "customer_service"):
        client = client_for(role)
        assert (
            client.post(f"/invoices/{invoice.pk}/credit/", {"note": "x", "line_1": 1}).status_code
            == 403
        )
        assert client.post(f"/invoices/{invoice.pk}/issue/").status_code == 403
    assert client_for("warehouse").get("/invoices/").status_code == 403
    assert CreditNote.objects.filter(invoice=invoice).count() == 0
    finance = client_for("finance")
    response = finance.post(f"/invoices/{invoice.pk}/credit/", {"note": "one broken", "line_1": 1})
    assert response.status_code == 302
    assert CreditNote.objects.filter(invoice=invoice).count() == 1


def test_crediting_more_than_is_open_is_refused_with_a_message(client_for, documents):
    invoice = documents["mine"]
    finance = client_for("finance")
    response = finance.post(f"/invoices/{invoice.pk}/credit/", {"note": "too many", "line_1": 99})
    assert response.status_code == 422
    assert CreditNote.objects.filter(invoice=invoice).count() == 0
    response = finance.post(f"/invoices/{invoice.pk}/credit/", {"note": "nothing", "line_1": 0})
    assert response.status_code == 422
    assert "must credit something" in response.content.decode()


def test_issuing_an_issued_invoice_changes_nothing(client_for, documents):
    invoice = documents["mine"]
    response = client_for("finance").post(f"/invoices/{invoice.pk}/issue/", follow=True)
    assert "never changes" in response.content.decode()
    assert Invoice.objects.get(pk=invoice.pk).number == invoice.number
