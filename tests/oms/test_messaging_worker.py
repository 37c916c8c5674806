"""Customer messages delivered by a real Celery worker process, e-mail and SMS."""

from django.db import transaction

from oms.choices import OutboxStatus
from oms.messaging import notify
from oms.models import OutboxMessage
from tests.factories import CustomerFactory
from tests.oms.test_outbox_worker import celery_worker_process, sent_mail, wait_for  # noqa: F401

CONTEXT = {"order_number": "SO-2026-000777", "customer_name": "宁波照明", "total": "¥88.00"}


def test_the_worker_sends_each_customer_their_channel(celery_worker_process, tmp_path):  # noqa: F811
    mail_dir = celery_worker_process
    by_mail = CustomerFactory(email="ning@example.com", language="en", preferred_channel="email")
    by_sms = CustomerFactory(phone="13700001234", language="zh-hans", preferred_channel="sms")
    opted_out = CustomerFactory(email="no@example.com", opt_out_non_essential=True)
    with transaction.atomic():
        for customer in (by_mail, by_sms, opted_out):
            notify(customer, "order.confirmed", CONTEXT, key="777")
    # Committed: the worker takes the two pending rows; the opted-out one was never queued.
    log = tmp_path / "worker.log"
    sent = OutboxMessage.objects.filter(status=OutboxStatus.SENT)
    assert wait_for(lambda: sent.count() == 2), log.read_text()[-3000:]
    assert OutboxMessage.objects.get(recipient_ref__endswith=f":{opted_out.pk}").status == (
        OutboxStatus.SKIPPED
    )

    email = sent_mail(mail_dir)
    assert "ning@example.com" in email
    assert "Subject: Your order SO-2026-000777 is confirmed" in email
    assert "no@example.com" not in email
    texts = [p.read_text() for p in (tmp_path / "sms").glob("*.log")]
    assert len(texts) == 1
    assert "To: 13700001234" in texts[0]
    assert "您的订单SO-2026-000777（¥88.00）已确认" in texts[0]
