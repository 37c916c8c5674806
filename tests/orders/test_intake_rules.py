"""Entry rules that amendments, drafts and the review share: requested dates, the draft
editor's details, the catch-up job for back-orders, separation of duties."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from oms.registry import registry
from orders import services
from orders.choices import ApprovalCondition, OrderStatus
from orders.models import ApprovalRule, Order
from orders.permissions import OrderAction, order_allowed_actions
from orders.services import InvalidTransition
from orders.tasks import offer_stock_to_backorders
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
S = OrderStatus


@pytest.fixture
def people(db):
    return {
        "sales": UserFactory(username="sales-a", role="sales"),
        "manager": UserFactory(username="mgr-a", role="manager"),
        "reviewer": UserFactory(username="rev-a", role="reviewer"),
    }


def today():
    return timezone.localdate()


# ------------------------------------------------------------------ requested delivery date


def test_a_past_requested_date_is_refused_on_create(catalog, people):
    customer = catalog.customer()
    with pytest.raises(ValidationError) as refused:
        catalog.order(
            customer,
            (catalog.product(), 1),
            actor=people["sales"],
            requested_delivery_date=today() - timedelta(days=1),
        )
    assert "requested_delivery_date" in refused.value.message_dict
    assert not Order.objects.exists()
    # Today is fine.
    catalog.order(customer, (catalog.product(), 1), requested_delivery_date=today())


def test_a_draft_edit_refuses_a_new_past_date_but_keeps_an_old_one(catalog, people):
    order = catalog.order(catalog.customer(), (catalog.product(), 1), actor=people["sales"])
    with pytest.raises(ValidationError, match="past"):
        services.order_update_draft(
            actor=people["sales"],
            order=order,
            data={"requested_delivery_date": today() - timedelta(days=3)},
        )
    # A date that has passed since it was entered stays when other details are saved.
    Order.objects.filter(pk=order.pk).update(requested_delivery_date=today() - timedelta(days=2))
    order.refresh_from_db()
    services.order_update_draft(
        actor=people["sales"],
        order=order,
        data={"requested_delivery_date": order.requested_delivery_date, "notes": "call first"},
    )
    order.refresh_from_db()
    assert order.notes == "call first"


def test_an_amendment_keeps_an_existing_past_date(catalog, people):
    product = catalog.product()
    catalog.stock(product, catalog.shanghai, 10)
    order = catalog.order(catalog.customer(), (product, 2), requested_delivery_date=today())
    services.order_submit(actor=people["sales"], order=order)
    Order.objects.filter(pk=order.pk).update(requested_delivery_date=today() - timedelta(days=5))
    services.order_amend(actor=people["sales"], order=order, changes={1: 3})
    order.refresh_from_db()
    assert order.requested_delivery_date == today() - timedelta(days=5)


# ------------------------------------------------------------------ the draft editor


def test_save_details_after_creation(catalog, client_for):
    client = client_for("sales")
    customer = catalog.customer()
    order = catalog.order(customer, (catalog.product(), 1))
    address = customer.addresses.get()
    editor = client.get(f"/orders/{order.number}/edit/")
    assert editor.status_code == 200
    wanted = today() + timedelta(days=7)
    response = client.post(
        f"/orders/{order.number}/edit/details/",
        {
            "shipping_address": address.pk,
            "requested_delivery_date": wanted.isoformat(),
            "notes": "请下午送货",
            "needs_review": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    order.refresh_from_db()
    assert (order.notes, order.requested_delivery_date, order.needs_review) == (
        "请下午送货",
        wanted,
        True,
    )
    # Saved again with only a note changed, as the page posts it.
    response = client.post(
        f"/orders/{order.number}/edit/details/",
        {"shipping_address": address.pk, "notes": "改了", "requested_delivery_date": ""},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.notes == "改了"
    assert order.requested_delivery_date is None


def test_save_details_with_a_past_date_shows_a_field_error(catalog, client_for):
    client = client_for("sales")
    customer = catalog.customer()
    order = catalog.order(customer, (catalog.product(), 1))
    response = client.post(
        f"/orders/{order.number}/edit/details/",
        {
            "shipping_address": customer.addresses.get().pk,
            "requested_delivery_date": (today() - timedelta(days=1)).isoformat(),
            "notes": "x",
        },
    )
    assert response.status_code == 422
    assert "cannot be in the past" in response.content.decode()
    order.refresh_from_db()
    assert order.notes == ""
    assert order.requested_delivery_date is None


def test_the_start_form_refuses_a_past_date(catalog, client_for):
    client = client_for("sales")
    customer = catalog.customer()
    response = client.post(
        "/orders/new/",
        {
            "customer": customer.code,
            "channel": "back_office",
            "requested_delivery_date": (today() - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code in (200, 422)
    assert "cannot be in the past" in response.content.decode()
    assert not Order.objects.exists()


# ------------------------------------------------------------------ back-order catch-up


def test_the_catch_up_job_is_on_beat_every_five_minutes_and_expires():
    job = registry.beat_jobs["backorder-catch-up"]
    assert job.task == "orders.tasks.offer_stock_to_backorders"
    assert job.expires <= 300
    assert job.schedule.minute == set(range(0, 60, 5))


def test_the_catch_up_job_offers_stock_a_lost_task_did_not(
    catalog, people, django_assert_max_num_queries
):
    product = catalog.product()
    order = catalog.order(catalog.customer(), (product, 4))
    services.order_submit(actor=people["sales"], order=order)
    order.refresh_from_db()
    assert order.status == S.BACKORDERED
    with django_assert_max_num_queries(1):
        assert offer_stock_to_backorders() == 0  # nothing free: one query, nothing locked
    # Stock arrives but the task it scheduled is lost (never run in tests: no on_commit).
    catalog.stock(product, catalog.shanghai, 10)
    assert offer_stock_to_backorders() == 1
    order.refresh_from_db()
    assert order.status == S.ALLOCATED
    assert offer_stock_to_backorders() == 0  # idempotent


# ------------------------------------------------------------------ separation of duties


def flag_rule(role="manager"):
    return ApprovalRule.objects.create(
        name="flag", condition=ApprovalCondition.MANUAL_FLAG, required_role=role, level=1
    )


def test_the_creator_cannot_approve_their_own_order(catalog, people):
    flag_rule()
    manager = people["manager"]
    order = catalog.order(
        catalog.customer(), (catalog.product(), 1), actor=manager, needs_review=True
    )
    services.order_submit(actor=manager, order=order)
    order = Order.objects.get(pk=order.pk)
    assert OrderAction.APPROVE not in order_allowed_actions(order, manager)
    with pytest.raises(InvalidTransition, match="another person must approve"):
        services.order_approve(actor=manager, order=order)
    other = UserFactory(username="mgr-b", role="manager")
    assert OrderAction.APPROVE in order_allowed_actions(order, other)
    services.order_approve(actor=other, order=order)


def test_the_last_editor_cannot_approve(catalog, people):
    flag_rule()
    manager = people["manager"]
    order = catalog.order(catalog.customer(), (catalog.product(), 1), needs_review=True)
    services.order_line_update(
        actor=manager, order=order, line_no=1, quantity=2, discount_percent=Decimal("20")
    )
    services.order_submit(actor=people["sales"], order=order)
    with pytest.raises(InvalidTransition, match="another person must approve"):
        services.order_approve(actor=manager, order=order)


def test_self_approval_allowed_by_the_setting(catalog, people, settings):
    settings.OMS_ALLOW_SELF_APPROVAL = True
    flag_rule()
    manager = people["manager"]
    order = catalog.order(
        catalog.customer(), (catalog.product(), 1), actor=manager, needs_review=True
    )
    services.order_submit(actor=manager, order=order)
    services.order_approve(actor=manager, order=order)
    assert Order.objects.get(pk=order.pk).status != S.PENDING_REVIEW


def test_the_order_page_hides_approve_from_its_creator(catalog, client, people):
    flag_rule()
    manager = people["manager"]
    order = catalog.order(
        catalog.customer(), (catalog.product(), 1), actor=manager, needs_review=True
    )
    services.order_submit(actor=manager, order=order)
    client.force_login(manager)
    page = client.get(f"/orders/{order.number}/").content.decode()
    assert f"/orders/{order.number}/approve/" not in page
    response = client.post(f"/orders/{order.number}/approve/", {"note": ""}, follow=True)
    assert "another person must approve" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == S.PENDING_REVIEW


def test_line_additions_are_also_edits(catalog, people):
    flag_rule()
    order = catalog.order(catalog.customer(), (catalog.product(), 1), needs_review=True)
    services.order_line_add(
        actor=people["manager"], order=order, product=catalog.product(), quantity=1
    )
    order.refresh_from_db()
    assert order.last_edited_by == people["manager"]
