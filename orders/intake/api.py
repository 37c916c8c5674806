"""The orders part of the channel API (/api/v1/orders): create (idempotent), read by number
or the channel's id, the feed of orders changed since a cursor, and a cancellation request.
A token sees only its own channel's orders; anything else is "not found"."""

import base64
import hashlib
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from oms.api import InputSchema, require_scope
from oms.errors import ServiceError
from orders.intake.models import ApiIdempotencyKey, ApiScope
from orders.intake.place import SentAddress, SentBuyer, SentLine, SentOrder, intake_order
from orders.models import Order
from orders.services import order_cancel

router = Router(tags=["orders"])

Money = Annotated[Decimal, Field(ge=0, le=Decimal("99999999.99"), decimal_places=2)]
Percent = Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)]
# Orders changed in the last seconds may still be committing: the feed stops short of them.
SETTLE = timedelta(seconds=5)
MAX_PAGE = 200


class LineIn(InputSchema):
    sku: str = Field(min_length=1, max_length=40)
    quantity: int = Field(ge=1, le=1_000_000)
    unit_price: Money | None = Field(None, description="The channel's price; omit for ours.")
    discount_percent: Percent = Decimal(0)
    tax_rate: Percent | None = Field(None, description="A percentage: 13 for 13 %.")


class AddressIn(InputSchema):
    recipient: str = Field(min_length=1, max_length=100)
    phone: str = Field(min_length=1, max_length=30)
    region: str = Field(min_length=1, max_length=40, description="Province code or name.")
    city: str = Field(min_length=1, max_length=60)
    district: str = Field("", max_length=60)
    street: str = Field(min_length=1, max_length=200)
    postal_code: str = Field("", max_length=10)


class BuyerIn(InputSchema):
    buyer_id: str = Field(min_length=1, max_length=64)
    name: str = Field("", max_length=100)
    phone: str = Field("", max_length=30)
    email: str = Field("", max_length=254)


class OrderIn(InputSchema):
    external_id: str = Field(min_length=1, max_length=64, description="Your order's id.")
    customer_code: str = Field("", max_length=20, description="A known customer, or `buyer`.")
    buyer: BuyerIn | None = None
    ship_to: AddressIn | None = None
    lines: list[LineIn] = Field(min_length=1, max_length=200)
    prices_include_tax: bool | None = None
    shipping_fee: Money | None = None
    requested_delivery_date: date | None = None
    notes: str = Field("", max_length=2000)
    paid_amount: Money | None = Field(None, description="Already paid on your side.")
    payment_reference: str = Field("", max_length=64)


class LineOut(Schema):
    line_no: int
    sku: str
    description: str
    quantity: int
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate: Decimal
    line_total: Decimal


class OrderOut(Schema):
    number: str
    external_id: str
    channel: str
    customer_code: str
    status: str
    fulfilment_status: str
    payment_status: str
    prices_include_tax: bool
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    shipping_fee: Decimal
    total: Decimal
    created_at: datetime
    updated_at: datetime
    lines: list[LineOut]


class OrderPage(Schema):
    items: list[OrderOut]
    next_cursor: str


class CancelIn(InputSchema):
    reason: str = Field(min_length=1, max_length=200)


class Problem(Schema):
    """What went wrong: a sentence, or the fields and their messages."""

    detail: str | dict | list


# Every operation may answer these (unreadable input, no or a revoked token, a missing scope, another channel's
# order, a body too large, invalid input, too many requests).
PROBLEMS = {code: Problem for code in (400, 401, 403, 404, 413, 422, 429)}


def order_out(order: Order) -> dict:
    return {
        "number": order.number,
        "external_id": order.external_reference,
        "channel": order.channel_id,
        "customer_code": order.customer.code,
        "status": order.status,
        "fulfilment_status": order.fulfilment_status,
        "payment_status": order.payment_status,
        "prices_include_tax": order.prices_include_tax,
        "subtotal": order.subtotal,
        "discount_total": order.discount_total,
        "tax_total": order.tax_total,
        "shipping_fee": order.shipping_fee,
        "total": order.total,
        "created_at": order.created_at,
        "updated_at": order.updated_at,
        "lines": [
            {
                "line_no": line.line_no,
                "sku": line.product.sku,
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "discount_percent": line.discount_percent,
                "tax_rate": (line.tax_rate * 100).normalize(),
                "line_total": line.line_total,
            }
            for line in order.lines.all()
        ],
    }


def channel_orders(channel_code: str):
    return (
        Order.objects.filter(channel_id=channel_code)
        .select_related("customer")
        .prefetch_related("lines__product")
    )


def channel_order(channel_code: str, ref: str) -> Order:
    """The channel's order by our number or the channel's id; another channel's is 404."""
    order = channel_orders(channel_code).filter(Q(number=ref) | Q(external_reference=ref)).first()
    if order is None:
        raise HttpError(404, _("This channel has no order %(ref)s.") % {"ref": ref})
    return order


def _problem(exc: ValidationError) -> dict:
    return (
        {
            field: [str(message) for message in messages]
            for field, messages in exc.message_dict.items()
        }
        if hasattr(exc, "error_dict")
        else {"order": [str(m) for m in exc.messages]}
    )


def _sent(body: OrderIn) -> SentOrder:
    return SentOrder(
        external_id=body.external_id,
        customer_code=body.customer_code,
        buyer=SentBuyer(**body.buyer.dict()) if body.buyer else None,
        ship_to=SentAddress(**body.ship_to.dict()) if body.ship_to else None,
        lines=tuple(SentLine(**line.dict()) for line in body.lines),
        prices_include_tax=body.prices_include_tax,
        shipping_fee=body.shipping_fee,
        requested_delivery_date=body.requested_delivery_date,
        notes=body.notes,
        paid_amount=body.paid_amount,
        payment_reference=body.payment_reference,
    )


@router.post(
    "/orders",
    response={**PROBLEMS, 200: OrderOut, 201: OrderOut, 409: Problem},
    summary="Create an order",
    description=(
        "Idempotent on `external_id` (the same id again answers 200 with the first order) and "
        "on the `Idempotency-Key` header (the same key again gets the same answer; the same "
        "key with another body is refused with 409)."
    ),
)
def create_order(request: HttpRequest, body: OrderIn):
    caller = require_scope(request, ApiScope.CREATE_ORDERS)
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 100:
        return 422, {"detail": _("The Idempotency-Key is longer than 100 characters.")}
    digest = hashlib.sha256(request.body).hexdigest()
    try:
        with transaction.atomic():
            if key:
                # Taken first: a second request with the key waits here for the first's answer.
                stored, new = ApiIdempotencyKey.objects.select_for_update().get_or_create(
                    channel=caller.channel,
                    key=key,
                    defaults={"body_digest": digest, "status_code": 0, "response": {}},
                )
                if not new:
                    if stored.body_digest != digest:
                        return 409, {
                            "detail": _("This Idempotency-Key was used with another request body.")
                        }
                    return stored.status_code, stored.response
            intake = intake_order(channel=caller.channel, sent=_sent(body))
            status = 201 if intake.created else 200
            payload = OrderOut.model_validate(
                order_out(channel_order(caller.channel_code, intake.order.number))
            )
            answer = payload.model_dump(mode="json")
            if key:
                ApiIdempotencyKey.objects.filter(pk=stored.pk).update(
                    status_code=status, response=answer
                )
    except ValidationError as exc:
        return 422, {"detail": _problem(exc)}
    except ServiceError as exc:
        return 422, {"detail": str(exc)}
    return status, answer


@router.get(
    "/orders/{ref}",
    response={**PROBLEMS, 200: OrderOut},
    summary="An order by number or external id",
)
def get_order(request: HttpRequest, ref: str):
    caller = require_scope(request, ApiScope.READ_ORDERS)
    return 200, order_out(channel_order(caller.channel_code, ref))


def _cursor(order: Order) -> str:
    stamp = int(order.updated_at.timestamp() * 1_000_000)
    return base64.urlsafe_b64encode(f"{stamp}.{order.pk}".encode()).decode().rstrip("=")


def _read_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.split(".")
        return datetime.fromtimestamp(int(stamp) / 1_000_000, tz=UTC), int(pk)
    except (ValueError, UnicodeDecodeError, OverflowError, OSError):
        raise HttpError(422, _("This cursor is not one we gave out.")) from None


@router.get(
    "/orders",
    response={**PROBLEMS, 200: OrderPage},
    summary="Orders changed since a cursor",
    description=(
        "Orders of this channel in the order they last changed. Start without a cursor, then "
        "pass `next_cursor` back; an empty page means nothing changed since."
    ),
)
def changed_orders(
    request: HttpRequest, cursor: str = "", limit: int = Query(50, ge=1, le=MAX_PAGE)
):
    caller = require_scope(request, ApiScope.READ_ORDERS)
    orders = channel_orders(caller.channel_code).filter(updated_at__lt=timezone.now() - SETTLE)
    if cursor:
        since, pk = _read_cursor(cursor)
        orders = orders.filter(Q(updated_at__gt=since) | Q(updated_at=since, pk__gt=pk))
    page = list(orders.order_by("updated_at", "pk")[:limit])
    return 200, {
        "items": [order_out(order) for order in page],
        "next_cursor": _cursor(page[-1]) if page else cursor,
    }


@router.post(
    "/orders/{ref}/cancel",
    response={**PROBLEMS, 200: OrderOut, 409: Problem},
    summary="Ask to cancel an order",
    description="Cancelled unless it is too late (goods left, or nothing to cancel): 409 says why.",
)
def cancel_order(request: HttpRequest, ref: str, body: CancelIn):
    caller = require_scope(request, ApiScope.CREATE_ORDERS)
    order = channel_order(caller.channel_code, ref)
    try:
        order_cancel(actor=None, order=order, reason=body.reason)
    except (ServiceError, ValidationError) as exc:
        message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        return 409, {"detail": message}
    return 200, order_out(channel_order(caller.channel_code, ref))
