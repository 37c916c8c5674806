"""What every order service uses: the order's row lock, timeline events, checks of the lines
and the customer, and building new lines."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Address, Customer
from inventory.models import Product, WorkOrder
from inventory.work_orders import work_orders_cancel
from oms.db import insert_row, new_row
from oms.money import ZERO
from oms.roles import ROLES
from orders.choices import ChannelCode
from orders.held_writes import hold_event
from orders.models import Order, OrderEvent, OrderLine
from orders.permissions import Actor, OrderAction, ensure_action_allowed, ensure_permitted

MAX_LINE_QUANTITY = 1_000_000


@dataclass(frozen=True)
class LineRequest:
    product: Product
    quantity: int
    discount_percent: Decimal = ZERO
    # What a channel charged (its order is priced as sent, orders.services.draft): the unit
    # price (gross or net, by the order's prices_include_tax) and the tax rate as a fraction.
    unit_price: Decimal | None = None
    tax_rate: Decimal | None = None

    @property
    def priced_as_sent(self) -> bool:
        return self.unit_price is not None


def lock_order(order: Order | int) -> Order:
    """Lock the order row (always the first lock an order service takes) and read it fresh."""
    pk = order.pk if isinstance(order, Order) else order
    return Order.objects.select_for_update(of=("self",)).select_related("customer").get(pk=pk)


def lock_order_for(order: Order | int, actor: Actor, action: OrderAction) -> Order:
    """The guard every action service starts with: the actor's permission first (a refused
    actor takes no lock), then the order row lock, then what the order's state allows."""
    ensure_permitted(actor, action)
    order = lock_order(order)
    ensure_action_allowed(order, actor, action)
    return order


def acting_user(actor: Actor) -> Actor:
    """The user to record as the actor; None for the system or an anonymous request."""
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def record_event(
    order: Order,
    kind: str,
    *,
    actor: Actor = None,
    note: str = "",
    message: dict | None = None,
    data: dict | None = None,
    **status: str,
) -> OrderEvent:
    """Write one entry of the order's timeline (status= from_status/to_status when it moved).

    `note` is what a person typed; `message` what the system says, as a code with parameters
    (`orders.notes.order_note`), worded in the reader's language when the timeline is shown."""
    event = new_row(
        OrderEvent,
        order=order,
        kind=kind,
        actor=acting_user(actor),
        note=note,
        message=message or {},
        data=data or {},
        **status,
    )
    if not hold_event(event):
        insert_row(event)
    return event


def mark_edited(order: Order, actor: Actor) -> None:
    """Remember who last changed the order: that person may not approve it."""
    order.last_edited_by = acting_user(actor)
    order.save(update_fields=["last_edited_by", "updated_at"])


def check_requested_date(value: date | None, *, today: date | None = None) -> None:
    """A new requested delivery date must not lie in the past (it would also earn the order
    the highest urgency). A date already on the order is kept as it is."""
    if value is not None and value < (today or timezone.localdate()):
        raise ValidationError(
            {"requested_delivery_date": _("The requested delivery date cannot be in the past.")}
        )


def discount_limit(actor: Actor) -> Decimal:
    """The largest manual line discount the actor's roles allow, in percent."""
    if actor is None:
        return Decimal(100)  # system intake (imports, channels) applies agreed discounts
    if actor.is_superuser:
        return Decimal(100)
    names = set(actor.groups.values_list("name", flat=True))
    return Decimal(max((ROLES[n].discount_limit for n in names if n in ROLES), default=0))


def check_line_requests(actor: Actor, requests: list[LineRequest]) -> None:
    """Quantities, active products and the actor's discount limit; ValidationError per field."""
    # The limit needs the actor's roles: looked up only when a line asks for a discount.
    limit = discount_limit(actor) if any(r.discount_percent > 0 for r in requests) else ZERO
    for request in requests:
        product = request.product
        if (
            not isinstance(request.quantity, int)
            or isinstance(request.quantity, bool)
            or request.quantity < 1
        ):
            raise ValidationError({"quantity": _("Enter a quantity of at least 1.")})
        if request.quantity > MAX_LINE_QUANTITY:
            raise ValidationError(
                {"quantity": _("Enter a quantity of at most %(max)s.") % {"max": MAX_LINE_QUANTITY}}
            )
        if not product.is_active:
            raise ValidationError(
                {"product": _("Product %(sku)s is inactive.") % {"sku": product.sku}}
            )
        if (
            request.discount_percent < 0
            or request.discount_percent > 100
            or request.discount_percent != request.discount_percent.quantize(CENT)
        ):
            raise ValidationError({"discount_percent": _("Enter a discount between 0 and 100%.")})
        if request.discount_percent > limit:
            raise ValidationError(
                {
                    "discount_percent": _(
                        "Your role may give at most %(limit)s%% discount on a line."
                    )
                    % {"limit": f"{limit.normalize():f}"}
                }
            )
    check_sent_prices(requests)


CENT = Decimal("0.01")
MAX_UNIT_PRICE = Decimal("99999999.99")


def check_sent_shipping_fee(fee: Decimal | None) -> Decimal:
    """The shipping fee a channel charged (net): none is no fee."""
    if fee is None:
        return ZERO
    if not isinstance(fee, Decimal) or not fee.is_finite() or fee < 0 or fee != fee.quantize(CENT):
        raise ValidationError(
            {"shipping_fee": _("The shipping fee must be an amount of at most two decimals.")}
        )
    return fee


def check_sent_prices(requests: list[LineRequest]) -> None:
    """A channel's prices come whole or not at all: every line has its unit price (at most two
    decimals, not negative) and its tax rate (a fraction from 0 to 1), or none has."""
    sent = [r.priced_as_sent for r in requests]
    if any(sent) and not all(sent):
        raise ValidationError(
            {"unit_price": _("Give every line its unit price, or none (price list prices).")}
        )
    for request in requests:
        if not request.priced_as_sent:
            continue
        sku = request.product.sku
        price = request.unit_price
        if (
            not isinstance(price, Decimal)
            or not price.is_finite()
            or price < 0
            or price > MAX_UNIT_PRICE
            or price != price.quantize(CENT)
        ):
            raise ValidationError(
                {
                    "unit_price": _(
                        "The unit price of %(sku)s must be an amount of at most two decimals."
                    )
                    % {"sku": sku}
                }
            )
        rate = request.tax_rate
        if (
            not isinstance(rate, Decimal)
            or not rate.is_finite()
            or not 0 <= rate <= 1
            or rate != rate.quantize(Decimal("0.0001"))
        ):
            raise ValidationError(
                {
                    "tax_rate": _(
                        "The tax rate of %(sku)s must be a percentage from 0 to 100 with at "
                        "most two decimals."
                    )
                    % {"sku": sku}
                }
            )


def check_customer_may_order(customer: Customer, channel: str = ChannelCode.BACK_OFFICE) -> None:
    """Refuse an inactive customer, and back-office entry for a customer on credit hold. A
    channel's order for a held customer is taken and waits in review (orders.review)."""
    if not customer.is_active:
        raise ValidationError(
            {"customer": _("Customer %(code)s is inactive.") % {"code": customer.code}}
        )
    if customer.credit_hold and channel == ChannelCode.BACK_OFFICE:
        raise ValidationError(
            {
                "customer": _("Customer %(code)s is on credit hold: no new orders.")
                % {"code": customer.code}
            }
        )


def copy_shipping_address(order: Order, address: Address) -> None:
    """The order keeps its own copy: editing the customer's address later does not move it."""
    order.ship_recipient, order.ship_phone = address.recipient, address.phone
    order.ship_region, order.ship_city, order.ship_district = (
        address.region,
        address.city,
        address.district,
    )
    order.ship_street, order.ship_postal_code = address.street, address.postal_code
    order.ship_latitude, order.ship_longitude = address.latitude, address.longitude


def build_lines(order: Order, requests: list[LineRequest], first_line_no: int) -> list[OrderLine]:
    """Unsaved, unpriced lines numbered from first_line_no."""
    return [
        new_row(
            OrderLine,
            order=order,
            line_no=first_line_no + i,
            product=r.product,
            description=f"{r.product.name} {r.product.name_en}".strip()[:250],
            quantity=r.quantity,
            discount_percent=r.discount_percent,
            unit_price=r.unit_price if r.unit_price is not None else ZERO,
            tax_rate=r.tax_rate if r.tax_rate is not None else ZERO,
            made_to_order=r.product.made_to_order,
        )
        for i, r in enumerate(requests)
    ]


def cancel_work_orders(actor: Actor, line_ids: Iterable[int]) -> None:
    """Stop the work orders of these lines. The caller holds the order lock and has not yet
    locked stock rows: locks go order, then work orders, then stock, as in inventory."""
    work_orders_cancel(
        actor=actor,
        work_order_ids=list(
            WorkOrder.objects.filter(order_line_id__in=line_ids).values_list("pk", flat=True)
        ),
    )
