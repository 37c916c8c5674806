"""One order shape for every channel (the API, platform webhooks, marketplace pulls), and the
one way it becomes an order: `intake_order` finds or creates the buyer, finds or adds the
ship-to address, maps the SKUs and calls `orders.services.order_place`, all in one
transaction, so a refused order leaves no buyer or address behind."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from customers.models import Address, Customer
from customers.services import address_save, customer_create
from inventory.models import Product
from oms.regions import region_from_text
from orders import hooks
from orders.intake.models import Channel, ChannelBuyer
from orders.models import Order
from orders.services import LineRequest, order_place

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class SentLine:
    sku: str
    quantity: int
    unit_price: Decimal | None = None  # None: the price list's price
    discount_percent: Decimal = Decimal(0)
    tax_rate: Decimal | None = None  # a percentage, 13 for 13 %


@dataclass(frozen=True)
class SentAddress:
    recipient: str
    phone: str
    region: str  # a province code or name (浙江省, Zhejiang, ZJ)
    city: str
    street: str
    district: str = ""
    postal_code: str = ""


@dataclass(frozen=True)
class SentBuyer:
    buyer_id: str  # the platform's id of the buyer, unique within the channel
    name: str
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class SentOrder:
    external_id: str
    lines: tuple[SentLine, ...]
    customer_code: str = ""  # a known customer; else `buyer`
    buyer: SentBuyer | None = None
    ship_to: SentAddress | None = None  # None: the customer's default address
    prices_include_tax: bool | None = None  # None: the channel's setting
    shipping_fee: Decimal | None = None
    requested_delivery_date: date | None = None
    notes: str = ""
    # What the buyer already paid on the platform (billing records it: orders.hooks.order_placed).
    paid_amount: Decimal | None = None
    payment_reference: str = ""
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Intake:
    order: Order
    created: bool


def refused(field_name: str, message: str) -> ValidationError:
    return ValidationError({field_name: message})


@transaction.atomic
def intake_order(*, channel: Channel, sent: SentOrder) -> Intake:
    """Place a channel's order as sent. The same external id again returns the first order
    untouched (created False); bad input raises ValidationError and writes nothing."""
    if not channel.is_active:
        raise refused("channel", _("Channel %(name)s is switched off.") % {"name": channel})
    external_id = sent.external_id.strip()
    if not external_id or len(external_id) > 64:
        raise refused(
            "external_id", _("Give the order's id on the channel (at most 64 characters).")
        )
    existing = Order.objects.filter(channel_id=channel.code, external_reference=external_id).first()
    if existing is not None:
        return Intake(existing, created=False)
    if not sent.lines:
        raise refused("lines", _("An order needs at least one line."))
    customer = _customer(channel, sent)
    address = _address(customer, sent.ship_to) if sent.ship_to else None
    lines = _line_requests(sent.lines)
    order = order_place(
        actor=None,
        customer=customer,
        lines=lines,
        channel=channel.code,
        external_reference=external_id,
        shipping_address=address,
        requested_delivery_date=sent.requested_delivery_date,
        notes=sent.notes,
        prices_include_tax=sent.prices_include_tax if lines[0].priced_as_sent else None,
        shipping_fee=sent.shipping_fee if lines[0].priced_as_sent else None,
    )
    for listener in hooks.order_placed:
        listener(order, sent.paid_amount, sent.payment_reference or external_id)
    return Intake(order, created=True)


def _customer(channel: Channel, sent: SentOrder) -> Customer:
    if sent.customer_code:
        customer = Customer.objects.filter(code=sent.customer_code.strip()).first()
        if customer is None:
            raise refused(
                "customer", _("There is no customer %(code)s.") % {"code": sent.customer_code}
            )
        return customer
    buyer = sent.buyer
    if buyer is None or not buyer.buyer_id.strip():
        raise refused("customer", _("Give a customer code or the platform's buyer."))
    known = (
        ChannelBuyer.objects.select_related("customer")
        .filter(channel=channel, buyer_id=buyer.buyer_id.strip())
        .first()
    )
    if known is not None:
        return known.customer
    customer = customer_create(
        actor=None,
        data={
            "code": _new_buyer_code(),
            "name": (buyer.name.strip() or buyer.buyer_id.strip())[:100],
            "phone": buyer.phone.strip() or (sent.ship_to.phone if sent.ship_to else ""),
            "email": buyer.email.strip(),
            "group": channel.customer_group,
            "region": _region(sent.ship_to.region) if sent.ship_to else "",
        },
    )
    ChannelBuyer.objects.create(channel=channel, buyer_id=buyer.buyer_id.strip(), customer=customer)
    return customer


def _new_buyer_code() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('orders_buyer_code')")
        (value,) = cursor.fetchone()
    return f"W{value:07d}"


def _region(text: str) -> str:
    code = region_from_text(text)
    if code is None:
        raise refused("ship_to", _("%(region)s is not a province we know.") % {"region": text})
    return code


def _address(customer: Customer, sent: SentAddress) -> Address:
    """The customer's address that matches what was sent, or a new one."""
    data = {
        "recipient": sent.recipient.strip()[:100],
        "phone": sent.phone.strip(),
        "region": _region(sent.region),
        "city": sent.city.strip(),
        "district": sent.district.strip(),
        "street": sent.street.strip(),
        "postal_code": sent.postal_code.strip(),
    }
    match = customer.addresses.filter(**data).first()
    if match is not None:
        return match
    try:
        return address_save(actor=None, customer=customer, address=None, data=data)
    except ValidationError as exc:
        raise ValidationError({"ship_to": exc.messages}) from exc


def _line_requests(sent_lines: tuple[SentLine, ...]) -> list[LineRequest]:
    skus = {line.sku.strip() for line in sent_lines}
    products = {p.sku: p for p in Product.objects.filter(sku__in=skus)}
    requests = []
    for line in sent_lines:
        product = products.get(line.sku.strip())
        if product is None:
            raise refused("lines", _("There is no product with SKU %(sku)s.") % {"sku": line.sku})
        rate = None if line.tax_rate is None else line.tax_rate / HUNDRED
        requests.append(
            LineRequest(
                product,
                line.quantity,
                line.discount_percent,
                unit_price=line.unit_price,
                tax_rate=rate,
            )
        )
    return requests
