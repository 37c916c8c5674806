"""The return rules and the quantities a request may ask for: what `return_request_create`
checks before it writes anything (reads only)."""

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.return_choices import DEFECT_WINDOW_REASONS, FAULT_REASONS
from aftersales.return_selectors import ReturnableLine, returnable_lines
from orders.models import Order


def rule_refusals(
    *, reason: str, lines: Sequence[tuple[ReturnableLine, int]], today: Any = None
) -> list[str]:
    """Why the return rules refuse this request (empty: they allow it). Staff with the
    override right may accept it anyway with a note; quantities are never overridden."""
    today = today or timezone.localdate()
    refusals: list[str] = []
    window = (
        settings.OMS_RETURN_DEFECT_DAYS
        if reason in DEFECT_WINDOW_REASONS
        else settings.OMS_RETURN_DAYS
    )
    for entry, _quantity in lines:
        line = entry.order_line
        if entry.delivered_at is not None:
            delivered_on = timezone.localdate(entry.delivered_at)
            if today > delivered_on + timedelta(days=window):
                refusals.append(
                    _(
                        "%(sku)s was delivered on %(date)s: returns for this reason are "
                        "accepted for %(days)s days after delivery."
                    )
                    % {"sku": line.product.sku, "date": delivered_on.isoformat(), "days": window}
                )
        if line.made_to_order and reason not in FAULT_REASONS:
            refusals.append(
                _(
                    "%(sku)s was made to order: it is taken back only when damaged, defective "
                    "or the wrong item."
                )
                % {"sku": line.product.sku}
            )
    return refusals


def quantity_errors(
    order: Order, wanted: Mapping[int, int]
) -> tuple[list[tuple[ReturnableLine, int]], list[str]]:
    by_id = {entry.order_line.pk: entry for entry in returnable_lines(order)}
    chosen: list[tuple[ReturnableLine, int]] = []
    errors: list[str] = []
    for line_id, quantity in sorted(wanted.items()):
        entry = by_id.get(line_id)
        if entry is None:
            errors.append(_("A chosen line is not on order %(order)s.") % {"order": order.number})
            continue
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
            errors.append(_("Enter whole numbers of at least 0."))
            continue
        if quantity == 0:
            continue
        if quantity > entry.returnable:
            errors.append(
                _(
                    "%(sku)s: %(wanted)s asked for, but only %(left)s can be returned "
                    "(%(delivered)s delivered, %(returned)s in other returns)."
                )
                % {
                    "sku": entry.order_line.product.sku,
                    "wanted": quantity,
                    "left": entry.returnable,
                    "delivered": entry.delivered,
                    "returned": entry.returned,
                }
            )
            continue
        chosen.append((entry, quantity))
    if not chosen and not errors:
        errors.append(_("Choose at least one delivered item and how many to return."))
    return chosen, errors
