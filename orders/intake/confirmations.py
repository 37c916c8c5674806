"""A shipment told back to the platform it was sold on, in the platform's words.

Pure functions: each takes the shipped event's payload (shipping prepares it:
shipping.channel_events.shipped_payload) and returns the path below the channel's endpoint and
the body to post there, or None when there is nothing to confirm (no tracking number). The
outbound queue (orders.intake.outbound) stores the result as a delivery of target
"confirmation" and sends it like a webhook, signed with the channel's secret.

The shapes follow each platform's ship-confirmation call: a Shopify fulfillment
(tracking_company, tracking_number(s), line items), WooCommerce's shipment tracking,
Taobao's logistics.offline.send (tid, out_sid, company_code), JD's order shipment
(orderId, logiCoprId, logiNo) and Pinduoduo's logistics.online.send (order_sn, logistics_id,
tracking_number). A platform's own connector (or the marketplace simulator) translates the
transport; the fields are the platform's.

JD and Pinduoduo name the carrier by their own numeric id: the caller passes our carrier
codes' ids for the channel's kind (orders.intake.platform_carriers); a carrier without one
raises UnmappedCarrier instead of sending a wrong id.
"""

from collections.abc import Callable, Mapping
from typing import Any

from orders.choices import ChannelKind

Payload = dict[str, Any]
Confirmation = tuple[str, Payload]
CarrierIds = Mapping[str, str]

# Our carrier codes (shipping.Carrier.code) and the company codes Taobao knows them by,
# where they differ; others are sent upper-cased as they are.
PLATFORM_COMPANY_CODES = {
    ChannelKind.TAOBAO: {"JT": "JTSD", "YUNDA": "YUNDA", "DBL": "DBKD"},
}
# How the webhook log keeps an unmapped carrier (WebhookDelivery.last_error):
# "unmapped_carrier:<kind>:<our carrier code>", worded when shown.
UNMAPPED = "unmapped_carrier"


class UnmappedCarrier(Exception):
    """A confirmation needs the platform's id of a carrier that has none."""

    def __init__(self, kind: str, carrier_code: str) -> None:
        self.kind, self.carrier_code = kind, carrier_code
        super().__init__(f"{UNMAPPED}:{kind}:{carrier_code}")


def _shipment(payload: Payload) -> Payload:
    return payload.get("shipment") or {}


def _numbers(payload: Payload) -> list[str]:
    return [n for n in _shipment(payload).get("tracking_numbers") or [] if n]


def _our_code(payload: Payload) -> str:
    shipment = _shipment(payload)
    return (shipment.get("carrier_code") or shipment.get("carrier") or "").strip().upper()


def company_code(kind: str, payload: Payload) -> str:
    """The platform's code of the carrier that took the shipment."""
    ours = _our_code(payload)
    return PLATFORM_COMPANY_CODES.get(kind, {}).get(ours, ours)


def platform_id(kind: str, payload: Payload, ids: CarrierIds) -> str:
    """The platform's numeric id of the shipment's carrier; UnmappedCarrier without one."""
    ours = (_shipment(payload).get("carrier_code") or "").strip().upper()
    found = ids.get(ours, "") if ours else ""
    if not found:
        raise UnmappedCarrier(kind, ours)
    return found


def shopify(payload: Payload, ids: CarrierIds) -> Confirmation | None:
    numbers = _numbers(payload)
    if not numbers:
        return None
    shipment = _shipment(payload)
    order = payload["order"]
    return (
        f"/orders/{order['external_id']}/fulfillments.json",
        {
            "fulfillment": {
                "tracking_company": shipment.get("carrier") or "",
                "tracking_number": numbers[0],
                "tracking_numbers": numbers,
                "notify_customer": True,
                "line_items": [
                    {"sku": line["sku"], "quantity": line["quantity"]}
                    for line in shipment.get("lines") or []
                ],
            }
        },
    )


def woocommerce(payload: Payload, ids: CarrierIds) -> Confirmation | None:
    numbers = _numbers(payload)
    if not numbers:
        return None
    shipment = _shipment(payload)
    return (
        f"/orders/{payload['order']['external_id']}/shipment-trackings",
        {
            "tracking_provider": shipment.get("carrier") or "",
            "tracking_number": numbers[0],
            "date_shipped": (shipment.get("dispatched_at") or "")[:10],
            "status_shipped": 1,
        },
    )


def taobao(payload: Payload, ids: CarrierIds) -> Confirmation | None:
    numbers = _numbers(payload)
    if not numbers:
        return None
    return (
        "/logistics.offline.send",
        {
            "method": "taobao.logistics.offline.send",
            "tid": payload["order"]["external_id"],
            "out_sid": numbers[0],
            "company_code": company_code(ChannelKind.TAOBAO, payload),
        },
    )


def jd(payload: Payload, ids: CarrierIds) -> Confirmation | None:
    numbers = _numbers(payload)
    if not numbers:
        return None
    return (
        "/pop.order.shipment",
        {
            "method": "jingdong.pop.order.shipment",
            "orderId": payload["order"]["external_id"],
            "logiCoprId": platform_id(ChannelKind.JD, payload, ids),
            # JD takes several waybills of one order joined by commas.
            "logiNo": ",".join(numbers),
        },
    )


def pinduoduo(payload: Payload, ids: CarrierIds) -> Confirmation | None:
    numbers = _numbers(payload)
    if not numbers:
        return None
    return (
        "/logistics.online.send",
        {
            "type": "pdd.logistics.online.send",
            "order_sn": payload["order"]["external_id"],
            "logistics_id": platform_id(ChannelKind.PINDUODUO, payload, ids),
            "tracking_number": numbers[0],
        },
    )


BUILDERS: dict[str, Callable[[Payload, CarrierIds], Confirmation | None]] = {
    ChannelKind.SHOPIFY: shopify,
    ChannelKind.WOOCOMMERCE: woocommerce,
    ChannelKind.TAOBAO: taobao,
    ChannelKind.JD: jd,
    ChannelKind.PINDUODUO: pinduoduo,
}


def ship_confirmation(
    kind: str, payload: Payload, ids: CarrierIds | None = None
) -> Confirmation | None:
    """(path, body) to confirm the shipment on a platform of this kind, or None. `ids`: our
    carrier codes → the platform's ids (JD, Pinduoduo); raises UnmappedCarrier when needed
    and missing."""
    builder = BUILDERS.get(kind)
    return builder(payload, ids or {}) if builder else None
