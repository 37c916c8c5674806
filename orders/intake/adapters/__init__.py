"""Platform adapters: each turns one platform's order payload into the one order shape
(`orders.intake.place.SentOrder`), a pure function that touches no database; the inbound
services (orders/intake/inbound.py) map the SKUs and call `intake_order`.

Webhook platforms (Shopify, WooCommerce) push signed orders; marketplace platforms (Taobao/
Tmall, JD, Pinduoduo) are pulled by modified-time cursor: PULLED gives their order id and
modified-time fields."""

from collections.abc import Callable, Mapping

from orders.choices import ChannelKind
from orders.intake.adapters import jd, pinduoduo, shopify, taobao, woocommerce
from orders.intake.adapters.base import BadPayload
from orders.intake.place import SentOrder

PARSERS: dict[str, Callable[[Mapping], SentOrder]] = {
    ChannelKind.SHOPIFY: shopify.parse,
    ChannelKind.WOOCOMMERCE: woocommerce.parse,
    ChannelKind.TAOBAO: taobao.parse,
    ChannelKind.JD: jd.parse,
    ChannelKind.PINDUODUO: pinduoduo.parse,
}
WEBHOOK_KINDS = frozenset({ChannelKind.SHOPIFY, ChannelKind.WOOCOMMERCE})
# kind -> (order id field, modified time field) of the pulled platforms.
PULLED = {
    ChannelKind.TAOBAO: (taobao.ORDER_ID, taobao.MODIFIED),
    ChannelKind.JD: (jd.ORDER_ID, jd.MODIFIED),
    ChannelKind.PINDUODUO: (pinduoduo.ORDER_ID, pinduoduo.MODIFIED),
}

__all__ = ["PARSERS", "PULLED", "WEBHOOK_KINDS", "BadPayload", "parse"]


def parse(kind: str, payload: Mapping) -> SentOrder:
    parser = PARSERS.get(kind)
    if parser is None:
        raise BadPayload("no_adapter", kind=kind)
    return parser(payload)
