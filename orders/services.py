"""Order services: the only code that writes orders, their lines, approvals and events.

Every entry point runs in one transaction, locks the order row first and the stock rows in
primary-key order after it, writes an OrderEvent for what changed, and defers anything that
leaves the database to transaction.on_commit.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Address, Customer
from inventory.models import Product
from oms.db import atomic_with_retry, next_document_number
from oms.errors import ServiceError
from oms.money import ZERO
from oms.roles import ROLES
from orders import pricing
from orders.allocation import allocate_order, release_line, release_order
from orders.choices import (
    AMENDABLE_STATUSES,
    ORDER_TRANSITIONS,
    ApprovalDecision,
    Channel,
    EventKind,
    OrderStatus,
)
from orders.models import (
    Approval,
    Order,
    OrderEvent,
    OrderLine,
    PriceList,
    PriceListItem,
    Promotion,
    ShippingRule,
)
from orders.priority import compute_priority
from orders.review import required_approvals

S = OrderStatus


class InvalidTransition(ServiceError):
    """The order cannot move from its status to the one asked for."""


@dataclass(frozen=True)
class LineRequest:
    product: Product
    quantity: int
    discount_percent: Decimal = ZERO


# ---------------------------------------------------------------- helpers


def _event(
    order: Order, kind: str, *, actor=None, note: str = "", data: dict | None = None, **status
) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order, kind=kind, actor=_user(actor), note=note, data=data or {}, **status
    )


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _lock(order: Order | int) -> Order:
    pk = order.pk if isinstance(order, Order) else order
    return Order.objects.select_for_update(of=("self",)).select_related("customer").get(pk=pk)


def discount_limit(actor) -> Decimal:
    """The largest manual line discount the actor's roles allow, in percent."""
    if actor is None:
        return Decimal(100)  # system intake (imports, channels) applies agreed discounts
    if actor.is_superuser:
        return Decimal(100)
    names = set(actor.groups.values_list("name", flat=True))
    return Decimal(max((ROLES[n].discount_limit for n in names if n in ROLES), default=0))


def _check_lines(actor, requests: list[LineRequest]) -> None:
    limit = discount_limit(actor)
    for request in requests:
        product = request.product
        if (
            not isinstance(request.quantity, int)
            or isinstance(request.quantity, bool)
            or request.quantity < 1
        ):
            raise ValidationError({"quantity": _("Enter a quantity of at least 1.")})
        if request.quantity > 1_000_000:
            raise ValidationError(
                {"quantity": _("Enter a quantity of at most %(max)s.") % {"max": 1_000_000}}
            )
        if not product.is_active:
            raise ValidationError(
                {"product": _("Product %(sku)s is inactive.") % {"sku": product.sku}}
            )
        if request.discount_percent < 0 or request.discount_percent > 100:
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


def _check_customer(customer: Customer) -> None:
    if not customer.is_active:
        raise ValidationError(
            {"customer": _("Customer %(code)s is inactive.") % {"code": customer.code}}
        )
    if customer.credit_hold:
        raise ValidationError(
            {
                "customer": _("Customer %(code)s is on credit hold: no new orders.")
                % {"code": customer.code}
            }
        )


# ---------------------------------------------------------------- pricing


def reprice(
    order: Order,
    lines: list[OrderLine] | None = None,
    *,
    today: date | None = None,
    save_lines: bool = True,
    save_order: bool = True,
) -> None:
    """Recompute every line and the order totals from the price list, promotions, tax and
    shipping rules. Saves lines and order unless told not to (new lines are priced before
    they are inserted, a new order before it is saved)."""
    today = today or timezone.localdate()
    lines = lines if lines is not None else list(order.lines.select_related("product"))
    customer = order.customer
    price_list = PriceList.objects.filter(customer_group=customer.group, is_active=True).first()
    if price_list is None:
        raise ServiceError(
            _("There is no active price list for %(group)s customers.")
            % {"group": customer.get_group_display()}
        )
    breaks: dict[int, list[pricing.PriceBreak]] = {}
    for item in PriceListItem.objects.filter(
        price_list=price_list, product_id__in={line.product_id for line in lines}
    ):
        breaks.setdefault(item.product_id, []).append(
            pricing.PriceBreak(item.min_quantity, item.unit_price)
        )
    promotions = [
        pricing.PromotionRule(
            id=p.pk,
            name=p.name,
            kind=p.kind,
            value=p.value,
            scope=p.scope,
            starts_on=p.starts_on,
            ends_on=p.ends_on,
            product_id=p.product_id,
            category_id=p.category_id,
            customer_tier=p.customer_tier,
            stackable=p.stackable,
        )
        for p in Promotion.objects.filter(is_active=True, starts_on__lte=today, ends_on__gte=today)
    ]
    priced = []
    weight = Decimal(0)
    for line in lines:
        product = line.product
        try:
            unit_price = pricing.unit_price_for(breaks.get(product.pk, []), line.quantity)
        except pricing.PricingError:
            raise ServiceError(
                _("Price list %(list)s has no price for %(sku)s.")
                % {"list": price_list.name, "sku": product.sku}
            ) from None
        result = pricing.price_line(
            pricing.LineInput(
                product_id=product.pk,
                quantity=line.quantity,
                tax_class=product.tax_class,
                category_id=product.category_id,
                discount_percent=line.discount_percent,
            ),
            unit_price=unit_price,
            promotions=promotions,
            customer_tier=customer.tier,
            on=today,
            prices_include_tax=price_list.prices_include_tax,
        )
        priced.append(result)
        weight += product.weight_kg * line.quantity
        line.unit_price = result.unit_price
        line.promotion_discount = result.promotion_discount
        line.promotions = list(result.promotions)
        line.net_amount = result.net_amount
        line.tax_rate = result.tax_rate
        line.tax_amount = result.tax_amount
        line.line_total = result.line_total
    if save_lines:
        OrderLine.objects.bulk_update(
            lines,
            [
                "unit_price",
                "promotion_discount",
                "promotions",
                "net_amount",
                "tax_rate",
                "tax_amount",
                "line_total",
            ],
        )
    goods = sum((p.line_total for p in priced), ZERO)
    rules = [
        pricing.ShippingRuleData(
            r.pk, r.region, r.max_weight_kg, r.base_fee, r.per_kg_fee, r.free_above
        )
        for r in ShippingRule.objects.filter(is_active=True)
    ]
    fee = (
        pricing.shipping_fee(rules, region=order.ship_region, weight_kg=weight, goods_amount=goods)
        if lines
        else ZERO
    )
    totals = pricing.order_totals(priced, shipping=fee, weight_kg=weight)
    order.prices_include_tax = price_list.prices_include_tax
    order.subtotal, order.discount_total, order.tax_total = (
        totals.subtotal,
        totals.discount_total,
        totals.tax_total,
    )
    order.shipping_fee, order.total, order.total_weight_kg = (
        totals.shipping_fee,
        totals.total,
        weight,
    )
    _update_priority(order, today=today)
    if save_order:
        order.save()


def _update_priority(order: Order, *, today: date | None = None) -> None:
    order.priority_score, order.priority_reasons = compute_priority(
        tier=order.customer.tier,
        requested=order.requested_delivery_date,
        total=order.total,
        boost=order.priority_boost,
        today=today or timezone.localdate(),
    )


# ---------------------------------------------------------------- entry


def _copy_address(order: Order, address: Address) -> None:
    order.ship_recipient, order.ship_phone = address.recipient, address.phone
    order.ship_region, order.ship_city, order.ship_district = (
        address.region,
        address.city,
        address.district,
    )
    order.ship_street, order.ship_postal_code = address.street, address.postal_code
    order.ship_latitude, order.ship_longitude = address.latitude, address.longitude


def _new_lines(order: Order, requests: list[LineRequest], start: int) -> list[OrderLine]:
    return [
        OrderLine(
            order=order,
            line_no=start + i,
            product=r.product,
            description=f"{r.product.name} {r.product.name_en}".strip()[:250],
            quantity=r.quantity,
            discount_percent=r.discount_percent,
            unit_price=ZERO,
            made_to_order=r.product.made_to_order,
        )
        for i, r in enumerate(requests)
    ]


@atomic_with_retry()
def order_create(
    *,
    actor,
    customer: Customer,
    lines: list[LineRequest] = (),
    shipping_address: Address | None = None,
    channel: str = Channel.BACK_OFFICE,
    external_reference: str = "",
    requested_delivery_date: date | None = None,
    notes: str = "",
    needs_review: bool = False,
) -> Order:
    """Create a draft order. A repeated (channel, external reference) returns the first order."""
    return _create(
        actor=actor,
        customer=customer,
        lines=list(lines),
        shipping_address=shipping_address,
        channel=channel,
        external_reference=external_reference,
        requested_delivery_date=requested_delivery_date,
        notes=notes,
        needs_review=needs_review,
    )[0]


@atomic_with_retry()
def order_place(*, actor, customer: Customer, lines: list[LineRequest], **header) -> Order:
    """Create and submit in one transaction, as channel intake and imports do: priced once,
    then confirmed and allocated, or sent to review. A repeated external reference returns
    the first order untouched."""
    order, created = _create(actor=actor, customer=customer, lines=list(lines), **header)
    if created:
        _submit(order, actor=actor, priced=True, lines=order._new_lines)
    return order


def _create(
    *,
    actor,
    customer: Customer,
    lines: list[LineRequest],
    shipping_address: Address | None = None,
    channel: str = Channel.BACK_OFFICE,
    external_reference: str = "",
    requested_delivery_date: date | None = None,
    notes: str = "",
    needs_review: bool = False,
) -> tuple[Order, bool]:
    if external_reference:
        existing = Order.objects.filter(
            channel=channel, external_reference=external_reference
        ).first()
        if existing is not None:
            return existing, False
    _check_customer(customer)
    _check_lines(actor, lines)
    addresses = list(customer.addresses.all())
    address = shipping_address or next((a for a in addresses if a.is_default_shipping), None)
    if address is None or address.customer_id != customer.pk:
        raise ValidationError(
            {"shipping_address": _("The customer has no shipping address yet: add one first.")}
        )
    billing = next((a for a in addresses if a.is_default_billing), address)
    order = Order(
        number=next_document_number("SO", "orders_order_number"),
        customer=customer,
        channel=channel,
        external_reference=external_reference,
        payment_terms=customer.payment_terms,
        requested_delivery_date=requested_delivery_date,
        notes=notes,
        needs_review=needs_review,
        billing_address=f"{billing.recipient} {billing.phone}\n{billing.one_line()} {billing.postal_code}".strip(),
        created_by=_user(actor),
    )
    _copy_address(order, address)
    new_lines = _new_lines(order, lines, 1)
    # Priced in memory, then written once: one INSERT for the order, one for its lines.
    reprice(order, new_lines, save_lines=False, save_order=False)
    order.save(force_insert=True)
    for line in new_lines:
        line.order = order
    OrderLine.objects.bulk_create(new_lines)
    order._new_lines = new_lines  # handed on by order_place, which needs them next
    _event(
        order,
        EventKind.CREATED,
        actor=actor,
        to_status=S.DRAFT,
        data={"channel": channel, "lines": len(lines)},
    )
    return order, True


def _draft_only(order: Order) -> None:
    if order.status != S.DRAFT:
        raise ServiceError(
            _("Only draft orders can be edited this way; use Amend for confirmed orders.")
        )


@transaction.atomic
def order_update_draft(*, actor, order: Order, data: dict[str, Any]) -> Order:
    """Change the header of a draft: address, requested date, notes, review flag."""
    order = _lock(order)
    _draft_only(order)
    changes = {}
    address = data.get("shipping_address")
    if address is not None:
        if address.customer_id != order.customer_id:
            raise ValidationError(
                {"shipping_address": _("Choose one of the customer's addresses.")}
            )
        _copy_address(order, address)
        changes["shipping_address"] = address.one_line()
    for field in ("requested_delivery_date", "notes", "needs_review"):
        if field in data and getattr(order, field) != data[field]:
            changes[field] = str(data[field])
            setattr(order, field, data[field])
    reprice(order)
    if changes:
        _event(order, EventKind.EDITED, actor=actor, data=changes)
    return order


@transaction.atomic
def order_line_add(
    *, actor, order: Order, product: Product, quantity: int, discount_percent: Decimal = ZERO
) -> OrderLine:
    order = _lock(order)
    _draft_only(order)
    request = LineRequest(product, quantity, discount_percent)
    _check_lines(actor, [request])
    last = order.lines.order_by("-line_no").values_list("line_no", flat=True).first() or 0
    [line] = OrderLine.objects.bulk_create(_new_lines(order, [request], last + 1))
    reprice(order)
    return line


@transaction.atomic
def order_line_update(
    *, actor, order: Order, line_no: int, quantity: int, discount_percent: Decimal
) -> None:
    order = _lock(order)
    _draft_only(order)
    line = order.lines.select_related("product").filter(line_no=line_no).first()
    if line is None:
        raise ServiceError(_("The order has no line %(line)s.") % {"line": line_no})
    _check_lines(actor, [LineRequest(line.product, quantity, discount_percent)])
    line.quantity, line.discount_percent = quantity, discount_percent
    line.save(update_fields=["quantity", "discount_percent"])
    reprice(order)


@transaction.atomic
def order_line_remove(*, actor, order: Order, line_no: int) -> None:
    order = _lock(order)
    _draft_only(order)
    order.lines.filter(line_no=line_no).delete()
    reprice(order)


# ---------------------------------------------------------------- lifecycle


def order_transition(
    *, order: Order, to_status: str, actor=None, note: str = "", data: dict | None = None
) -> Order:
    """The only writer of Order.status. The caller holds the order's row lock."""
    assert transaction.get_connection().in_atomic_block, (
        "order_transition runs inside a transaction"
    )
    from_status = order.status
    if to_status not in ORDER_TRANSITIONS.get(from_status, ()):
        raise InvalidTransition(
            _("An order that is %(current)s cannot become %(target)s.")
            % {"current": S(from_status).label, "target": S(to_status).label}
        )
    if order.on_hold and to_status != S.CANCELLED:
        raise InvalidTransition(_("The order is on hold; resume it first."))
    if (
        to_status == S.CONFIRMED
        and order.review_round
        and order.approvals.filter(
            round=order.review_round, decision=ApprovalDecision.PENDING
        ).exists()
    ):
        raise InvalidTransition(_("The order still waits for approvals."))
    if to_status in (S.PENDING_REVIEW, S.CONFIRMED) and not order.lines.exists():
        raise InvalidTransition(_("An order needs at least one line."))
    order.status = to_status
    update = ["status", "updated_at"]
    if to_status == S.CONFIRMED and order.confirmed_at is None:
        order.confirmed_at = timezone.now()
        update.append("confirmed_at")
    order.save(update_fields=update)
    _event(
        order,
        EventKind.STATUS,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data,
    )
    return order


def _apply_allocation(
    order: Order,
    *,
    actor,
    note: str = "",
    lines: list[OrderLine] | None = None,
    fresh: bool = False,
) -> None:
    """Allocate what is missing and move the order to picking, production or back-order.

    What was reserved travels in the status change's event; without a status change it gets
    an event of its own.
    """
    result = allocate_order(order, lines=lines, fresh=fresh)
    data = {}
    if result.allocated or result.work_orders:
        data["allocated"] = {str(k): v for k, v in result.allocated.items()}
        data["work_orders"] = result.work_orders
    if result.short:
        data["short"] = {str(k): v for k, v in result.short.items()}
    if result.in_production:
        target = S.IN_PRODUCTION
    elif result.short:
        target = S.BACKORDERED
    else:
        target = S.PICKING
    if order.status != target:
        order_transition(order=order, to_status=target, actor=actor, note=note, data=data or None)
    elif result.allocated or result.work_orders:
        _event(order, EventKind.ALLOCATED, actor=actor, note=note, data=data)


def allocation_waits(order: Order, *, today: date | None = None) -> bool:
    """Stock is not tied up for orders wanted far ahead: they stay confirmed until the
    requested date comes within OMS_ALLOCATION_HORIZON_DAYS (a nightly job allocates them)."""
    from django.conf import settings

    if order.requested_delivery_date is None:
        return False
    days = (order.requested_delivery_date - (today or timezone.localdate())).days
    return days > settings.OMS_ALLOCATION_HORIZON_DAYS


def _confirm(order: Order, *, actor, note: str = "", lines: list[OrderLine] | None = None) -> None:
    first_time = order.confirmed_at is None and order.review_round == 0
    order_transition(order=order, to_status=S.CONFIRMED, actor=actor, note=note)
    if allocation_waits(order):
        _event(
            order,
            EventKind.ALLOCATED,
            actor=actor,
            note=_("Allocation waits until the delivery date is near."),
        )
        return
    # Never confirmed nor reviewed before: nothing can be allocated yet.
    _apply_allocation(order, actor=actor, lines=lines, fresh=first_time)


@atomic_with_retry()
def order_allocate_due(*, order_id: int) -> bool:
    """Allocate a confirmed order whose requested date has come near; True when it moved on."""
    order = _lock(order_id)
    if order.status != S.CONFIRMED or order.on_hold or allocation_waits(order):
        return False
    _apply_allocation(order, actor=None, note=_("Delivery date is near."))
    return True


def confirmed_orders_due(*, today: date | None = None) -> list[int]:
    from django.conf import settings

    horizon = (today or timezone.localdate()) + timedelta(days=settings.OMS_ALLOCATION_HORIZON_DAYS)
    return list(
        Order.objects.filter(status=S.CONFIRMED, on_hold=False)
        .filter(Q(requested_delivery_date__isnull=True) | Q(requested_delivery_date__lte=horizon))
        .order_by("-priority_score", "pk")
        .values_list("pk", flat=True)
    )


def _open_review(order: Order, *, actor, requirements, note: str = "") -> None:
    order.review_round += 1
    order.save(update_fields=["review_round"])
    Approval.objects.bulk_create(
        [
            Approval(
                order=order,
                rule_id=r.rule_id,
                reasons=list(r.reasons),
                round=order.review_round,
                level=r.level,
                required_role=r.role,
            )
            for r in requirements
        ]
    )
    order_transition(
        order=order,
        to_status=S.PENDING_REVIEW,
        actor=actor,
        note=note,
        data={
            "approvals": [
                {"role": r.role, "level": r.level, "reasons": list(r.reasons)} for r in requirements
            ]
        },
    )


@atomic_with_retry()
def order_submit(*, actor, order: Order) -> Order:
    """Send a draft on: to the reviewers when a rule asks for it, otherwise confirm it."""
    order = _lock(order)
    _submit(order, actor=actor)
    return order


def _submit(
    order: Order, *, actor, priced: bool = False, lines: list[OrderLine] | None = None
) -> None:
    if order.status != S.DRAFT:
        raise InvalidTransition(_("Only a draft can be submitted."))
    _check_customer(order.customer)
    if not priced:
        reprice(order)
    requirements = required_approvals(order)
    if requirements:
        _open_review(order, actor=actor, requirements=requirements, note=_("Submitted for review."))
    else:
        _confirm(order, actor=actor, note=_("Submitted; no approval needed."), lines=lines)


def user_roles(user) -> set[str]:
    if user.is_superuser:
        return set(ROLES)
    return set(user.groups.values_list("name", flat=True)) & set(ROLES)


def current_approvals(order: Order):
    """The pending approvals of the lowest level still open in this review round."""
    pending = order.approvals.filter(round=order.review_round, decision=ApprovalDecision.PENDING)
    lowest = pending.order_by("level").values_list("level", flat=True).first()
    return pending.filter(level=lowest) if lowest is not None else pending.none()


def _decide(order: Order, *, actor, decision: str, note: str) -> Approval:
    if order.status != S.PENDING_REVIEW:
        raise InvalidTransition(_("The order is not waiting for review."))
    roles = user_roles(actor)
    approval = current_approvals(order).filter(required_role__in=roles).order_by("pk").first()
    if approval is None:
        raise ServiceError(_("Nothing on this order waits for your approval."))
    if order.approvals.filter(round=order.review_round, decided_by=actor).exists():
        raise ServiceError(
            _("You already decided on this order; another person must approve the next level.")
        )
    approval.decision, approval.decided_by, approval.decided_at, approval.note = (
        decision,
        actor,
        timezone.now(),
        note,
    )
    approval.save(update_fields=["decision", "decided_by", "decided_at", "note"])
    return approval


@atomic_with_retry()
def order_approve(*, actor: AbstractBaseUser, order: Order, note: str = "") -> Order:
    order = _lock(order)
    approval = _decide(order, actor=actor, decision=ApprovalDecision.APPROVED, note=note)
    _event(
        order,
        EventKind.APPROVED,
        actor=actor,
        note=note,
        data={
            "role": approval.required_role,
            "level": approval.level,
            "reasons": approval.reasons,
        },
    )
    if not order.approvals.filter(
        round=order.review_round, decision=ApprovalDecision.PENDING
    ).exists():
        _confirm(order, actor=actor, note=_("All approvals given."))
    return order


@atomic_with_retry()
def order_reject(*, actor: AbstractBaseUser, order: Order, note: str) -> Order:
    """Reject: the order goes back to draft with the reason on its timeline."""
    if not note.strip():
        raise ValidationError({"note": _("Say why the order is rejected.")})
    order = _lock(order)
    approval = _decide(order, actor=actor, decision=ApprovalDecision.REJECTED, note=note)
    order.approvals.filter(round=order.review_round, decision=ApprovalDecision.PENDING).update(
        decision=ApprovalDecision.WITHDRAWN
    )
    _event(
        order,
        EventKind.REJECTED,
        actor=actor,
        note=note,
        data={"role": approval.required_role, "level": approval.level},
    )
    # Reservations of an amended order that is rejected on re-review go back to stock.
    release_order(order)
    order_transition(order=order, to_status=S.DRAFT, actor=actor, note=note)
    return order


@transaction.atomic
def order_hold(*, actor, order: Order, reason: str) -> Order:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the order is held.")})
    order = _lock(order)
    if order.on_hold:
        raise ServiceError(_("The order is already on hold."))
    if order.status in (S.CANCELLED, S.COMPLETED, S.SHIPPED, S.IN_TRANSIT, S.DELIVERED):
        raise ServiceError(
            _("A %(status)s order cannot be held.") % {"status": S(order.status).label}
        )
    order.on_hold, order.hold_reason = True, reason[:200]
    order.save(update_fields=["on_hold", "hold_reason", "updated_at"])
    _event(order, EventKind.HELD, actor=actor, note=reason)
    return order


@transaction.atomic
def order_resume(*, actor, order: Order) -> Order:
    order = _lock(order)
    if not order.on_hold:
        raise ServiceError(_("The order is not on hold."))
    order.on_hold, order.hold_reason = False, ""
    order.save(update_fields=["on_hold", "hold_reason", "updated_at"])
    _event(order, EventKind.RESUMED, actor=actor)
    return order


@atomic_with_retry()
def order_cancel(*, actor, order: Order, reason: str) -> Order:
    """Cancel: every reservation goes back to stock, work orders stop, the reason is kept."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the order is cancelled.")})
    order = _lock(order)
    if S.CANCELLED not in ORDER_TRANSITIONS.get(order.status, ()):
        raise InvalidTransition(
            _("An order that is %(current)s cannot be cancelled.")
            % {"current": S(order.status).label}
        )
    released = release_order(order)
    from inventory.models import WorkOrder
    from inventory.services import work_order_cancel

    for work_order_id in WorkOrder.objects.filter(
        order_line_id__in=order.lines.values("pk")
    ).values_list("pk", flat=True):
        work_order_cancel(actor=actor, work_order_id=work_order_id)
    order.approvals.filter(decision=ApprovalDecision.PENDING).update(
        decision=ApprovalDecision.WITHDRAWN
    )
    order.cancel_reason = reason[:200]
    order.on_hold = False
    order.save(update_fields=["cancel_reason", "on_hold"])
    order_transition(
        order=order, to_status=S.CANCELLED, actor=actor, note=reason, data={"released": released}
    )
    return order


@transaction.atomic
def order_boost(*, actor, order: Order, boost: int, note: str = "") -> Order:
    if not -100 <= boost <= 100:
        raise ValidationError({"boost": _("Enter a boost between -100 and 100.")})
    order = _lock(order)
    old = order.priority_score
    order.priority_boost = boost
    _update_priority(order)
    order.save(update_fields=["priority_boost", "priority_score", "priority_reasons", "updated_at"])
    _event(
        order,
        EventKind.PRIORITY,
        actor=actor,
        note=note,
        data={"boost": boost, "score": [old, order.priority_score]},
    )
    return order


@transaction.atomic
def order_start_picking(*, actor, order: Order) -> Order:
    """The warehouse has begun to pick: from now on the order can no longer be amended."""
    order = _lock(order)
    if order.status != S.PICKING:
        raise InvalidTransition(_("Only an order that is fully allocated can be picked."))
    if order.on_hold:
        raise InvalidTransition(_("The order is on hold; resume it first."))
    if order.picking_started_at is None:
        order.picking_started_at = timezone.now()
        order.save(update_fields=["picking_started_at", "updated_at"])
        _event(
            order,
            EventKind.STATUS,
            actor=actor,
            from_status=S.PICKING,
            to_status=S.PICKING,
            note=_("Picking started."),
        )
    return order


def refresh_priorities(*, today: date | None = None) -> int:
    """Recompute the score of every open order: urgency grows as the requested date nears."""
    today = today or timezone.localdate()
    changed = 0
    open_orders = Order.objects.filter(
        status__in=[S.CONFIRMED, S.BACKORDERED, S.IN_PRODUCTION, S.PICKING, S.PENDING_REVIEW]
    )
    for order in (
        open_orders.select_related("customer")
        .only(
            "pk",
            "priority_score",
            "priority_reasons",
            "priority_boost",
            "total",
            "requested_delivery_date",
            "customer__tier",
        )
        .iterator(chunk_size=2000)
    ):
        score, reasons = compute_priority(
            tier=order.customer.tier,
            requested=order.requested_delivery_date,
            total=order.total,
            boost=order.priority_boost,
            today=today,
        )
        if score != order.priority_score or reasons != order.priority_reasons:
            Order.objects.filter(pk=order.pk).update(priority_score=score, priority_reasons=reasons)
            changed += 1
    return changed


# ---------------------------------------------------------------- amendments


@atomic_with_retry()
def order_amend(
    *,
    actor,
    order: Order,
    changes: dict[int, int],
    additions: list[LineRequest] = (),
    note: str = "",
) -> Order:
    """Change quantities of a confirmed order not yet picked (0 removes a line) and add lines.

    The order is re-priced; only the difference is reserved or released; the approval rules
    run again on the new values; the timeline shows the change as a diff.
    """
    order = _lock(order)
    if order.status not in AMENDABLE_STATUSES or order.picking_started_at is not None:
        raise ServiceError(_("Only confirmed orders whose picking has not started can be amended."))
    if order.on_hold:
        raise ServiceError(_("The order is on hold; resume it first."))
    lines = {line.line_no: line for line in order.lines.select_related("product")}
    additions = list(additions)
    for line_no in changes:
        if line_no not in lines:
            raise ServiceError(_("The order has no line %(line)s.") % {"line": line_no})
    for quantity in changes.values():
        if not isinstance(quantity, int) or quantity < 0:
            raise ValidationError({"quantity": _("Enter a quantity of 0 or more.")})
    _check_lines(actor, additions)
    if not additions and all(q == 0 for q in changes.values()) and set(changes) == set(lines):
        raise ServiceError(_("An order needs at least one line: cancel it instead."))
    before = {
        "total": str(order.total),
        "rules": {(r.level, r.role) for r in required_approvals(order)},
    }

    # Lock every stock row the amendment may touch, in key order, before changing any.
    from inventory.models import StockLevel

    product_ids = {line.product_id for line in lines.values()} | {a.product.pk for a in additions}
    list(StockLevel.objects.select_for_update().filter(product_id__in=product_ids).order_by("pk"))

    diff = []
    for line_no, quantity in sorted(changes.items()):
        line = lines[line_no]
        if quantity == line.quantity:
            continue
        diff.append(
            {"line": line_no, "sku": line.product.sku, "from": line.quantity, "to": quantity}
        )
        reserved = sum(line.allocations.values_list("quantity", flat=True))
        if quantity < reserved:
            release_line(line, reserved - quantity)
        if quantity == 0:
            release_line(line)
            _cancel_line_work_order(actor, line)
            line.delete()
        else:
            line.quantity = quantity
            line.save(update_fields=["quantity"])
    if additions:
        last = max(lines) if lines else 0
        for line in OrderLine.objects.bulk_create(_new_lines(order, additions, last + 1)):
            diff.append(
                {"line": line.line_no, "sku": line.product.sku, "from": 0, "to": line.quantity}
            )
    if not diff:
        raise ServiceError(_("Nothing changed."))
    reprice(order)
    after_rules = {(r.level, r.role) for r in required_approvals(order)}
    _event(
        order,
        EventKind.AMENDED,
        actor=actor,
        note=note,
        data={"lines": diff, "total": [before["total"], str(order.total)]},
    )
    new_requirements = [
        r for r in required_approvals(order) if (r.level, r.role) not in before["rules"]
    ]
    if new_requirements and after_rules - before["rules"]:
        _open_review(
            order, actor=actor, requirements=new_requirements, note=_("Amendment needs approval.")
        )
    else:
        _apply_allocation(order, actor=actor, note=_("Amended."))
    return order


def _cancel_line_work_order(actor, line: OrderLine) -> None:
    from inventory.models import WorkOrder
    from inventory.services import work_order_cancel

    work_order_id = (
        WorkOrder.objects.filter(order_line_id=line.pk).values_list("pk", flat=True).first()
    )
    if work_order_id:
        work_order_cancel(actor=actor, work_order_id=work_order_id)


# ---------------------------------------------------------------- stock arriving


@atomic_with_retry()
def order_allocate_more(*, order_id: int, actor=None) -> bool:
    """Try again to allocate a back-ordered order; True when it moved on."""
    order = _lock(order_id)
    if order.status != S.BACKORDERED or order.on_hold:
        return False
    before = order.status
    _apply_allocation(order, actor=actor, note=_("Stock arrived."))
    return order.status != before


def backordered_orders_for(product_ids: list[int] | None) -> list[int]:
    """Back-ordered orders waiting for these products (None: any), highest priority first."""
    orders = Order.objects.filter(status=S.BACKORDERED, on_hold=False)
    if product_ids is not None:
        orders = orders.filter(lines__product_id__in=product_ids)
    return list(orders.order_by("-priority_score", "pk").values_list("pk", flat=True).distinct())


@transaction.atomic
def work_order_finished(work_order) -> None:
    """Hook from inventory: a made-to-order item is in stock; reserve it for its line."""
    if work_order.order_line_id is None:
        return
    line = OrderLine.objects.filter(pk=work_order.order_line_id).select_related("order").first()
    if line is None:
        return
    order = _lock(line.order_id)
    if order.status not in (S.IN_PRODUCTION, S.BACKORDERED):
        return
    _event(
        order,
        EventKind.WORK_ORDER,
        note=_("Work order %(number)s done.") % {"number": work_order.number},
    )
    # Made-to-order goods belong to their line: allocate the line from the work order's warehouse.
    from inventory.models import StockLevel
    from orders.models import Allocation

    level = StockLevel.objects.select_for_update().get(
        product_id=work_order.product_id, warehouse_id=work_order.warehouse_id
    )
    reserved = sum(line.allocations.values_list("quantity", flat=True))
    take = min(line.quantity - reserved, level.on_hand - level.reserved)
    if take > 0:
        from orders.allocation import _reserve

        _reserve(level.pk, take)
        allocation, created = Allocation.objects.get_or_create(
            line=line, stock_level=level, defaults={"quantity": take}
        )
        if not created:
            allocation.quantity += take
            allocation.save(update_fields=["quantity"])
    pending_mto = any(
        other.made_to_order
        and sum(other.allocations.values_list("quantity", flat=True)) < other.quantity
        for other in order.lines.all()
    )
    if pending_mto:
        return
    _apply_allocation(order, actor=None, note=_("Made-to-order goods ready."))
