from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from inventory.models import StockLevel
from oms.errors import ServiceError
from orders import services
from orders.choices import ORDER_TRANSITIONS, ApprovalCondition, EventKind, OrderStatus
from orders.models import Allocation, Approval, ApprovalRule, Order, OrderEvent
from orders.services import InvalidTransition, LineRequest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
S = OrderStatus


@pytest.fixture
def people(db):
    return {
        "sales": UserFactory(username="sales-a", role="sales"),
        "reviewer": UserFactory(username="rev-a", role="reviewer"),
        "reviewer2": UserFactory(username="rev-b", role="reviewer"),
        "manager": UserFactory(username="mgr-a", role="manager"),
        "finance": UserFactory(username="fin-a", role="finance"),
    }


def reserved(product, warehouse) -> int:
    return StockLevel.objects.get(product=product, warehouse=warehouse).reserved


# ------------------------------------------------------------------ transitions


@pytest.mark.parametrize("source", list(S))
@pytest.mark.parametrize("target", list(S))
def test_every_status_pair_follows_the_table(catalog, source, target):
    """Allowed pairs pass order_transition; every other pair raises InvalidTransition."""
    product = catalog.product()
    order = catalog.order(catalog.customer(), (product, 1))
    Order.objects.filter(pk=order.pk).update(status=source)
    order.refresh_from_db()
    with transaction.atomic():
        if target in ORDER_TRANSITIONS[source]:
            services.order_transition(order=order, to_status=target)
            assert Order.objects.get(pk=order.pk).status == target
            event = OrderEvent.objects.filter(order=order, kind=EventKind.STATUS).last()
            assert (event.from_status, event.to_status) == (source, target)
        else:
            with pytest.raises(InvalidTransition):
                services.order_transition(order=order, to_status=target)
            assert Order.objects.get(pk=order.pk).status == source


def test_every_status_has_a_row_and_cancelled_is_final():
    assert set(ORDER_TRANSITIONS) == set(S.values)
    assert ORDER_TRANSITIONS[S.CANCELLED] == frozenset()
    for targets in ORDER_TRANSITIONS.values():
        assert targets <= set(S.values)


def test_transitions_are_blocked_while_on_hold_except_cancel(catalog, people):
    order = catalog.order(catalog.customer(), (catalog.product(), 1))
    services.order_hold(actor=people["sales"], order=order, reason="customer asked to wait")
    with pytest.raises(InvalidTransition, match="on hold"):
        services.order_submit(actor=people["sales"], order=order)
    services.order_resume(actor=people["sales"], order=order)
    services.order_submit(actor=people["sales"], order=order)
    kinds = list(OrderEvent.objects.filter(order=order).values_list("kind", flat=True))
    assert kinds[:4] == ["created", "held", "resumed", "status"]


# ------------------------------------------------------------------ entry and bad input


def test_create_prices_and_copies_the_address(catalog, people):
    product = catalog.product("113.00")
    customer = catalog.customer(region="JS")
    order = catalog.order(customer, (product, 2), actor=people["sales"], notes="急")
    assert order.number.startswith("SO-")
    assert order.status == S.DRAFT
    assert (order.subtotal, order.tax_total, order.total) == (
        Decimal("200.00"),
        Decimal("26.00"),
        Decimal("226.00"),
    )
    assert order.ship_region == "JS"
    assert order.ship_street == customer.addresses.get().street
    assert order.payment_terms == customer.payment_terms
    assert order.created_by == people["sales"]
    customer.addresses.update(street="changed later")
    order.refresh_from_db()
    assert order.ship_street != "changed later"


def test_same_channel_reference_returns_the_first_order(catalog):
    customer, product = catalog.customer(), catalog.product()
    first = catalog.order(customer, (product, 1), channel="web_shop", external_reference="T-1001")
    again = catalog.order(customer, (product, 5), channel="web_shop", external_reference="T-1001")
    assert again.pk == first.pk
    assert Order.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.create(
            number="SO-X",
            customer=customer,
            channel_id="web_shop",
            external_reference="T-1001",
            payment_terms="prepaid",
            ship_recipient="x",
            ship_phone="1",
            ship_region="SH",
            ship_city="x",
            ship_street="x",
        )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"quantity": 0}, "at least 1"),
        ({"quantity": -2}, "at least 1"),
        ({"quantity": 2_000_000}, "at most"),
        ({"discount_percent": Decimal("15")}, "at most 10% discount"),
        ({"discount_percent": Decimal("-1")}, "between 0 and 100"),
        ({"inactive": True}, "inactive"),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_written(catalog, people, line, message):
    product = catalog.product(is_active=not line.pop("inactive", False))
    request = LineRequest(
        product, line.get("quantity", 1), line.get("discount_percent", Decimal(0))
    )
    with pytest.raises(ValidationError, match=message):
        services.order_create(actor=people["sales"], customer=catalog.customer(), lines=[request])
    assert not Order.objects.exists()


def test_manager_may_give_a_larger_discount(catalog, people):
    product = catalog.product("100.00")
    order = services.order_create(
        actor=people["manager"],
        customer=catalog.customer(),
        lines=[LineRequest(product, 1, Decimal("25"))],
    )
    assert order.total == Decimal("75.00")


@pytest.mark.parametrize("problem", ["inactive", "credit_hold"])
def test_no_orders_for_inactive_or_credit_held_customers(catalog, people, problem):
    customer = catalog.customer(
        **{"is_active": False} if problem == "inactive" else {"credit_hold": True}
    )
    with pytest.raises(ValidationError) as error:
        catalog.order(customer, (catalog.product(), 1), actor=people["sales"])
    assert ("inactive" if problem == "inactive" else "credit hold") in str(error.value)
    assert not Order.objects.exists()


def test_customer_without_address_gets_a_clear_message(catalog):
    from tests.factories import CustomerFactory

    with pytest.raises(ValidationError, match="no shipping address"):
        catalog.order(CustomerFactory(), (catalog.product(), 1))


def test_missing_price_is_reported(catalog):
    from tests.factories import ProductFactory

    with pytest.raises(Exception, match="has no price for"):
        catalog.order(catalog.customer(), (ProductFactory(sku="NOPRICE-1"), 1))
    assert not Order.objects.exists()


def test_draft_lines_can_be_added_changed_and_removed(catalog, people):
    a, b = catalog.product("10.00"), catalog.product("20.00")
    order = catalog.order(catalog.customer(), (a, 1), actor=people["sales"])
    services.order_line_add(actor=people["sales"], order=order, product=b, quantity=2)
    services.order_line_update(
        actor=people["sales"], order=order, line_no=1, quantity=3, discount_percent=Decimal(10)
    )
    order.refresh_from_db()
    assert order.total == Decimal("67.00")  # 3 × 10 − 10% + 2 × 20
    services.order_line_remove(actor=people["sales"], order=order, line_no=2)
    order.refresh_from_db()
    assert order.total == Decimal("27.00")
    with pytest.raises(ServiceError, match="no line 9"):
        services.order_line_update(
            actor=people["sales"], order=order, line_no=9, quantity=1, discount_percent=Decimal(0)
        )


def test_empty_draft_cannot_be_submitted(catalog, people):
    order = catalog.order(catalog.customer(), (catalog.product(), 1))
    services.order_line_remove(actor=people["sales"], order=order, line_no=1)
    with pytest.raises(InvalidTransition, match="at least one line"):
        services.order_submit(actor=people["sales"], order=order)
    assert Order.objects.get().status == S.DRAFT


# ------------------------------------------------------------------ review


def rule(condition, role="reviewer", level=1, threshold=None):
    return ApprovalRule.objects.create(
        name=condition, condition=condition, required_role=role, level=level, threshold=threshold
    )


def test_no_rule_confirms_at_once(catalog, people):
    product = catalog.product()
    catalog.stock(product, catalog.shanghai, 5)
    order = catalog.order(catalog.customer(), (product, 2))
    services.order_submit(actor=people["sales"], order=order)
    order.refresh_from_db()
    assert order.status == S.ALLOCATED
    assert order.confirmed_at is not None
    statuses = list(
        OrderEvent.objects.filter(order=order, kind="status").values_list("to_status", flat=True)
    )
    assert statuses == [S.CONFIRMED, S.ALLOCATED]


def test_two_levels_of_approval_then_allocation(catalog, people):
    rule(ApprovalCondition.AMOUNT_AT_LEAST, threshold=Decimal("500"), level=1)
    rule(ApprovalCondition.AMOUNT_AT_LEAST, role="manager", threshold=Decimal("1000"), level=2)
    product = catalog.product("600.00")
    catalog.stock(product, catalog.shanghai, 5)
    order = catalog.order(catalog.customer(), (product, 2))
    services.order_submit(actor=people["sales"], order=order)
    order.refresh_from_db()
    assert order.status == S.PENDING_REVIEW
    assert list(order.approvals.values_list("level", "required_role")) == [
        (1, "reviewer"),
        (2, "manager"),
    ]
    with pytest.raises(ServiceError, match="Nothing on this order waits for your approval"):
        services.order_approve(actor=people["manager"], order=order)  # level 1 decides first
    services.order_approve(actor=people["reviewer"], order=order, note="ok")
    assert Order.objects.get(pk=order.pk).status == S.PENDING_REVIEW
    services.order_approve(actor=people["manager"], order=order)
    order.refresh_from_db()
    assert order.status == S.ALLOCATED
    assert reserved(product, catalog.shanghai) == 2


def test_the_same_person_cannot_approve_twice(catalog, people):
    rule(ApprovalCondition.AMOUNT_AT_LEAST, role="reviewer", threshold=Decimal("1"), level=1)
    rule(ApprovalCondition.MANUAL_FLAG, role="manager", level=2)
    both = UserFactory(username="both", role="reviewer")
    both.groups.add(*UserFactory(username="x", role="manager").groups.all())
    order = catalog.order(catalog.customer(), (catalog.product(), 1), needs_review=True)
    services.order_submit(actor=people["sales"], order=order)
    services.order_approve(actor=both, order=order)
    with pytest.raises(ServiceError, match="already decided"):
        services.order_approve(actor=both, order=order)
    assert Approval.objects.filter(decision="pending").count() == 1


def test_rejection_returns_the_order_to_draft_with_the_reason(catalog, people):
    rule(ApprovalCondition.MANUAL_FLAG)
    order = catalog.order(catalog.customer(), (catalog.product(), 1), needs_review=True)
    services.order_submit(actor=people["sales"], order=order)
    with pytest.raises(ValidationError):
        services.order_reject(actor=people["reviewer"], order=order, note="  ")
    services.order_reject(actor=people["reviewer"], order=order, note="价格太低")
    order.refresh_from_db()
    assert order.status == S.DRAFT
    event = OrderEvent.objects.filter(order=order, kind="rejected").get()
    assert event.note == "价格太低"
    assert event.actor == people["reviewer"]
    # Submitting again opens a new round.
    services.order_submit(actor=people["sales"], order=order)
    assert Order.objects.get(pk=order.pk).review_round == 2


def test_made_to_order_and_new_customer_rules(catalog, people):
    rule(ApprovalCondition.MADE_TO_ORDER, role="manager")
    rule(ApprovalCondition.NEW_CUSTOMER, role="reviewer")
    customer = catalog.customer()
    first = catalog.order(customer, (catalog.product(made_to_order=True), 1))
    services.order_submit(actor=people["sales"], order=first)
    assert set(Approval.objects.values_list("required_role", flat=True)) == {"manager", "reviewer"}


def test_credit_check_counts_open_orders(catalog, people):
    rule(ApprovalCondition.CREDIT_EXCEEDED, role="finance")
    customer = catalog.customer(payment_terms="net_30", credit_limit=Decimal("1000.00"))
    product = catalog.product("400.00")
    catalog.stock(product, catalog.shanghai, 10)
    first = catalog.order(customer, (product, 2))  # 800: within the limit
    services.order_submit(actor=people["sales"], order=first)
    assert Order.objects.get(pk=first.pk).status == S.ALLOCATED
    second = catalog.order(customer, (product, 1))  # 800 open + 400 > 1000
    services.order_submit(actor=people["sales"], order=second)
    second.refresh_from_db()
    assert second.status == S.PENDING_REVIEW
    approval = second.approvals.get()
    assert approval.reasons == [
        {"code": "credit_exceeded", "params": {"limit": "1000.00", "exposure": "1200.00"}}
    ]
    assert "credit limit" in approval.reason_text().lower()
    prepaid = catalog.customer(payment_terms="prepaid", credit_limit=Decimal(0))
    third = catalog.order(prepaid, (product, 1))
    services.order_submit(actor=people["sales"], order=third)
    assert Order.objects.get(pk=third.pk).status == S.ALLOCATED  # no credit used


# ------------------------------------------------------------------ hold, cancel, amend


def test_cancel_releases_every_reservation(catalog, people):
    product = catalog.product()
    catalog.stock(product, catalog.shanghai, 3)
    catalog.stock(product, catalog.guangzhou, 3)
    order = catalog.order(catalog.customer(), (product, 5))
    services.order_submit(actor=people["sales"], order=order)
    assert reserved(product, catalog.shanghai) + reserved(product, catalog.guangzhou) == 5
    with pytest.raises(ValidationError):
        services.order_cancel(actor=people["sales"], order=order, reason="")
    services.order_cancel(actor=people["sales"], order=order, reason="客户取消")
    order.refresh_from_db()
    assert order.status == S.CANCELLED
    assert order.cancel_reason == "客户取消"
    assert reserved(product, catalog.shanghai) == reserved(product, catalog.guangzhou) == 0
    assert not Allocation.objects.exists()
    with pytest.raises(InvalidTransition):
        services.order_cancel(actor=people["sales"], order=order, reason="again")


def test_amend_reallocates_only_the_difference_and_records_a_diff(catalog, people):
    a, b, c = catalog.product("10.00"), catalog.product("20.00"), catalog.product("30.00")
    for product in (a, b, c):
        catalog.stock(product, catalog.shanghai, 10)
    order = catalog.order(catalog.customer(), (a, 4), (b, 2))
    services.order_submit(actor=people["sales"], order=order)
    allocation_ids = set(Allocation.objects.values_list("pk", flat=True))
    services.order_amend(
        actor=people["sales"],
        order=order,
        changes={1: 6, 2: 0},
        additions=[LineRequest(c, 1)],
        note="客户加单",
    )
    order.refresh_from_db()
    assert order.status == S.ALLOCATED
    assert (
        reserved(a, catalog.shanghai),
        reserved(b, catalog.shanghai),
        reserved(c, catalog.shanghai),
    ) == (6, 0, 1)
    assert order.total == Decimal("90.00")
    event = OrderEvent.objects.get(order=order, kind="amended")
    assert event.data["lines"] == [
        {"line": 1, "sku": a.sku, "from": 4, "to": 6},
        {"line": 2, "sku": b.sku, "from": 2, "to": 0},
        {"line": 3, "sku": c.sku, "from": 0, "to": 1},
    ]
    assert event.data["total"] == ["80.00", "90.00"]
    assert Allocation.objects.filter(
        pk__in=allocation_ids
    ).exists()  # the first allocation was kept


def test_amendment_that_now_needs_review_goes_back_to_the_reviewers(catalog, people):
    rule(ApprovalCondition.AMOUNT_AT_LEAST, threshold=Decimal("1000"))
    product = catalog.product("100.00")
    catalog.stock(product, catalog.shanghai, 50)
    order = catalog.order(catalog.customer(), (product, 2))
    services.order_submit(actor=people["sales"], order=order)
    services.order_amend(actor=people["sales"], order=order, changes={1: 20})
    order.refresh_from_db()
    assert order.status == S.PENDING_REVIEW
    services.order_approve(actor=people["reviewer"], order=order)
    order.refresh_from_db()
    assert order.status == S.ALLOCATED
    assert reserved(product, catalog.shanghai) == 20


def test_amendment_after_picking_started_is_refused(catalog, people):
    product = catalog.product()
    catalog.stock(product, catalog.shanghai, 5)
    order = catalog.order(catalog.customer(), (product, 2))
    services.order_submit(actor=people["sales"], order=order)
    warehouse = UserFactory(username="wh", role="warehouse")
    services.order_start_picking(actor=warehouse, order=order)
    with pytest.raises(ServiceError, match="picking has not started"):
        services.order_amend(actor=people["sales"], order=order, changes={1: 3})
    assert reserved(product, catalog.shanghai) == 2


def test_priority_has_reasons_and_boost(catalog, people, today):
    from datetime import timedelta

    customer = catalog.customer(tier="gold")
    order = catalog.order(
        customer, (catalog.product("5000.00"), 1), requested_delivery_date=today + timedelta(days=1)
    )
    factors = {r["factor"]: r["points"] for r in order.priority_reasons}
    assert factors == {"tier": 20, "due": 30, "amount": 5}
    assert order.priority_score == 55
    services.order_boost(actor=people["manager"], order=order, boost=10, note="VIP")
    order.refresh_from_db()
    assert order.priority_score == 65
    with pytest.raises(ValidationError):
        services.order_boost(actor=people["manager"], order=order, boost=500)


def test_refresh_priorities_raises_urgency_as_days_pass(catalog, people, today):
    from datetime import timedelta

    product = catalog.product()
    catalog.stock(product, catalog.shanghai, 5)
    order = catalog.order(
        catalog.customer(), (product, 1), requested_delivery_date=today + timedelta(days=10)
    )
    services.order_submit(actor=people["sales"], order=order)
    assert Order.objects.get(pk=order.pk).priority_score == 0
    assert services.refresh_priorities(today=today + timedelta(days=9)) == 1
    assert Order.objects.get(pk=order.pk).priority_score == 30
