"""Entering orders: create a draft (or place a whole order at once, as channels and imports do)
and edit a draft's header and lines."""

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from customers.models import Address, Customer
from inventory.models import Product
from oms.db import (
    atomic_with_retry,
    document_number,
    insert_rows,
    new_row,
    next_document_number,
    select_rows,
)
from oms.errors import ServiceError
from oms.money import ZERO
from oms.reference_cache import reference_snapshot
from orders import held_writes
from orders.choices import ChannelCode, EventKind, OrderStatus
from orders.held_writes import writes_at_end
from orders.intake.channels import channel_kind
from orders.models import Channel, Order, OrderLine
from orders.permissions import Actor, OrderAction
from orders.services.repricing import reprice
from orders.services.review import submit_draft
from orders.services.shared import (
    LineRequest,
    acting_user,
    build_lines,
    check_customer_may_order,
    check_line_requests,
    check_requested_date,
    check_sent_shipping_fee,
    copy_shipping_address,
    lock_order_for,
    mark_edited,
    record_event,
)

S = OrderStatus


@dataclass(frozen=True)
class NewDraft:
    order: Order
    lines: list[OrderLine]  # as inserted, priced; empty when the order existed already
    created: bool  # False: the (channel, external reference) was seen before


@atomic_with_retry()
def order_create(
    *,
    actor: Actor,
    customer: Customer,
    lines: Sequence[LineRequest] = (),
    shipping_address: Address | None = None,
    channel: str = ChannelCode.BACK_OFFICE,
    external_reference: str = "",
    requested_delivery_date: date | None = None,
    notes: str = "",
    needs_review: bool = False,
    entered_on: date | None = None,
) -> Order:
    """Create a draft order (back-office entry: a requested date in the past is refused). A
    repeated (channel, external reference) returns the first order. `entered_on` is the
    business day of entry: today, unless history is being loaded."""
    check_requested_date(requested_delivery_date, today=entered_on)
    return create_draft(
        actor=actor,
        customer=customer,
        lines=list(lines),
        shipping_address=shipping_address,
        channel=channel,
        external_reference=external_reference,
        requested_delivery_date=requested_delivery_date,
        notes=notes,
        needs_review=needs_review,
        entered_on=entered_on,
    ).order


def order_place(*, actor: Actor, customer: Customer, lines: list[LineRequest], **header) -> Order:
    """Create and submit in one transaction, as channel intake and imports do: priced once,
    then confirmed and allocated, or sent to review. A repeated external reference returns
    the first order untouched.

    A shop platform's order is never lost because its requested date has passed (the customer
    ordered; the date came late): it is taken with the date as sent, which then earns no
    urgency (orders.priority). Back-office orders still refuse a past date, as on entry."""
    try:
        return _place(actor=actor, customer=customer, lines=lines, **header)
    except IntegrityError as exc:
        # The new order's row goes in at the end (orders.held_writes): when another request
        # inserted the same reference and committed first, this transaction has rolled back
        # whole, and the answer is the first order, as the lookup in create_draft gives a
        # later request.
        channel = header.get("channel", ChannelCode.BACK_OFFICE)
        reference = header.get("external_reference", "")
        if not reference or not _reference_taken(exc):
            raise
        existing = order_with_reference(channel, customer, reference)
        if existing is None:
            raise
        return seen_before(existing, channel).order


@atomic_with_retry()
@writes_at_end()
@reference_snapshot()
def _place(*, actor: Actor, customer: Customer, lines: list[LineRequest], **header) -> Order:
    if header.get("channel", ChannelCode.BACK_OFFICE) == ChannelCode.BACK_OFFICE:
        check_requested_date(header.get("requested_delivery_date"), today=header.get("entered_on"))
    draft = create_draft(actor=actor, customer=customer, lines=list(lines), **header)
    if draft.created:
        submit_draft(draft.order, actor=actor, priced=True, lines=draft.lines)
    return draft.order


def create_draft(
    *,
    actor: Actor,
    customer: Customer,
    lines: list[LineRequest],
    channel: str = ChannelCode.BACK_OFFICE,
    external_reference: str = "",
    **header: Any,
) -> NewDraft:
    """Check, price and insert a draft with its lines (one INSERT each); runs in the caller's
    transaction. The header as `build_draft` takes it."""
    channel_kind(channel)  # an unknown channel is refused here, not by the foreign key
    if external_reference:
        existing = order_with_reference(channel, customer, external_reference)
        if existing is not None:
            return seen_before(existing, channel)
    order, new_lines = build_draft(
        actor=actor,
        customer=customer,
        lines=lines,
        channel=channel,
        external_reference=external_reference,
        **header,
    )
    if held_writes.active():
        # order_place: the row goes in once, in its final state, with the service's other
        # writes (orders.held_writes); its key and number come now, in one statement.
        [(order.pk, order.number)] = new_order_keys()
        held_writes.hold_insert(order)
    else:
        order.number = next_document_number("SO", "orders_order_number")
        try:
            # A savepoint, so that losing the race for a reference leaves the transaction
            # usable (without a reference there is no race to lose).
            with transaction.atomic() if external_reference else nullcontext():
                order.save(force_insert=True)
        except IntegrityError as exc:
            if not external_reference or not _reference_taken(exc):
                raise
            # Another request inserted the same reference and committed first: answer as if
            # it had come first, which is what the lookup above does for a later request.
            existing = order_with_reference(channel, customer, external_reference)
            if existing is None:
                raise
            return seen_before(existing, channel)
    for line in new_lines:
        line.order = order
    insert_rows(OrderLine, new_lines, read_keys=True)  # allocation goes on with their keys
    record_event(
        order,
        EventKind.CREATED,
        actor=actor,
        to_status=S.DRAFT,
        data={"channel": channel, "lines": len(lines)},
    )
    return NewDraft(order, new_lines, created=True)


def build_draft(
    *,
    actor: Actor,
    customer: Customer,
    lines: list[LineRequest],
    shipping_address: Address | None = None,
    channel: str = ChannelCode.BACK_OFFICE,
    external_reference: str = "",
    requested_delivery_date: date | None = None,
    notes: str = "",
    needs_review: bool = False,
    entered_on: date | None = None,
    replaces: Order | None = None,
    priority_boost: int = 0,
    prices_include_tax: bool | None = None,
    shipping_fee: Decimal | None = None,
    addresses: list[Address] | None = None,
    channel_gross: bool | None = None,
) -> tuple[Order, list[OrderLine]]:
    """A draft and its lines checked and priced in memory, not saved (create_draft and
    orders.services.batch_place write them). `replaces`: goods sent again at no charge for a
    return of that order (orders.services.replacement), priced at 100 % discount and no
    shipping fee. `addresses` (the customer's) and `channel_gross` (the channel's prices
    include tax) when the caller has looked them up for many orders at once.

    Lines that carry a unit price and tax rate (a channel's order) are priced as sent: those
    prices and the line discounts, gross or net by `prices_include_tax` (default: the
    channel's setting), and `shipping_fee` (net, default none), rounded by OMS_ROUNDING."""
    check_customer_may_order(customer, channel)
    # A replacement's 100 % discount is the after-sales decision, and a channel's order priced
    # as sent carries the discount the buyer got there (an import by a sales user, say): not
    # a person's discount, so no role limit applies to them.
    as_sent = bool(lines) and lines[0].priced_as_sent
    check_line_requests(None if replaces is not None or as_sent else actor, lines)
    if addresses is None:
        # customer.addresses.all(), in the model's order, without compiling the query.
        addresses = select_rows(
            Address, "customer_id = %s", [customer.pk], order_by="is_default_shipping DESC, id"
        )
    address = shipping_address or next((a for a in addresses if a.is_default_shipping), None)
    if address is None or address.customer_id != customer.pk:
        raise ValidationError(
            {"shipping_address": _("The customer has no shipping address yet: add one first.")}
        )
    billing = next((a for a in addresses if a.is_default_billing), address)
    order = new_row(
        Order,
        customer=customer,
        channel_id=channel,
        external_reference=external_reference,
        payment_terms=customer.payment_terms,
        requested_delivery_date=requested_delivery_date,
        notes=notes,
        needs_review=needs_review,
        billing_address=f"{billing.recipient} {billing.phone}\n{billing.one_line()} {billing.postal_code}".strip(),
        created_by=acting_user(actor),
        replaces=replaces,
        priority_boost=priority_boost,
    )
    copy_shipping_address(order, address)
    if as_sent:
        order.priced_as_sent = True
        if prices_include_tax is None:
            prices_include_tax = (
                channel_gross
                if channel_gross is not None
                else Channel.objects.filter(code=channel)
                .values_list("prices_include_tax", flat=True)
                .get()
            )
        order.prices_include_tax = prices_include_tax
        order.shipping_fee = check_sent_shipping_fee(shipping_fee)
    new_lines = build_lines(order, lines, 1)
    # Priced in memory, then written once: one INSERT for the order, one for its lines.
    reprice(order, new_lines, save_lines=False, save_order=False)
    return order, new_lines


def new_order_keys(count: int = 1) -> list[tuple[int, str]]:
    """New orders' primary keys and numbers, from their two sequences in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')), nextval('orders_order_number') "
            "FROM generate_series(1, %s)",
            [Order._meta.db_table, count],
        )
        return [(pk, document_number("SO", value)) for pk, value in cursor.fetchall()]


REFERENCE_CONSTRAINTS = frozenset(
    {"one_order_per_channel_reference", "one_back_office_order_per_customer_reference"}
)


def order_with_reference(channel: str, customer: Customer, reference: str) -> Order | None:
    """The order that already holds this reference: a channel's order ids are unique per
    channel, a back-office reference (the customer's PO number) per customer."""
    orders = Order.objects.filter(channel_id=channel, external_reference=reference)
    if channel == ChannelCode.BACK_OFFICE:
        orders = orders.filter(customer=customer)
    return orders.first()


def seen_before(existing: Order, channel: str) -> NewDraft:
    """A channel delivering an order again gets the first one back (idempotent intake); a
    person typing a reference the customer already used is told which order has it."""
    if channel == ChannelCode.BACK_OFFICE:
        raise ValidationError(
            {
                "external_reference": _(
                    "Order %(number)s of this customer already has reference %(reference)s."
                )
                % {"number": existing.number, "reference": existing.external_reference}
            }
        )
    return NewDraft(existing, [], created=False)


def _reference_taken(exc: IntegrityError) -> bool:
    constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
    return constraint in REFERENCE_CONSTRAINTS


@transaction.atomic
def order_update_draft(*, actor: Actor, order: Order, data: dict[str, Any]) -> Order:
    """Change the header of a draft: address, requested date, notes, review flag."""
    order = lock_order_for(order, actor, OrderAction.EDIT)
    changes = {}
    address = data.get("shipping_address")
    if address is not None:
        if address.customer_id != order.customer_id:
            raise ValidationError(
                {"shipping_address": _("Choose one of the customer's addresses.")}
            )
        copy_shipping_address(order, address)
        changes["shipping_address"] = address.one_line()
    if data.get("requested_delivery_date") != order.requested_delivery_date:
        check_requested_date(data.get("requested_delivery_date"))
    for field in ("requested_delivery_date", "notes", "needs_review"):
        if field in data and getattr(order, field) != data[field]:
            changes[field] = str(data[field])
            setattr(order, field, data[field])
    reprice(order)
    if changes:
        mark_edited(order, actor)
        record_event(order, EventKind.EDITED, actor=actor, data=changes)
    return order


@transaction.atomic
def order_line_add(
    *,
    actor: Actor,
    order: Order,
    product: Product,
    quantity: int,
    discount_percent: Decimal = ZERO,
) -> OrderLine:
    order = lock_order_for(order, actor, OrderAction.EDIT)
    request = LineRequest(product, quantity, discount_percent)
    check_line_requests(actor, [request])
    last = order.lines.order_by("-line_no").values_list("line_no", flat=True).first() or 0
    [line] = OrderLine.objects.bulk_create(build_lines(order, [request], last + 1))
    reprice(order)
    mark_edited(order, actor)
    return line


@transaction.atomic
def order_line_update(
    *, actor: Actor, order: Order, line_no: int, quantity: int, discount_percent: Decimal
) -> None:
    order = lock_order_for(order, actor, OrderAction.EDIT)
    line = order.lines.select_related("product").filter(line_no=line_no).first()
    if line is None:
        raise ServiceError(_("The order has no line %(line)s.") % {"line": line_no})
    check_line_requests(actor, [LineRequest(line.product, quantity, discount_percent)])
    line.quantity, line.discount_percent = quantity, discount_percent
    line.save(update_fields=["quantity", "discount_percent"])
    reprice(order)
    mark_edited(order, actor)


@transaction.atomic
def order_line_remove(*, actor: Actor, order: Order, line_no: int) -> None:
    order = lock_order_for(order, actor, OrderAction.EDIT)
    removed, _by_model = order.lines.filter(line_no=line_no).delete()
    if not removed:
        raise ServiceError(_("The order has no line %(line)s.") % {"line": line_no})
    reprice(order)
    mark_edited(order, actor)
