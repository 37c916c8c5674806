"""oms.db's paths around the ORM for hot services: new_row builds what Model(**values)
builds, insert_rows' COPY writes JSON and keys as INSERT would, and a row read by hand-written
SQL (lock_row, model_columns) is the instance the ORM reads."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from customers.models import Address
from oms.db import (
    COPY_FROM,
    insert_row,
    insert_rows,
    lock_row,
    model_columns,
    new_row,
    select_rows,
)
from oms.models import AuditLog, OutboxMessage
from tests.factories import AddressFactory, CustomerFactory, UserFactory


def state(obj) -> tuple[dict, dict, bool]:
    values = {k: v for k, v in obj.__dict__.items() if k != "_state"}
    return values, dict(obj._state.fields_cache), obj._state.adding


@pytest.mark.django_db
def test_new_row_is_what_the_constructor_makes():
    user = UserFactory(username="maker")
    for values in (
        {"actor": user, "action": "x.y", "object_type": "a.b", "object_id": "1"},
        {"actor": None, "action": "x.y", "changes": {"名称": ["旧", "新"]}},
        {"actor_id": user.pk, "action": "x.y"},
    ):
        assert state(new_row(AuditLog, **values)) == state(AuditLog(**values))
    message = {"dedupe_key": "k", "event_code": "e", "recipients": ["a@example.com"]}
    made, built = new_row(OutboxMessage, **message), OutboxMessage(**message)
    assert state(made) == state(built)
    # A default made per row is not shared between rows.
    assert new_row(OutboxMessage).cc is not new_row(OutboxMessage).cc
    with pytest.raises(TypeError, match="unexpected keyword argument 'nope'"):
        new_row(AuditLog, nope=1)


@pytest.mark.django_db
def test_copy_writes_json_and_keys_set_by_object_before_the_object_was_saved():
    User = get_user_model()
    late = User(username="late")  # no id yet when the rows name it
    rows = [
        new_row(
            AuditLog,
            actor=late if n % 2 else None,
            action="copy.test",
            object_type="t.t",
            object_id=str(n),
            changes={"说明": f"第 {n} 行\t带制表符\\和反斜杠", "n": n, "list": [1, None, "x"]},
        )
        for n in range(COPY_FROM + 5)
    ]
    late.save()
    insert_rows(AuditLog, rows)
    saved = {row.object_id: row for row in AuditLog.objects.filter(action="copy.test")}
    assert len(saved) == COPY_FROM + 5
    for n in range(COPY_FROM + 5):
        row = saved[str(n)]
        assert row.actor_id == (late.pk if n % 2 else None)
        assert row.changes == {
            "说明": f"第 {n} 行\t带制表符\\和反斜杠",
            "n": n,
            "list": [1, None, "x"],
        }


@pytest.mark.django_db
def test_copy_refuses_a_key_to_an_object_never_saved():
    ghost = get_user_model()(username="ghost")
    rows = [new_row(AuditLog, actor=ghost, action="copy.ghost") for _ in range(COPY_FROM)]
    with pytest.raises(ValueError, match="unsaved related object 'actor'"):
        insert_rows(AuditLog, rows)
    assert not AuditLog.objects.filter(action="copy.ghost").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3, COPY_FROM + 2])
def test_a_few_rows_or_read_keys_go_in_by_one_insert_that_sets_their_keys(count):
    user = UserFactory(username="values")
    late = get_user_model()(username="later")
    rows = [
        new_row(
            OutboxMessage,
            dedupe_key=f"v{n}",
            event_code="order.confirmed",
            recipients=["甲@example.com", "b'c@example.com"],
            attachments=[{"code": "pdf", "args": {"说明": "引号 ' 和 \\ 反斜杠"}}],
            about_refs=[],
        )
        for n in range(count)
    ]
    audits = [new_row(AuditLog, actor=late if n % 2 else user, action="v") for n in range(count)]
    late.save()
    with CaptureQueriesContext(connection) as queries:
        insert_rows(OutboxMessage, rows, read_keys=True)
        insert_rows(AuditLog, audits, read_keys=True)
    assert len(queries) == 2  # one statement per model, whatever the count
    assert all(row.pk and not row._state.adding for row in rows + audits)
    for row in rows:
        fresh = OutboxMessage.objects.get(pk=row.pk)
        assert fresh.dedupe_key == row.dedupe_key
        assert fresh.recipients == ["甲@example.com", "b'c@example.com"]
        assert fresh.attachments == [{"code": "pdf", "args": {"说明": "引号 ' 和 \\ 反斜杠"}}]
        assert fresh.created_at == row.created_at
    assert [AuditLog.objects.get(pk=a.pk).actor_id for a in audits] == [
        late.pk if n % 2 else user.pk for n in range(count)
    ]


@pytest.mark.django_db
def test_insert_values_refuses_a_key_to_an_object_never_saved():
    ghost = get_user_model()(username="ghost")
    with pytest.raises(ValueError, match="unsaved related object 'actor'"):
        insert_rows(AuditLog, [new_row(AuditLog, actor=ghost, action="values.ghost")])
    assert not AuditLog.objects.filter(action="values.ghost").exists()


def outbox_row() -> OutboxMessage:
    return OutboxMessage.objects.create(
        dedupe_key="k1",
        event_code="order.confirmed",
        recipient_ref="customers.customer:1",
        recipients=["a@example.com"],
        subject="Hello",
        about_refs=["orders.order:7"],
        attachments=[{"code": "pdf", "args": {"id": 3}}],
    )


@pytest.mark.django_db
def test_lock_row_reads_the_row_as_the_orm_does():
    row = outbox_row()
    with transaction.atomic():
        locked = lock_row(OutboxMessage, row.pk)
    fresh = OutboxMessage.objects.get(pk=row.pk)
    for field in OutboxMessage._meta.concrete_fields:
        assert getattr(locked, field.attname) == getattr(fresh, field.attname), field.name
    assert locked.attachments == [{"code": "pdf", "args": {"id": 3}}]
    assert not locked._state.adding


@pytest.mark.django_db
def test_lock_row_of_a_missing_row_is_does_not_exist():
    with transaction.atomic(), pytest.raises(OutboxMessage.DoesNotExist):
        lock_row(OutboxMessage, 404)


@pytest.mark.django_db
def test_some_columns_load_a_deferred_instance():
    row = outbox_row()
    columns = model_columns(OutboxMessage, ("id", "recipients", "subject"), "m")
    assert columns.sql == 'm."id", m."recipients", m."subject"'
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1, {columns.sql} FROM oms_outboxmessage m")
        [found] = cursor.fetchall()
    loaded = columns.load(found, 1)
    assert (loaded.pk, loaded.recipients, loaded.subject) == (row.pk, ["a@example.com"], "Hello")
    assert loaded.get_deferred_fields() >= {"body", "about_refs"}


@pytest.mark.django_db
def test_select_rows_gives_what_the_orm_gives_in_its_order():
    customer = CustomerFactory()
    other = CustomerFactory()
    AddressFactory(
        customer=customer, is_default_shipping=False, is_default_billing=False, city="杭州"
    )
    AddressFactory(
        customer=customer, is_default_shipping=True, is_default_billing=True, city="上海"
    )
    AddressFactory(customer=other, is_default_shipping=True)
    rows = select_rows(
        Address, "customer_id = %s", [customer.pk], order_by="is_default_shipping DESC, id"
    )
    orm = list(customer.addresses.all())
    assert [row.pk for row in rows] == [row.pk for row in orm]
    for row, expected in zip(rows, orm, strict=True):
        for field in Address._meta.concrete_fields:
            assert getattr(row, field.attname) == getattr(expected, field.attname), field.name
        assert not row._state.adding


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, COPY_FROM])
def test_a_lazy_translation_is_written_as_its_text(count):
    """Django's fields turn gettext_lazy into text when they prepare a value; these paths take
    attributes as they are, and psycopg writes the lazy text itself."""
    from django.utils.translation import gettext_lazy

    rows = [new_row(AuditLog, action=gettext_lazy("Orders")) for _ in range(count)]
    insert_rows(AuditLog, rows)
    one = new_row(AuditLog, action=gettext_lazy("Orders"), object_id=gettext_lazy("Orders"))
    insert_row(one)
    assert AuditLog.objects.filter(action="Orders").count() == count + 1
    assert AuditLog.objects.get(pk=one.pk).object_id == "Orders"
