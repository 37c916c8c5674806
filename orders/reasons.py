"""Why an order waits for review: stored as codes with parameters, worded when shown.

A reason is ``{"code": "amount_over", "params": {"amount": "12000.00", "limit": "10000.00"}}``.
Approvals and timeline events keep a list of them. The words come from gettext when the page
is rendered, so each reader sees them in their own language, whatever the language of the
person whose action started the review. Amounts are kept as plain decimal strings and
formatted for the reader's locale too.
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from oms.tables import format_money
from orders.choices import ApprovalReason

R = ApprovalReason


def reason(code: str, **params: Any) -> dict[str, Any]:
    """A reason entry; Decimals become strings so the entry fits a JSON field."""
    return {
        "code": str(code),
        "params": {k: str(v) if isinstance(v, Decimal) else v for k, v in params.items()},
    }


def money_text(value: Any) -> str:
    """A decimal string kept in a JSON field, formatted as money for the reader's locale."""
    try:
        return format_money(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


def reason_text(entry: Mapping[str, Any]) -> str:
    """One reason in the current language."""
    code, params = entry.get("code"), entry.get("params") or {}
    if code == R.AMOUNT_OVER:
        if "amount" in params and "limit" in params:
            return _("Amount %(amount)s is at least %(limit)s") % {
                "amount": money_text(params["amount"]),
                "limit": money_text(params["limit"]),
            }
        return str(R.AMOUNT_OVER.label)
    if code == R.MADE_TO_ORDER:
        if params.get("skus"):
            return _("Contains made-to-order goods: %(skus)s") % {"skus": ", ".join(params["skus"])}
        return _("Contains made-to-order goods")
    if code == R.CREDIT_EXCEEDED:
        if "limit" in params and "exposure" in params:
            return _("Credit limit %(limit)s exceeded: %(exposure)s open with this order") % {
                "limit": money_text(params["limit"]),
                "exposure": money_text(params["exposure"]),
            }
        return _("Customer credit limit exceeded")
    if code == R.NEW_CUSTOMER:
        return _("First order of this customer")
    if code == R.MANUAL_FLAG:
        return _("Flagged for review")
    if code == R.AMENDED:
        return _amended_text(params)
    # A code this version does not know (written by a newer one): show it rather than hide it.
    return str(code)


def _amended_text(params: Mapping[str, Any]) -> str:
    """What an amendment changed, so the approver sees the diff in the queue."""
    changes = [
        _("line %(line)s %(sku)s: %(before)s → %(after)s")
        % {
            "line": c.get("line"),
            "sku": c.get("sku"),
            "before": c.get("from"),
            "after": c.get("to"),
        }
        for c in params.get("lines") or ()
    ]
    total = params.get("total") or ()
    if len(total) == 2:
        changes.insert(
            0,
            _("total %(before)s → %(after)s")
            % {"before": money_text(total[0]), "after": money_text(total[1])},
        )
    if not changes:
        return str(R.AMENDED.label)
    return _("Amended: %(changes)s") % {"changes": pgettext("list separator", ", ").join(changes)}


def reasons_text(entries: Iterable[Mapping[str, Any]] | None, *, fallback: str = "") -> str:
    """Several reasons in one line; `fallback` for rows stored as text before reason codes."""
    texts = [reason_text(entry) for entry in entries or ()]
    return pgettext("list separator", "; ").join(texts) if texts else fallback
