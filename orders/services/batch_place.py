"""Placing many orders at once (imports): order_place's checks, pricing and review for each
order, its writes for the whole batch.

The customers' addresses, the channels' price setting, the references already taken and the
review rules' figures (open order values, earlier orders) are read once for the batch; each
table is then written with one INSERT for all its new rows (orders, lines, approvals, timeline
events, messages go in as the services write them). Confirmed orders are allocated after
commit, one order per transaction in a worker, as for any confirmed order; the nightly job
(orders.tasks.refresh_priorities) allocates any whose task was lost.

Runs in the caller's transaction. An order the checks refuse fails alone: its result carries
the error and nothing of it is written. A refusal by the database (a reference another import
committed a moment before) fails the whole batch; the caller then places its orders one by
one (orders.services.order_place), which answers each on its own.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from customers.models import Address, Customer
from oms.db import insert_rows
from oms.reference_cache import reference_snapshot
from oms.together import together
from orders import held_writes, hooks
from orders.choices import ChannelCode, EventKind, OrderStatus
from orders.intake.channels import channel_kind
from orders.models import Channel, Order, OrderLine
from orders.permissions import Actor
from orders.review import customer_facts
from orders.selectors import allocation_waits
from orders.services.draft import build_draft, new_order_keys, seen_before
from orders.services.review import submit_draft
from orders.services.shared import LineRequest, check_requested_date, record_event
from orders.tasks import schedule_placed_allocation


@dataclass
class PlaceRequest:
    customer: Customer
    lines: list[LineRequest]
    header: dict[str, Any] = field(default_factory=dict)  # order_place's keyword arguments
    placed_at: datetime | None = None  # when another system took the order, if earlier


@dataclass
class PlaceResult:
    order: Order | None = None
    created: bool = False  # False with an order: its reference was placed before
    error: ValidationError | None = None


def order_place_batch(*, actor: Actor, requests: Sequence[PlaceRequest]) -> list[PlaceResult]:
    """Place each request as order_place would; the results in the requests' order."""
    results = [PlaceResult() for _ in requests]
    with reference_snapshot(), together(), held_writes.writes_at_end():
        built, repeats = _build(actor, requests, results)
        keys = new_order_keys(len(built)) if built else []
        new_lines: list[OrderLine] = []
        for (index, order, lines), (pk, number) in zip(built, keys, strict=True):
            order.pk, order.number = pk, number
            held_writes.hold_insert(order)
            for line in lines:
                line.order = order
            new_lines += lines
            results[index] = PlaceResult(order=order, created=True)
        for index, first in repeats.items():
            results[index] = PlaceResult(order=results[first].order, created=False)
        # The lines go in before the orders they belong to: the foreign key is checked at
        # commit. The messages the review writes read them.
        insert_rows(OrderLine, new_lines)
        facts = customer_facts(sorted({order.customer_id for _i, order, _l in built}))
        confirmed: list[Order] = []
        for _index, order, lines in built:
            record_event(
                order,
                EventKind.CREATED,
                actor=actor,
                to_status=OrderStatus.DRAFT,
                data={"channel": order.channel_id, "lines": len(lines)},
            )
            submit_draft(order, actor=actor, priced=True, lines=lines, facts=facts, later=confirmed)
            facts.add(order)
        held_writes.flush()
        for order in confirmed:
            hooks.notify_order_confirmed(order, actor)
        _keep_placed_times(requests, results)
        schedule_placed_allocation([o.pk for o in confirmed if not allocation_waits(o)])
    return results


def _build(
    actor: Actor, requests: Sequence[PlaceRequest], results: list[PlaceResult]
) -> tuple[list[tuple[int, Order, list[OrderLine]]], dict[int, int]]:
    """Each request checked and priced in memory (a refused one gets its error, a reference
    placed before its first order), with what the checks need read for all of them at once.
    Also the requests that repeat an earlier request's reference: index → the first's."""
    customer_ids = {request.customer.pk for request in requests}
    addresses: dict[int, list[Address]] = defaultdict(list)
    for address in Address.objects.filter(customer_id__in=customer_ids).order_by("pk"):
        addresses[address.customer_id].append(address)
    channels = {request.header.get("channel", ChannelCode.BACK_OFFICE) for request in requests}
    gross = dict(
        Channel.objects.filter(code__in=channels).values_list("code", "prices_include_tax")
    )
    taken = _references_taken(requests)
    seen: dict[tuple, int] = {}
    repeats: dict[int, int] = {}
    built = []
    for index, request in enumerate(requests):
        header = dict(request.header)
        channel = header.setdefault("channel", ChannelCode.BACK_OFFICE)
        key = _reference_key(channel, header.get("external_reference", ""), request.customer)
        try:
            channel_kind(channel)
            if key is not None and key in taken:
                results[index] = PlaceResult(seen_before(taken[key], channel).order, False)
                continue
            if key is not None and key in seen:
                # The same reference twice in one batch: a channel's repeat gets the first
                # order (as a later delivery would); a person's is refused, as on entry.
                if channel == ChannelCode.BACK_OFFICE:
                    raise ValidationError(
                        {
                            "external_reference": _(
                                "Reference %(reference)s is given to two orders."
                            )
                            % {"reference": header["external_reference"]}
                        }
                    )
                repeats[index] = seen[key]
                continue
            if channel == ChannelCode.BACK_OFFICE:
                check_requested_date(
                    header.get("requested_delivery_date"), today=header.get("entered_on")
                )
            order, lines = build_draft(
                actor=actor,
                customer=request.customer,
                lines=list(request.lines),
                addresses=addresses[request.customer.pk],
                channel_gross=gross.get(channel),
                **header,
            )
        except ValidationError as exc:
            results[index] = PlaceResult(error=exc)
            continue
        if key is not None:
            seen[key] = index
        built.append((index, order, lines))
    return built, repeats


def _reference_key(channel: str, reference: str, customer: Customer) -> tuple | None:
    """What makes a reference unique: per channel, or per customer in the back office."""
    if not reference:
        return None
    return (channel, reference, customer.pk if channel == ChannelCode.BACK_OFFICE else None)


def _references_taken(requests: Sequence[PlaceRequest]) -> dict[tuple, Order]:
    references = {
        request.header.get("external_reference")
        for request in requests
        if request.header.get("external_reference")
    }
    if not references:
        return {}
    channels = {request.header.get("channel", ChannelCode.BACK_OFFICE) for request in requests}
    taken: dict[tuple, Order] = {}
    for order in Order.objects.filter(
        channel_id__in=channels, external_reference__in=references
    ).select_related("customer"):
        key = _reference_key(order.channel_id or "", order.external_reference, order.customer)
        assert key is not None
        taken.setdefault(key, order)
    return taken


def _keep_placed_times(requests: Sequence[PlaceRequest], results: list[PlaceResult]) -> None:
    """An order taken earlier in another system keeps its time there (one UPDATE)."""
    dated = []
    for request, result in zip(requests, results, strict=True):
        if result.created and result.order is not None and request.placed_at is not None:
            result.order.created_at = request.placed_at
            dated.append(result.order)
    if dated:
        assert transaction.get_connection().in_atomic_block
        Order.objects.bulk_update(dated, ["created_at"])
