"""A webhook posted to a live server is stored, and a real Celery worker process turns it
into an order after the endpoint's transaction commits."""

import json
import urllib.error
import urllib.request

import pytest

from orders.choices import ChannelKind
from orders.intake import inbound
from orders.intake.adapters import samples
from orders.intake.inbound_models import DeliveryStatus, InboundDelivery
from orders.models import Order
from tests.oms.test_outbox_worker import celery_worker_process, wait_for  # noqa: F401 - fixture
from tests.orders.conftest import Catalog
from tests.orders.test_inbound import SECRET, channel


@pytest.mark.django_db(transaction=True)
def test_webhook_over_http_is_processed_by_the_worker(
    celery_worker_process,  # noqa: F811
    live_server,
    tmp_path,
):
    Catalog().product(sku="TEA-LJ-250")
    shop = channel("shop-live", ChannelKind.SHOPIFY)
    body = json.dumps(
        samples.shopify(6001, samples.BUYERS[3], [("TEA-LJ-250", 1, "199.00")]),
        ensure_ascii=False,
    ).encode()

    def post(signature: str) -> int:
        request = urllib.request.Request(
            f"{live_server.url}/intake/{shop.code}/webhook/",
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-Shopify-Hmac-Sha256": signature,
                "X-Shopify-Webhook-Id": "live-1",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status
        except urllib.error.HTTPError as error:
            return error.code

    assert post("AAAA" + inbound.signature(SECRET, body)[4:]) == 401
    assert post(inbound.signature(SECRET, body)) == 202
    assert post(inbound.signature(SECRET, body)) == 200  # the replay

    assert wait_for(lambda: InboundDelivery.objects.get().status == DeliveryStatus.PROCESSED), (
        tmp_path / "worker.log"
    ).read_text()[-3000:]
    order = Order.objects.get()
    assert (order.channel_id, order.external_reference) == ("shop-live", "6001")
    assert InboundDelivery.objects.get().order == order
