"""The secret of an order's customer link (the order page at /track/<token>/, which shipping
shows).

The token is made when the link is first needed (a label's QR code, the dispatch message,
staff sharing the link), not by a migration: there are millions of old orders and most never
need one. Staff regenerate it (a leaked link stops working, the customer gets the new one) or
revoke it (no link until one is needed again). The token itself is never written to the
audit log: whoever reads the log could otherwise open the page.
"""

import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from oms.services import audit_record
from oms.types import User
from orders import held_writes
from orders.models import Order

MANAGE_PERMISSION = "orders.manage_customer_link"


def new_public_token() -> str:
    """192 random bits, URL-safe (32 characters)."""
    return secrets.token_urlsafe(24)


def _ensure_permitted(actor: User | None) -> None:
    if actor is not None and not actor.has_perm(MANAGE_PERMISSION):
        raise PermissionDenied(_("Your role does not allow managing customer links."))


def order_public_token(order: Order, *, actor: User | None = None) -> str:
    """The order's token, made now when it has none. Safe against a concurrent first use:
    the conditional update lets one writer win, and everyone reads the winner's token. Runs
    in the caller's transaction when there is one (a dispatch), else in its own."""
    if order.public_token:
        return order.public_token
    if held_writes.active():
        # Inside order_place / order_submit / order_approve: the order is locked (or not yet
        # inserted), so the token goes in with the service's held writes.
        order.public_token = new_public_token()
        held_writes.save_order(order, ["public_token"])
        audit_record(actor=actor, action="order.customer_link_create", obj=order)
        return order.public_token
    with transaction.atomic():
        made = Order.objects.filter(pk=order.pk, public_token__isnull=True).update(
            public_token=new_public_token()
        )
        order.public_token = Order.objects.values_list("public_token", flat=True).get(pk=order.pk)
        if made:
            audit_record(actor=actor, action="order.customer_link_create", obj=order)
    assert order.public_token
    return order.public_token


@transaction.atomic
def order_public_token_regenerate(*, actor: User | None, order: Order) -> Order:
    """A new link for the order: the old one answers "not found" from now on."""
    _ensure_permitted(actor)
    order.public_token = new_public_token()
    Order.objects.filter(pk=order.pk).update(public_token=order.public_token)
    audit_record(actor=actor, action="order.customer_link_regenerate", obj=order)
    return order


@transaction.atomic
def order_public_token_revoke(*, actor: User | None, order: Order) -> Order:
    """No link any more: the page answers "not found" until a link is needed again (a new
    one is made then, different from every earlier one)."""
    _ensure_permitted(actor)
    revoked = Order.objects.filter(pk=order.pk, public_token__isnull=False).update(
        public_token=None
    )
    order.public_token = None
    if revoked:
        audit_record(actor=actor, action="order.customer_link_revoke", obj=order)
    return order


def order_public_token_share(*, actor: User | None, order: Order) -> str:
    """Staff's "customer link": the token, made now when the order has none."""
    _ensure_permitted(actor)
    return order_public_token(order, actor=actor)
