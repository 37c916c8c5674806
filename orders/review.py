"""Which approvals an order needs: the active approval rules applied to its current values."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from customers.choices import PaymentTerms
from oms.tables import format_money
from orders.choices import OPEN_STATUSES, ApprovalCondition, OrderStatus
from orders.models import ApprovalRule, Order

CREDIT_TERMS = {PaymentTerms.NET_15, PaymentTerms.NET_30, PaymentTerms.NET_60}


@dataclass(frozen=True)
class Requirement:
    rule_id: int
    level: int
    role: str
    reason: str


def open_order_value(customer_id: int, *, excluding: int | None = None) -> Decimal:
    """What the customer owes for orders not yet completed (later: plus unpaid invoices)."""
    orders = Order.objects.filter(
        customer_id=customer_id, status__in=OPEN_STATUSES | {OrderStatus.PENDING_REVIEW}
    )
    if excluding is not None:
        orders = orders.exclude(pk=excluding)
    return orders.aggregate(total=Sum("total"))["total"] or Decimal(0)


def credit_exceeded(order: Order) -> bool:
    if order.payment_terms not in CREDIT_TERMS:
        return False
    used = open_order_value(order.customer_id, excluding=order.pk)
    return used + order.total > order.customer.credit_limit


def is_new_customer(order: Order) -> bool:
    return not (
        Order.objects.filter(customer_id=order.customer_id)
        .exclude(pk=order.pk)
        .exclude(status__in=[OrderStatus.DRAFT, OrderStatus.CANCELLED])
        .exists()
    )


def required_approvals(order: Order) -> list[Requirement]:
    """One requirement per (level, role), with the reasons of the rules that asked for it."""
    found: dict[tuple[int, str], Requirement] = {}
    has_mto = None
    for rule in ApprovalRule.objects.filter(is_active=True).order_by("level", "pk"):
        if rule.condition == ApprovalCondition.AMOUNT_AT_LEAST:
            hit = order.total >= rule.threshold
            reason = _("Amount %(total)s is at least %(threshold)s") % {
                "total": format_money(order.total),
                "threshold": format_money(rule.threshold),
            }
        elif rule.condition == ApprovalCondition.MADE_TO_ORDER:
            if has_mto is None:
                has_mto = order.lines.filter(made_to_order=True).exists()
            hit, reason = has_mto, _("Contains made-to-order goods")
        elif rule.condition == ApprovalCondition.CREDIT_EXCEEDED:
            hit, reason = credit_exceeded(order), _("Customer credit limit exceeded")
        elif rule.condition == ApprovalCondition.NEW_CUSTOMER:
            hit, reason = is_new_customer(order), _("First order of this customer")
        else:
            hit, reason = order.needs_review, _("Flagged for review")
        if hit:
            key = (rule.level, rule.required_role)
            if key in found:
                reason = f"{found[key].reason}; {reason}"
            found[key] = Requirement(rule.pk, rule.level, rule.required_role, reason[:200])
    return sorted(found.values(), key=lambda r: (r.level, r.role))
