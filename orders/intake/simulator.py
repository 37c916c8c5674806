"""A local marketplace simulator, for development, demos and tests.

- Marketplace order APIs, one per style, read by modified-time cursor like the real
  increment APIs: `GET /<taobao|jd|pinduoduo>/orders?modified_since=2026-11-30 14:05:09&page=1`
  answers `{"orders": [...], "has_next": bool, "page": n}`, oldest modified first, orders
  modified at or after the cursor (Beijing time, the platforms' "yyyy-MM-dd HH:mm:ss").
- Ship confirmations: `POST /<taobao|jd|pinduoduo>/orders/<call>` takes our confirmation
  (logistics.offline.send, pop.order.shipment, logistics.online.send) like the platform
  would: JD and Pinduoduo refuse a carrier id not on their logistics company list and an
  order they do not know (HTTP 400 with the platform's error body); what they took is kept
  in `confirmations`.
- Shop webhooks: Shopify- and WooCommerce-style orders POSTed to the OMS's webhook endpoints,
  signed like the platforms sign them (base64 HMAC-SHA256 of the body with the shop's secret,
  in X-Shopify-Hmac-Sha256 / X-WC-Webhook-Signature, with a delivery id header).

Every `seconds` it makes a new order on one of the platforms. A share of them is sent twice
(the same delivery id again), a share updated later (the same order, a newer modified time or
an orders/updated webhook), and a share is bad: a wrong signature, or a SKU no product knows.
Only the standard library and no database: the command (`manage.py marketplace_simulator`)
gives it the shops and SKUs; tests run it in a thread.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from zoneinfo import ZoneInfo

from oms.localserver import LocalServer, OwnedHTTPServer
from orders.intake.adapters import samples
from orders.intake.inbound import signature

logger = logging.getLogger(__name__)

BEIJING = ZoneInfo("Asia/Shanghai")
MARKETPLACES = ("taobao", "jd", "pinduoduo")
MODIFIED = {"taobao": "modified", "jd": "modified", "pinduoduo": "updated_at"}
PAGE_SIZE = 20
# The platforms' logistics company lists (a part): JD's logistics company ids (logiCoprId)
# and Pinduoduo's shipping ids (logistics_id), as their company-list APIs give them.
CARRIER_IDS = {
    "jd": {"463", "465", "467", "470", "1327", "1499", "2087", "2130", "3046"},
    "pinduoduo": {"1", "3", "44", "85", "115", "118", "120", "121", "131", "384"},
}
# call -> (marketplace, order id field, carrier field)
CONFIRMATIONS = {
    "logistics.offline.send": ("taobao", "tid", "company_code"),
    "pop.order.shipment": ("jd", "orderId", "logiCoprId"),
    "logistics.online.send": ("pinduoduo", "order_sn", "logistics_id"),
}
ORDER_IDS = {"taobao": "tid", "jd": "orderId", "pinduoduo": "order_sn"}


@dataclass(frozen=True)
class Shop:
    """A shop the simulator posts webhooks to."""

    kind: str  # "shopify" or "woocommerce"
    url: str  # the OMS's /intake/<code>/webhook/
    secret: str


@dataclass
class SimulatorConfig:
    skus: list[str]  # our SKUs, which every platform's orders may use
    # A platform's own SKUs (mapped to ours on its channel): platform ("taobao") -> SKUs.
    platform_skus: dict[str, list[str]] = field(default_factory=dict)
    shops: list[Shop] = field(default_factory=list)
    seconds: float = 30.0  # between two new orders (0: make none on their own)
    duplicate_share: float = 0.15
    late_update_share: float = 0.2
    bad_signature_share: float = 0.05
    unknown_sku_share: float = 0.08
    seed: str = ""


def now_text() -> str:
    return datetime.now(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


class MarketplaceSimulator:
    def __init__(self, config: SimulatorConfig, host: str = "127.0.0.1", port: int = 0):
        self.config = config
        self.random = random.Random(f"marketplace:{config.seed}")
        self.lock = threading.Lock()
        self.orders: dict[str, list[dict]] = {name: [] for name in MARKETPLACES}
        self.sent: list[tuple[str, int]] = []  # (delivery id, status) of posted webhooks
        self.confirmations: list[tuple[str, dict]] = []  # (marketplace, body) taken
        self.counter = int(time.time()) % 100000 * 100
        self.http = LocalServer(_Handler, host, port, owner=self, name="marketplace-http")
        self.server = self.http.server
        self.stopped = self.http.stopping

    @property
    def url(self) -> str:
        return self.http.url

    @property
    def threads(self) -> list[threading.Thread]:
        """The serve loop's thread first, then the simulator's own loops."""
        return self.http.threads

    def start(self) -> None:
        self.http.start(*([("marketplace-orders", self._run)] if self.config.seconds > 0 else []))

    def stop(self) -> None:
        self.http.stop()

    # Marketplace pages --------------------------------------------------------------------

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urllib.parse.urlsplit(handler.path)
        name = parts.path.strip("/").split("/")[0]
        if name not in self.orders or not parts.path.rstrip("/").endswith("/orders"):
            self._answer(handler, 404, {"error_response": {"msg": "unknown API"}})
            return
        query = urllib.parse.parse_qs(parts.query)
        since = query.get("modified_since", [""])[0]
        try:
            page = max(1, int(query.get("page", ["1"])[0]))
        except ValueError:
            self._answer(handler, 400, {"error_response": {"msg": "bad page"}})
            return
        field_name = MODIFIED[name]
        with self.lock:
            rows = sorted(
                (o for o in self.orders[name] if o[field_name] >= since),
                key=lambda o: o[field_name],
            )
        chunk = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        self._answer(
            handler, 200, {"orders": chunk, "has_next": len(rows) > page * PAGE_SIZE, "page": page}
        )

    def _confirm(self, handler: BaseHTTPRequestHandler) -> None:
        """A ship confirmation, checked as the platform checks it."""
        path = urllib.parse.urlsplit(handler.path).path.strip("/").split("/")
        call = CONFIRMATIONS.get(path[-1]) if path else None
        if call is None or path[0] != call[0]:
            self._answer(handler, 404, {"error_response": {"msg": "unknown API"}})
            return
        name, order_field, carrier_field = call
        try:
            length = min(int(handler.headers.get("Content-Length") or 0), 1_000_000)
            body = json.loads(handler.rfile.read(length) or b"null")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            self._refuse(handler, "bad body", "请求体不是 JSON 对象")
            return
        carrier = str(body.get(carrier_field) or "")
        if name in CARRIER_IDS and carrier not in CARRIER_IDS[name]:
            self._refuse(
                handler, f"{carrier_field} {carrier!r} is not a logistics company", "物流公司不存在"
            )
            return
        order_id = str(body.get(order_field) or "")
        with self.lock:
            known = any(str(o.get(ORDER_IDS[name])) == order_id for o in self.orders[name])
            if known:
                self.confirmations.append((name, body))
        if not known:
            self._refuse(handler, f"order {order_id!r} not found", "订单不存在")
            return
        self._answer(handler, 200, {"result": {"success": True}})

    def _refuse(self, handler: BaseHTTPRequestHandler, message: str, zh: str) -> None:
        self._answer(
            handler,
            400,
            {"error_response": {"code": "isv.invalid-parameter", "msg": message, "zh_desc": zh}},
        )

    @staticmethod
    def _answer(handler: BaseHTTPRequestHandler, status: int, body: dict) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    # Making orders ------------------------------------------------------------------------

    def _lines(self, platform: str) -> list[samples.Line]:
        rng = self.random
        count = 1 if rng.random() < 0.6 else 2
        known = self.config.skus + self.config.platform_skus.get(platform, [])
        skus = rng.sample(known, min(count, len(known)))
        if rng.random() < self.config.unknown_sku_share:
            skus = [f"SIM-UNKNOWN-{rng.randint(1, 5)}"]
        return [
            (sku, rng.randint(1, 3), f"{rng.choice((29, 59, 88, 128, 199, 268))}.00")
            for sku in skus
        ]

    def add_marketplace_order(self, name: str | None = None) -> dict:
        """A new order on a marketplace (or, for a share, a late update of an earlier one)."""
        rng = self.random
        name = name or rng.choice(MARKETPLACES)
        field_name = MODIFIED[name]
        with self.lock:
            earlier = self.orders[name]
            if earlier and rng.random() < self.config.late_update_share:
                order = dict(rng.choice(earlier))
                order[field_name] = now_text()
                order[
                    "status"
                    if name == "taobao"
                    else "orderState"
                    if name == "jd"
                    else "order_status"
                ] = (
                    "WAIT_BUYER_CONFIRM_GOODS"
                    if name == "taobao"
                    else "WAIT_GOODS_RECEIVE_CONFIRM"
                    if name == "jd"
                    else 2
                )
                earlier.append(order)
                return order
            self.counter += 1
            buyer = rng.choice(samples.BUYERS)
            modified = now_text()
            if name == "taobao":
                order = samples.taobao(
                    3_900_000_000_000 + self.counter, buyer, self._lines(name), modified=modified
                )
            elif name == "jd":
                order = samples.jd(
                    28_000_000_000 + self.counter, buyer, self._lines(name), modified=modified
                )
            else:
                sn = f"{datetime.now(BEIJING):%y%m%d}-{self.counter:015d}"
                order = samples.pinduoduo(sn, buyer, self._lines(name), modified=modified)
            earlier.append(order)
            return order

    def send_webhook(self, shop: Shop) -> list[int]:
        """Post one new order to a shop's endpoint (twice for a share; badly signed for a
        share); returns the HTTP statuses."""
        rng = self.random
        with self.lock:
            self.counter += 1
            number = self.counter
        buyer = rng.choice(samples.BUYERS)
        if shop.kind == "shopify":
            payload = samples.shopify(
                5_600_000_000 + number, buyer, self._lines(shop.kind), shipping="10.00"
            )
            headers = {
                "X-Shopify-Topic": "orders/create",
                "X-Shopify-Shop-Domain": "sim.myshopify.com",
            }
            sig_header, id_header = "X-Shopify-Hmac-Sha256", "X-Shopify-Webhook-Id"
        else:
            payload = samples.woocommerce(number, buyer, self._lines(shop.kind), shipping="8.00")
            headers = {
                "X-WC-Webhook-Topic": "order.created",
                "X-WC-Webhook-Source": "https://woo.example.cn/",
            }
            sig_header, id_header = "X-WC-Webhook-Signature", "X-WC-Webhook-Delivery-ID"
        body = json.dumps(payload, ensure_ascii=False).encode()
        secret = shop.secret
        if rng.random() < self.config.bad_signature_share:
            secret = secret + "-wrong"
        headers |= {
            "Content-Type": "application/json",
            sig_header: signature(secret, body),
            id_header: f"sim-{number}",
        }
        times = 2 if rng.random() < self.config.duplicate_share else 1
        return [self._post(shop.url, body, headers) for _ in range(times)]

    def _post(self, url: str, body: bytes, headers: dict) -> int:
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                status = answer.status
        except urllib.error.HTTPError as error:
            status = error.code
        except (urllib.error.URLError, OSError) as error:
            logger.info("webhook to %s: %s", url, error)
            status = 0
        self.sent.append(
            (
                headers.get("X-Shopify-Webhook-Id") or headers.get("X-WC-Webhook-Delivery-ID", ""),
                status,
            )
        )
        logger.info("webhook to %s: %s", url, status)
        return status

    def _run(self) -> None:
        while not self.stopped.wait(self.config.seconds * (0.5 + self.random.random())):
            try:
                shops = self.config.shops
                if shops and self.random.random() < 0.4:
                    self.send_webhook(self.random.choice(shops))
                else:
                    self.add_marketplace_order()
            except Exception:  # a simulator never stops on its own mistake
                logger.exception("marketplace simulator")


class _Handler(BaseHTTPRequestHandler):
    server: OwnedHTTPServer

    def do_GET(self) -> None:
        self.server.owner._serve(self)

    def do_POST(self) -> None:
        self.server.owner._confirm(self)

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s " + format, self.address_string(), *args)
