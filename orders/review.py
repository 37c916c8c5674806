"""Which approvals an order needs: the active approval rules applied to its current values."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from customers.choices import PaymentTerms
from orders import hooks
from orders.choices import (
    OPEN_STATUSES,
    ApprovalCondition,
    ApprovalReason,
    ChannelCode,
    OrderStatus,
)
from orders.models import Order, OrderLine
from orders.reasons import reason
from orders.reference import approval_rules

CREDIT_TERMS = {PaymentTerms.NET_15, PaymentTerms.NET_30, PaymentTerms.NET_60}


@dataclass(frozen=True)
class Requirement:
    rule_id: int | None  # None: not a rule's (a channel order of a customer on credit hold)
    level: int
    role: str
    # Codes with parameters (orders/reasons.py), never words: the reader's language decides.
    reasons: tuple[dict[str, Any], ...]


CREDIT_OPEN_STATUSES = OPEN_STATUSES | {OrderStatus.PENDING_REVIEW}


def open_order_value(customer_id: int, *, excluding: int | None = None) -> Decimal:
    """What the customer owes: orders not yet shipped in full (in review or open), plus what
    the registered exposure providers add (billing: unpaid invoices of the other orders less
    the customer's unapplied credit). Never below 0."""
    return open_order_values([customer_id], excluding=excluding)[customer_id]


def open_order_values(
    customer_ids: list[int], *, excluding: int | None = None
) -> dict[int, Decimal]:
    """open_order_value of many customers, in one statement per source."""
    orders = Order.objects.filter(customer_id__in=customer_ids, status__in=CREDIT_OPEN_STATUSES)
    if excluding is not None:
        orders = orders.exclude(pk=excluding)
    totals = dict.fromkeys(customer_ids, Decimal(0))
    for customer_id, total in (
        orders.order_by()
        .values("customer_id")
        .annotate(total=Sum("total"))
        .values_list("customer_id", "total")
    ):
        totals[customer_id] += total or Decimal(0)
    for provider in hooks.credit_exposure_providers:
        for customer_id, amount in provider(customer_ids, excluding).items():
            totals[customer_id] += amount
    return {customer_id: max(total, Decimal(0)) for customer_id, total in totals.items()}


@dataclass
class CustomerFacts:
    """What the review rules ask about the customers of a batch of new orders, read for all
    of them at once (orders.services.batch_place); each order of the batch adds itself, so the
    batch's second order of a customer is checked as if the first were already placed."""

    open_value: dict[int, Decimal]
    ordered_before: set[int]

    def add(self, order: Order) -> None:
        if order.status in CREDIT_OPEN_STATUSES:
            self.open_value[order.customer_id] += order.total
        if order.status not in (OrderStatus.DRAFT, OrderStatus.CANCELLED):
            self.ordered_before.add(order.customer_id)


def customer_facts(customer_ids: list[int]) -> CustomerFacts:
    ordered = (
        Order.objects.filter(customer_id__in=customer_ids)
        .exclude(status__in=[OrderStatus.DRAFT, OrderStatus.CANCELLED])
        .order_by()
        .values_list("customer_id", flat=True)
        .distinct()
    )
    return CustomerFacts(open_order_values(customer_ids), set(ordered))


def held_channel_order(order: Order) -> bool:
    """An order a channel sent for a customer on credit hold: taken, and finance decides
    (back-office entry for such a customer is refused before it gets here)."""
    return order.channel_id != ChannelCode.BACK_OFFICE and order.customer.credit_hold


def credit_exposure(order: Order, facts: CustomerFacts | None = None) -> Decimal | None:
    """What the customer would owe with this order, when that is above their credit limit."""
    if order.payment_terms not in CREDIT_TERMS:
        return None
    if facts is not None:  # a new order of a batch: nothing refers to it yet
        owed = facts.open_value[order.customer_id]
    else:
        owed = open_order_value(order.customer_id, excluding=order.pk)
    exposure = owed + order.total
    return exposure if exposure > order.customer.credit_limit else None


def credit_exceeded(order: Order) -> bool:
    return credit_exposure(order) is not None


def is_new_customer(order: Order, facts: CustomerFacts | None = None) -> bool:
    if facts is not None:
        return order.customer_id not in facts.ordered_before
    return not (
        Order.objects.filter(customer_id=order.customer_id)
        .exclude(pk=order.pk)
        .exclude(status__in=[OrderStatus.DRAFT, OrderStatus.CANCELLED])
        .exists()
    )


def required_approvals(
    order: Order, lines: list[OrderLine] | None = None, facts: CustomerFacts | None = None
) -> list[Requirement]:
    """One requirement per (level, role), with the reasons of the rules that asked for it.
    `lines`, when the caller holds the order's lines, saves looking for them; `facts`, for a
    batch of new orders, the customers' figures read at once."""
    found: dict[tuple[int, str], Requirement] = {}
    mto_skus = (
        None
        if lines is None
        else [
            line.product.sku
            for line in sorted(lines, key=lambda line: line.line_no)
            if line.made_to_order
        ]
    )
    # The active rules come from the per-process cache (orders.reference).
    for rule in approval_rules():
        entry = None
        if rule.condition == ApprovalCondition.AMOUNT_AT_LEAST:
            if order.total >= rule.threshold:
                entry = reason(ApprovalReason.AMOUNT_OVER, amount=order.total, limit=rule.threshold)
        elif rule.condition == ApprovalCondition.MADE_TO_ORDER:
            if mto_skus is None:
                mto_skus = list(
                    order.lines.filter(made_to_order=True)
                    .order_by("line_no")
                    .values_list("product__sku", flat=True)
                )
            if mto_skus:
                entry = reason(ApprovalReason.MADE_TO_ORDER, skus=mto_skus)
        elif rule.condition == ApprovalCondition.CREDIT_EXCEEDED:
            exposure = credit_exposure(order, facts)
            if exposure is not None:
                entry = reason(
                    ApprovalReason.CREDIT_EXCEEDED,
                    limit=order.customer.credit_limit,
                    exposure=exposure,
                )
        elif rule.condition == ApprovalCondition.NEW_CUSTOMER:
            if is_new_customer(order, facts):
                entry = reason(ApprovalReason.NEW_CUSTOMER)
        elif order.needs_review:
            entry = reason(ApprovalReason.MANUAL_FLAG)
        if entry is not None:
            key = (rule.level, rule.required_role)
            earlier = found[key].reasons if key in found else ()
            found[key] = Requirement(rule.pk, rule.level, rule.required_role, (*earlier, entry))
    if held_channel_order(order):
        key = (1, "finance")
        earlier = found[key].reasons if key in found else ()
        rule_id = found[key].rule_id if key in found else None
        found[key] = Requirement(
            rule_id, 1, "finance", (*earlier, reason(ApprovalReason.CREDIT_HOLD))
        )
    return sorted(found.values(), key=lambda r: (r.level, r.role))
