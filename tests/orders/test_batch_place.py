"""order_place_batch: the same orders as order_place one by one, with one INSERT per table for
the whole batch; a refused order fails alone; confirmed orders are allocated after commit."""

from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from inventory.models import StockLevel
from oms.models import AuditLog, OutboxMessage
from oms.tasks import deliver_outbox_message, enqueue_on_commit
from oms.together import together
from orders.choices import ApprovalReason, ChannelCode, OrderStatus
from orders.models import ApprovalRule, Order, OrderEvent, OrderLine
from orders.services import LineRequest, order_place
from orders.services.batch_place import PlaceRequest, order_place_batch
from tests.factories import AddressFactory, CustomerFactory

D = Decimal
S = OrderStatus


def sent_lines(*pairs):
    return [
        LineRequest(product, quantity, D("5"), unit_price=D("19.90"), tax_rate=D("0.13"))
        for product, quantity in pairs
    ]


def request(customer, lines, reference, channel=ChannelCode.IMPORT, **header):
    return PlaceRequest(
        customer, lines, {"channel": channel, "external_reference": reference, **header}
    )


@pytest.fixture
def rules(db):
    ApprovalRule.objects.all().delete()
    ApprovalRule.objects.create(
        name="New", condition="new_customer", required_role="manager", level=1
    )
    ApprovalRule.objects.create(
        name="Credit", condition="credit_exceeded", required_role="finance", level=1
    )


PLACED = {S.DRAFT, S.CONFIRMED, S.PENDING_REVIEW}


def shape(order: Order):
    """What placing decided about an order, without its keys, numbers and times, and up to
    its confirmation (order_place allocates at once, a batch after commit)."""
    return (
        S.CONFIRMED if order.status in (S.ALLOCATED, S.BACKORDERED) else order.status,
        order.total,
        order.tax_total,
        order.review_round,
        order.priority_score,
        order.public_token is not None,
        sorted(
            (line.line_no, line.product_id, line.quantity, line.net_amount, line.tax_amount)
            for line in order.lines.all()
        ),
        sorted((a.required_role, a.level, str(a.reasons)) for a in order.approvals.all()),
        [
            (e.kind, e.from_status, e.to_status, e.message)
            for e in order.events.order_by("pk")
            if e.to_status in PLACED
        ],
    )


def test_a_batch_places_what_order_place_places_one_by_one(catalog, rules):
    lamp = catalog.product("100.00", sku="LAMP-B")
    catalog.stock(lamp, catalog.shanghai, 1000)
    regular = catalog.customer(code="C-REG", credit_limit=D("100000.00"))
    catalog.order(regular, (lamp, 1))  # a draft does not count as an earlier order
    Order.objects.filter(customer=regular).update(status=S.DELIVERED)
    tight = catalog.customer(code="C-TIGHT", credit_limit=D("300.00"))
    Order.objects.create(  # an earlier order: not a new customer, 100 of the limit used
        customer=tight, status=S.CONFIRMED, total=D("100.00"), channel_id=ChannelCode.IMPORT
    )
    newcomer = catalog.customer(code="C-NEW")

    def requests(prefix):
        return [
            request(regular, sent_lines((lamp, 2)), f"{prefix}-1"),
            request(tight, sent_lines((lamp, 5)), f"{prefix}-2"),  # 94.53: within the limit
            request(tight, sent_lines((lamp, 5)), f"{prefix}-3"),  # with the one before: over
            request(newcomer, sent_lines((lamp, 1)), f"{prefix}-4"),
            # The first in review is an order: the customer is new no more.
            request(newcomer, sent_lines((lamp, 1)), f"{prefix}-5"),
        ]

    with transaction.atomic():
        expected = [
            shape(order_place(actor=None, customer=r.customer, lines=r.lines, **r.header))
            for r in requests("ONE")
        ]
        transaction.set_rollback(True)

    results = order_place_batch(actor=None, requests=requests("BATCH"))
    assert all(r.created and r.error is None for r in results)
    assert [shape(r.order) for r in results] == expected
    statuses = [r.order.status for r in results]
    # Placed but not yet allocated: that happens after commit.
    assert statuses == [
        S.CONFIRMED,
        S.CONFIRMED,
        S.PENDING_REVIEW,
        S.PENDING_REVIEW,
        S.CONFIRMED,
    ]
    reasons = [a.reasons[0]["code"] for a in results[2].order.approvals.all()]
    assert reasons == [ApprovalReason.CREDIT_EXCEEDED]
    assert [a.reasons[0]["code"] for a in results[3].order.approvals.all()] == [
        ApprovalReason.NEW_CUSTOMER
    ]


def test_a_refused_order_fails_alone_and_references_are_kept(catalog):
    lamp = catalog.product("100.00", sku="LAMP-C")
    old = catalog.product("100.00", sku="OLD-1", is_active=False)
    customer = catalog.customer(code="C-1")
    first = order_place_batch(
        actor=None, requests=[request(customer, sent_lines((lamp, 1)), "R-1")]
    )
    before = (Order.objects.count(), OrderEvent.objects.count(), AuditLog.objects.count())

    results = order_place_batch(
        actor=None,
        requests=[
            request(customer, sent_lines((lamp, 1)), "R-1"),  # placed before
            request(customer, sent_lines((lamp, 1), (old, 1)), "R-2"),  # inactive product
            request(customer, sent_lines((lamp, 3)), "R-3"),
            request(customer, sent_lines((lamp, 9)), "R-3"),  # the same order sent twice
            request(CustomerFactory(code="C-NOADDR"), sent_lines((lamp, 1)), "R-4"),
        ],
    )
    assert (results[0].order, results[0].created) == (first[0].order, False)
    assert results[1].order is None
    assert "OLD-1" in str(results[1].error)
    assert results[2].created
    assert results[2].order.lines.get().quantity == 3
    assert (results[3].order, results[3].created) == (results[2].order, False)
    assert "shipping_address" in results[4].error.message_dict
    assert Order.objects.count() == before[0] + 1
    assert not Order.objects.filter(external_reference__in=["R-2", "R-4"]).exists()


def test_back_office_references_twice_in_a_batch_are_refused(catalog):
    lamp = catalog.product("100.00", sku="LAMP-D")
    customer = catalog.customer(code="C-2")
    lines = [LineRequest(lamp, 1)]
    results = order_place_batch(
        actor=None,
        requests=[
            request(customer, lines, "PO-7", channel=ChannelCode.BACK_OFFICE),
            request(customer, lines, "PO-7", channel=ChannelCode.BACK_OFFICE),
        ],
    )
    assert results[0].created
    assert "PO-7" in results[1].error.message_dict["external_reference"][0]


def inserts(queries, table):
    """INSERT or COPY statements into the table (oms.db.insert_rows)."""
    return sum(
        1 for q in queries if q["sql"].startswith((f'INSERT INTO "{table}"', f'COPY "{table}"'))
    )


@pytest.mark.parametrize("size", [10, 40])
def test_one_insert_per_table_whatever_the_batch_size(catalog, size):
    ApprovalRule.objects.all().delete()
    lamp = catalog.product("100.00", sku="LAMP-E")
    customers = [catalog.customer(code=f"C-Q{n}", email=f"q{n}@example.com") for n in range(size)]
    requests = [
        request(customers[n], sent_lines((lamp, 1), (lamp, 2)), f"Q-{n}") for n in range(size)
    ]
    with CaptureQueriesContext(connection) as queries:
        results = order_place_batch(actor=None, requests=requests)
    assert all(r.created for r in results)
    for table in (
        "orders_order",
        "orders_orderline",
        "orders_orderevent",
        "oms_outboxmessage",
        "oms_auditlog",  # the customer links the confirmation messages carry
    ):
        assert inserts(queries.captured_queries, table) == 1, table
    assert OutboxMessage.objects.filter(event_code="order.confirmed").count() == size
    assert AuditLog.objects.filter(action="order.customer_link_create").count() == size
    # The statements do not grow with the batch.
    assert len(queries) <= 20
    # Written as they were placed, whether by INSERT or (40 orders) by COPY.
    for result in results:
        stored = Order.objects.get(pk=result.order.pk)
        for field in Order._meta.concrete_fields:
            assert getattr(stored, field.attname) == getattr(result.order, field.attname), field
    lines = OrderLine.objects.filter(order__in=[r.order for r in results])
    assert sorted(lines.values_list("line_no", "quantity", "net_amount")) == sorted(
        [(1, 1, D("18.91")), (2, 2, D("37.81"))] * size
    )


def test_confirmed_orders_are_allocated_run_hooks(catalog, run_hooks):
    ApprovalRule.objects.all().delete()
    lamp = catalog.product("100.00", sku="LAMP-F")
    catalog.stock(lamp, catalog.shanghai, 10)
    customer = catalog.customer(code="C-ALLOC")
    with run_hooks(), transaction.atomic():
        results = order_place_batch(
            actor=None,
            requests=[request(customer, sent_lines((lamp, 4)), f"A-{n}") for n in range(3)],
        )
        assert {r.order.status for r in results} == {S.CONFIRMED}
    statuses = [Order.objects.get(pk=r.order.pk).status for r in results]
    assert statuses == [S.ALLOCATED, S.ALLOCATED, S.BACKORDERED]  # 10 units: 4 + 4, then short
    assert StockLevel.objects.get(product=lamp).reserved == 10


def test_tasks_of_a_block_run_run_hooks_and_not_when_rolled_back(db, run_hooks):
    customer = CustomerFactory(email="buyer@example.com")
    AddressFactory(customer=customer)
    rows = [
        OutboxMessage.objects.create(
            dedupe_key=f"t-{n}",
            event_code="order_confirmed",
            recipient_ref=f"customers.customer:{customer.pk}",
            recipients=["buyer@example.com"],
            subject=f"Message {n}",
            body="Hello",
        )
        for n in range(3)
    ]
    with run_hooks(), transaction.atomic(), together():
        enqueue_on_commit(deliver_outbox_message, rows[0].pk)
        enqueue_on_commit(deliver_outbox_message, rows[1].pk)
        try:
            with transaction.atomic():
                enqueue_on_commit(deliver_outbox_message, rows[2].pk)
                raise ValueError
        except ValueError:
            pass
        assert not mail.outbox  # nothing before commit
    assert sorted(m.subject for m in mail.outbox) == ["Message 0", "Message 1"]


def test_update_rows_writes_each_rows_own_values_in_one_statement(db):
    """oms.db.update_rows: one UPDATE for many rows with values of their own; auto_now fields
    take the time now; one row goes through save()."""
    from django.utils import timezone

    from oms.db import update_rows
    from tests.helpers import queries_of

    customer = CustomerFactory()
    orders = [
        Order.objects.create(number=f"UR-{n}", customer=customer, status="in_transit")
        for n in range(3)
    ]
    before = timezone.now()
    for n, order in enumerate(orders):
        order.status = "delivered"
        order.public_token = f"token-{n}" if n else None
    queries = queries_of(
        lambda: update_rows(Order, orders, ["status", "public_token", "updated_at"])
    )
    assert len(queries.statements) == 1
    fresh = {o.number: o for o in Order.objects.filter(number__startswith="UR-")}
    assert [(fresh[f"UR-{n}"].status, fresh[f"UR-{n}"].public_token) for n in range(3)] == [
        ("delivered", None),
        ("delivered", "token-1"),
        ("delivered", "token-2"),
    ]
    assert all(o.updated_at >= before for o in fresh.values())
    orders[0].status = "completed"
    queries = queries_of(lambda: update_rows(Order, orders[:1], ["status"]))
    assert len(queries.statements) == 1
    assert Order.objects.get(number="UR-0").status == "completed"
