"""The communication log (/messages/ and the cards): only the roles that answer customers read
it, a sales user limited to their own customers reads only what those were told (also by
guessing another customer's id), and no parameter makes it fail."""

import pytest

from oms.choices import OutboxStatus
from oms.models import OutboxMessage
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def told(customer, subject):
    return OutboxMessage.objects.create(
        dedupe_key=f"sec:{subject}",
        event_code="order.confirmed",
        recipient_ref=f"customers.customer:{customer.pk}",
        recipients=[customer.phone],
        subject=subject,
        body="…",
        status=OutboxStatus.SENT,
    )


@pytest.fixture
def world(db, settings):
    settings.OMS_SALES_OWN_CUSTOMERS_ONLY = True
    sales1 = UserFactory(username="sales1", role="sales")
    sales2 = UserFactory(username="sales2", role="sales")
    mine = CustomerFactory(salesperson=sales1)
    theirs = CustomerFactory(salesperson=sales2)
    told(mine, "Told mine")
    told(theirs, "Told theirs")
    # A staff digest in the outbox (no customer): never in the customer messages list.
    OutboxMessage.objects.create(dedupe_key="digest", subject="Low stock digest", body="…")
    return {"sales1": sales1, "mine": mine, "theirs": theirs}


def test_a_sales_user_reads_only_their_own_customers_messages(client, world):
    client.force_login(world["sales1"])
    html = client.get("/messages/").content.decode()
    assert "Told mine" in html
    assert "Told theirs" not in html
    assert "Low stock digest" not in html
    guessed = client.get(f"/messages/?customer={world['theirs'].pk}").content.decode()
    assert "Told theirs" not in guessed
    response = client.get("/messages/?export=csv")
    exported = b"".join(response.streaming_content).decode()
    assert "Told mine" in exported
    assert "Told theirs" not in exported
    # The other customer's page (and so its card) does not exist for this user.
    assert client.get(f"/customers/{world['theirs'].pk}/").status_code == 404


def test_a_manager_reads_every_customers_messages(client, world):
    client.force_login(UserFactory(username="boss", role="manager"))
    html = client.get("/messages/").content.decode()
    assert "Told mine" in html
    assert "Told theirs" in html
    assert "Low stock digest" not in html


@pytest.mark.parametrize("role", ["warehouse", "finance", "logistics", "reviewer"])
def test_roles_that_do_not_answer_customers_are_refused(client, world, role):
    client.force_login(UserFactory(username=f"no-{role}", role=role))
    assert client.get("/messages/").status_code == 403
    assert client.get("/messages/?export=csv").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get("/messages/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    "query",
    [
        "customer=abc",
        "customer=1e400",
        "customer=-5",
        "customer=99999999999999999999999999",
        "customer=1.5",
        "customer=NaN",
        "order=inf",
        "order=0",
        "status=bogus",
        "channel=<script>",
        "event_code=' OR 1=1 --",
        "created_from=2026-13-45",
        "created_until=99999-01-01",
        "page=abc",
        "page=-1",
        "sort=last_error;drop",
        "per_page=100000000",
    ],
)
def test_bad_parameters_answer_without_an_error(client, world, query):
    client.force_login(UserFactory(username="cs", role="customer_service"))
    response = client.get(f"/messages/?{query}")
    assert response.status_code == 200, query
    assert "Told theirs" not in response.content.decode() or "customer=" not in query
