"""oms.db.lock_row and model_columns: a row read by hand-written SQL is the instance the ORM
reads (JSON and other converted fields included)."""

import pytest
from django.db import connection, transaction

from oms.db import lock_row, model_columns
from oms.models import OutboxMessage

pytestmark = pytest.mark.django_db


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


def test_lock_row_reads_the_row_as_the_orm_does():
    row = outbox_row()
    with transaction.atomic():
        locked = lock_row(OutboxMessage, row.pk)
    fresh = OutboxMessage.objects.get(pk=row.pk)
    for field in OutboxMessage._meta.concrete_fields:
        assert getattr(locked, field.attname) == getattr(fresh, field.attname), field.name
    assert locked.attachments == [{"code": "pdf", "args": {"id": 3}}]
    assert not locked._state.adding


def test_lock_row_of_a_missing_row_is_does_not_exist():
    with transaction.atomic(), pytest.raises(OutboxMessage.DoesNotExist):
        lock_row(OutboxMessage, 404)


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
