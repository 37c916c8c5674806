"""The customer's order page (/track/<token>/): what it shows and in which words.

The token is the only right the visitor has: the page shows that one order's status in the
customer's words, its lines and totals, and its shipments with carrier, tracking number,
expected delivery and progress. Nothing staff-only: no staff names, notes typed by staff,
costs, stock locations or other orders. The address is shortened and the phone masked, since
a link can be forwarded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from oms.regions import region_label
from orders import services as order_services
from orders.choices import EventKind, FulfilmentStatus, OrderStatus, PaymentStatus
from orders.models import Order, OrderEvent, OrderLine
from shipping.choices import ShipmentEventKind, ShipmentStatus
from shipping.models import Shipment, ShipmentEvent, TrackingEvent
from shipping.tracking.statuses import TrackingSource

OS = OrderStatus
S = ShipmentStatus


def order_page_url(order: Order, request: HttpRequest | None = None) -> str:
    """The absolute address of the order's customer page; makes the order's token when it
    has none. The base is OMS_PUBLIC_URL, else the request's own site, else OMS_BIND (a
    message sent by a worker has no request)."""
    head, tail = _track_path(get_script_prefix(), get_urlconf())
    path = f"{head}{order_services.order_public_token(order)}{tail}"
    if settings.OMS_PUBLIC_URL:
        return settings.OMS_PUBLIC_URL.rstrip("/") + path
    if request is not None:
        return request.build_absolute_uri(path)
    return f"http://{settings.OMS_BIND}{path}"


@lru_cache(maxsize=16)
def _track_path(script_prefix: str, urlconf: str | None) -> tuple[str, str]:
    """The customer page's path around its token, reversed once: an import of thousands of
    orders makes as many links."""
    head, _, tail = reverse("shipping:track", args=["0"]).rpartition("0")
    return head, tail


# The customer's progress bar: placed, being prepared, shipped, delivered.
STEPS: tuple[Promise, ...] = (
    pgettext_lazy("customer order step", "Ordered"),
    pgettext_lazy("customer order step", "Preparing"),
    pgettext_lazy("customer order step", "Shipped"),
    pgettext_lazy("customer order step", "Delivered"),
)


@dataclass(frozen=True)
class Words:
    """A status as a customer reads it: a headline, a sentence, the step reached (None:
    the steps are not shown) and the badge's tone."""

    title: Promise
    detail: Promise
    step: int | None
    tone: str


RECEIVED = Words(
    pgettext_lazy("customer", "Received"),
    _("We have received your order and will confirm it shortly."),
    0,
    "grey",
)
GETTING_READY = Words(
    pgettext_lazy("customer", "Confirmed"), _("We are getting your order ready."), 1, "blue"
)
ORDER_DELIVERED = Words(
    pgettext_lazy("customer", "Delivered"), _("Your order has been delivered."), 3, "green"
)
ORDER_WORDS: dict[str, Words] = {
    OS.DRAFT: RECEIVED,
    OS.PENDING_REVIEW: RECEIVED,
    OS.CONFIRMED: GETTING_READY,
    OS.ALLOCATED: GETTING_READY,
    OS.BACKORDERED: Words(
        pgettext_lazy("customer", "Confirmed"),
        _("Some items are being restocked; we ship them as soon as they arrive."),
        1,
        "blue",
    ),
    OS.IN_PRODUCTION: Words(
        pgettext_lazy("customer", "Confirmed"),
        _("Some items are being made for you; we ship them as soon as they are ready."),
        1,
        "blue",
    ),
    OS.PICKING: Words(
        pgettext_lazy("customer", "Being packed"),
        _("Our warehouse is picking and packing your order."),
        1,
        "indigo",
    ),
    OS.PARTIALLY_SHIPPED: Words(
        pgettext_lazy("customer", "Partly shipped"),
        _("Part of your order is on its way; the rest follows."),
        2,
        "teal",
    ),
    OS.SHIPPED: Words(
        pgettext_lazy("customer", "Shipped"),
        _("Your order has left our warehouse."),
        2,
        "teal",
    ),
    OS.IN_TRANSIT: Words(
        pgettext_lazy("customer", "On its way"),
        _("The carrier is bringing your order to you."),
        2,
        "teal",
    ),
    OS.DELIVERED: ORDER_DELIVERED,
    OS.COMPLETED: ORDER_DELIVERED,
    OS.CANCELLED: Words(
        pgettext_lazy("customer", "Cancelled"),
        _("This order was cancelled. Contact us if you have questions."),
        None,
        "red",
    ),
    OS.REFUNDING: Words(
        pgettext_lazy("customer", "Refund in progress"),
        _("We are refunding your payment."),
        None,
        "amber",
    ),
}

SHIPMENT_WORDS: dict[str, Words] = {
    S.PENDING: Words(
        pgettext_lazy("customer", "Being prepared"), _("Waiting to be picked."), 1, "indigo"
    ),
    S.PICKING: Words(
        pgettext_lazy("customer", "Being prepared"), _("Being picked and packed."), 1, "indigo"
    ),
    S.PACKED: Words(
        pgettext_lazy("customer", "Packed"), _("Packed and waiting for the carrier."), 1, "indigo"
    ),
    S.DISPATCHED: Words(
        pgettext_lazy("customer", "Handed to the carrier"),
        _("The carrier has your parcel."),
        2,
        "teal",
    ),
    S.IN_TRANSIT: Words(
        pgettext_lazy("customer", "On its way"), _("Your parcel is on its way."), 2, "teal"
    ),
    S.OUT_FOR_DELIVERY: Words(
        pgettext_lazy("customer", "Out for delivery"),
        _("The courier is bringing your parcel today."),
        2,
        "teal",
    ),
    S.DELIVERED: Words(
        pgettext_lazy("customer", "Delivered"), _("Your parcel has been delivered."), 3, "green"
    ),
    S.EXCEPTION: Words(
        pgettext_lazy("customer", "Delayed"),
        _("The carrier reported a problem. We are on it and will contact you if needed."),
        2,
        "orange",
    ),
    S.RETURNED: Words(
        pgettext_lazy("customer", "Coming back to us"),
        _("The parcel could not be delivered and is returning to us. We will contact you."),
        None,
        "amber",
    ),
}


# Every parcel that left came back: the order keeps the status it reached (statuses never
# move back), so "on its way" would not be true any more.
ORDER_RETURNED = Words(
    pgettext_lazy("customer", "Returned to us"),
    _("Your parcel came back to us. We will contact you about sending it again."),
    None,
    "amber",
)
RETURNED_SHOWS_FROM = frozenset({OS.PARTIALLY_SHIPPED, OS.SHIPPED, OS.IN_TRANSIT})


def order_words(order: Order) -> Words:
    """What the customer reads about the order as a whole."""
    if order.fulfilment_status == FulfilmentStatus.RETURNED and order.status in (
        RETURNED_SHOWS_FROM
    ):
        return ORDER_RETURNED
    return ORDER_WORDS.get(order.status, ORDER_WORDS[OS.CONFIRMED])


@dataclass(frozen=True)
class ProgressEntry:
    """One line of a shipment's progress, newest first: when, what, where, and the carrier's
    own words (tracking)."""

    at: datetime
    title: Any
    place: str = ""
    detail: str = ""


@dataclass
class ShipmentView:
    number: str
    words: Words
    carrier: str
    tracking_number: str
    parcels: int
    expected_delivery: date | None
    dispatched_at: datetime | None
    delivered_at: datetime | None
    lines: list[tuple[str, int]]
    progress: list[ProgressEntry] = field(default_factory=list)


@dataclass
class LineView:
    name: str
    sku: str
    quantity: int
    unit_price: Any
    line_total: Any


def product_name(line: OrderLine) -> str:
    """The product's name in the reader's language (Chinese names are the master data)."""
    product = line.product
    if not (get_language() or "").startswith("zh") and product.name_en:
        return product.name_en
    return product.name


def masked_phone(phone: str) -> str:
    """138****5678: enough for the customer to recognise, useless to whoever finds the link."""
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def masked_name(name: str) -> str:
    """张** / J*** : the first character only."""
    name = name.strip()
    return f"{name[:1]}{'*' * min(max(len(name) - 1, 1), 3)}" if name else ""


# Our side of a parcel's story; once a carrier reports (tracking events), its words tell the
# rest, so our status changes that followed its news are not repeated.
WAREHOUSE_STEPS = frozenset({S.PICKING, S.PACKED, S.DISPATCHED})


def _progress(shipment: Shipment) -> list[ProgressEntry]:
    """The shipment's moves in the customer's words, newest first: our steps, then what the
    carrier reported (its place and words; what staff typed in stays inside). Staff names
    and notes never appear."""
    tracking = list(shipment.tracking_events.all())
    entries = []
    for event in shipment.events.all():
        if event.kind != ShipmentEventKind.STATUS or event.to_status not in SHIPMENT_WORDS:
            continue
        if tracking and event.to_status not in WAREHOUSE_STEPS:
            continue
        words = SHIPMENT_WORDS[event.to_status]
        title: Any = words.title
        if event.to_status == S.DISPATCHED and shipment.carrier:
            title = _("Handed to %(carrier)s") % {"carrier": shipment.carrier}
        entries.append(ProgressEntry(at=event.created_at, title=title))
    for scan in tracking:
        entries.append(
            ProgressEntry(
                at=scan.event_time,
                title=scan.get_status_display(),
                place=scan.place,
                detail="" if scan.source == TrackingSource.MANUAL else scan.description,
            )
        )
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries


def public_order(token: str) -> Order | None:
    """The order this token grants, or None. One query."""
    if not token:
        return None
    return Order.objects.filter(public_token=token).select_related("customer").first()


# The order's story in a customer's words: only these moves are told, each once. Staff names,
# notes, reasons and costs are never read from the events (their `actor`, `note` and `data`
# stay inside, but for the booked slot's date and time).
TIMELINE_ORDER_STATUS: dict[str, Promise] = {
    OS.CONFIRMED: pgettext_lazy("customer timeline", "Order confirmed"),
    OS.BACKORDERED: pgettext_lazy("customer timeline", "Order confirmed"),
    OS.IN_PRODUCTION: pgettext_lazy("customer timeline", "Order confirmed"),
    OS.ALLOCATED: pgettext_lazy("customer timeline", "Order confirmed"),
    OS.PICKING: pgettext_lazy("customer timeline", "Being packed"),
    OS.PARTIALLY_SHIPPED: pgettext_lazy("customer timeline", "Part of the order shipped"),
    OS.SHIPPED: pgettext_lazy("customer timeline", "Order shipped"),
    OS.DELIVERED: pgettext_lazy("customer timeline", "Order delivered"),
    OS.CANCELLED: pgettext_lazy("customer timeline", "Order cancelled"),
    OS.REFUNDING: pgettext_lazy("customer timeline", "Refund started"),
}
TIMELINE_SHIPMENT_STATUS: dict[str, Promise] = {
    S.DISPATCHED: pgettext_lazy("customer timeline", "Handed to the carrier"),
    S.DELIVERED: pgettext_lazy("customer timeline", "Delivered"),
    S.EXCEPTION: pgettext_lazy("customer timeline", "Delayed: the carrier reported a problem"),
    S.RETURNED: pgettext_lazy("customer timeline", "Coming back to us"),
}
TIMELINE_PAYMENT: dict[str, Promise] = {
    PaymentStatus.PARTIALLY_PAID: pgettext_lazy("customer timeline", "Part payment received"),
    PaymentStatus.PAID: pgettext_lazy("customer timeline", "Payment received"),
    PaymentStatus.PARTIALLY_REFUNDED: pgettext_lazy(
        "customer timeline", "Part of your payment refunded"
    ),
    PaymentStatus.REFUNDED: pgettext_lazy("customer timeline", "Payment refunded"),
}
TIMELINE_EVENT_KINDS = (
    EventKind.STATUS,
    EventKind.CANCELLED,
    EventKind.DELIVERY,
    EventKind.PAYMENT,
)


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    title: Any
    detail: Any = ""


def _slot_words(event: OrderEvent) -> Any:
    slot = str((event.data or {}).get("slot") or "")
    if not slot:
        return None
    if (event.message or {}).get("code") not in ("slot_booked", "slot_moved"):
        return pgettext_lazy("customer timeline", "Delivery time cancelled")
    return _("Delivery time booked: %(slot)s") % {"slot": slot}


def order_timeline(order: Order, shipments: list[Shipment]) -> list[TimelineEntry]:
    """What happened to the order, newest first, in plain words: placed, confirmed, packed,
    shipped, delivered, payments, a booked delivery time, and, for an order in several
    parcels, each parcel handed over and delivered. One query (the
    shipments' events come prefetched)."""
    entries = [TimelineEntry(order.created_at, pgettext_lazy("customer timeline", "Order placed"))]
    told: set[Any] = set()
    events = OrderEvent.objects.filter(order=order, kind__in=TIMELINE_EVENT_KINDS).only(
        "created_at", "kind", "to_status", "message", "data"
    )
    for event in events.order_by("id"):
        title: Any = None
        if event.kind == EventKind.DELIVERY:
            title = _slot_words(event)
        elif event.kind == EventKind.PAYMENT:
            moved = (event.data or {}).get("payment_status") or [None, None]
            title = TIMELINE_PAYMENT.get(moved[-1])
        else:
            title = TIMELINE_ORDER_STATUS.get(event.to_status)
            # "Confirmed" once, however many of its kinds the order went through.
            if title is not None and str(title) in told:
                continue
            if title is not None:
                told.add(str(title))
        if title is not None:
            entries.append(TimelineEntry(event.created_at, title))
    several = len(shipments) > 1
    # One parcel tells its own story in its card; several are told here, each by number.
    for number, shipment in enumerate(shipments if several else [], start=1):
        for event in shipment.events.all():
            if event.kind != ShipmentEventKind.STATUS:
                continue
            title = TIMELINE_SHIPMENT_STATUS.get(event.to_status)
            if title is None:
                continue
            if event.to_status == S.DISPATCHED and shipment.carrier:
                title = _("Handed to %(carrier)s") % {"carrier": shipment.carrier}
            detail = _("Parcel %(n)s of %(total)s") % {"n": number, "total": len(shipments)}
            entries.append(TimelineEntry(event.created_at, title, detail))
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries


def public_order_page(order: Order) -> dict[str, Any]:
    """Everything shipping's part of the customer's page shows for the token's order."""
    lines = list(
        OrderLine.objects.filter(order=order).select_related("product").order_by("line_no")
    )
    shipments = list(
        Shipment.objects.filter(order=order)
        .exclude(status=S.CANCELLED)
        .prefetch_related(
            Prefetch("events", queryset=ShipmentEvent.objects.order_by("id")),
            Prefetch(
                "tracking_events", queryset=TrackingEvent.objects.order_by("event_time", "id")
            ),
            "lines__order_line__product",
        )
        .order_by("id")
    )
    return {
        "order": order,
        "words": order_words(order),
        "steps": STEPS,
        "lines": [
            LineView(
                name=product_name(line),
                sku=line.product.sku,
                quantity=line.quantity,
                unit_price=line.unit_price,
                line_total=line.line_total,
            )
            for line in lines
        ],
        "units": sum(line.quantity for line in lines),
        # The lines' amounts as charged (tax and discounts in them), so the figures add up.
        "items_total": order.total - order.shipping_fee - order.shipping_tax,
        # The shipping as charged: the fee and its VAT (the order's tax includes it).
        "shipping_charged": order.shipping_fee + order.shipping_tax,
        "shipments": [
            ShipmentView(
                number=shipment.number,
                words=SHIPMENT_WORDS[shipment.status],
                carrier=shipment.carrier,
                tracking_number=shipment.tracking_number,
                parcels=shipment.parcels,
                expected_delivery=shipment.expected_delivery_date,
                dispatched_at=shipment.dispatched_at,
                delivered_at=shipment.delivered_at,
                lines=[
                    (product_name(line.order_line), line.quantity) for line in shipment.lines.all()
                ],
                progress=_progress(shipment),
            )
            for shipment in shipments
        ],
        "timeline": order_timeline(order, shipments),
        "ship_to": {
            "name": masked_name(order.ship_recipient),
            "phone": masked_phone(order.ship_phone),
            "place": " ".join(
                part for part in (region_label(order.ship_region), order.ship_city) if part
            ),
        },
        "company": settings.OMS_COMPANY_NAME,
    }


def customer_link_panel(request: HttpRequest, order: Order) -> dict[str, Any]:
    """The card on the staff's order page: the link to copy, or a button that makes it (a
    page view never writes)."""
    return {"order": order, "url": order_page_url(order, request) if order.public_token else ""}
