"""Plain helpers for the tracking tests (shipping and security)."""

from urllib.parse import urlencode

from shipping import services
from shipping.models import Carrier, ReceivedCallback, Shipment
from shipping.tracking.services import breaker_for, callback_process
from tests.shipping.kuaidi100_server import md5_upper

SALT = "SALT-1"
KEY = "KEY-1"
CUSTOMER = "CUSTOMER-1"


def kuaidi100_carrier(endpoint: str = "http://127.0.0.1:9", code: str = "KD") -> Carrier:
    carrier = Carrier.objects.create(
        code=code,
        name=f"{code} Express",
        tracking_kind="kuaidi100",
        tracking_endpoint=endpoint,
        tracking_company=code.lower(),
        tracking_customer=CUSTOMER,
        tracking_key=KEY,
        tracking_secret=SALT,
        tracking_rate_limit=1000,
    )
    breaker_for(carrier).reset()  # a carrier id of an earlier test run may have left state
    return carrier


def webhook_carrier(secret: str = "hook-secret", code: str = "HOOK") -> Carrier:
    return Carrier.objects.create(
        code=code, name=f"{code} Logistics", tracking_kind="webhook", tracking_secret=secret
    )


def dispatch(shipping, carrier: Carrier, number: str) -> Shipment:
    """A one-line order dispatched with the carrier under this tracking number."""
    product = shipping.product()
    order = shipping.allocated_order((product, 1), stock=[(product, shipping.shanghai, 1)])
    [shipment] = shipping.packed(order)
    return services.shipment_dispatch(
        actor=None, shipment=shipment, details=shipping.details(number, carrier=carrier.name)
    )


def post_push(client, carrier: Carrier, param: str, *, salt: str = SALT, **extra):
    """Kuaidi100's push: a form-encoded POST of param and sign."""
    return client.post(
        f"/shipping/callbacks/{carrier.code}/",
        urlencode({"param": param, "sign": md5_upper(param + salt)}),
        content_type="application/x-www-form-urlencoded",
        **extra,
    )


def process_received() -> list[str]:
    """What a worker does after commit (tests run in one transaction, so on_commit never
    fires): apply every push still waiting."""
    return [
        callback_process(callback_id=pk)
        for pk in ReceivedCallback.objects.filter(state="received")
        .order_by("pk")
        .values_list("pk", flat=True)
    ]
