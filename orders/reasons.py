"""Why an order waits for review: stored as codes with parameters, worded when shown.

A reason is ``{"code": "amount_over", "params": {"amount": "12000.00", "limit": "10000.00"}}``.
Approvals and timeline events keep a list of them. The words below are registered with the
kernel (`oms.texts`, from `orders/registrations.py`) and found when the page is rendered, so
each reader sees them in their own language, whatever the language of the person whose action
started the review. Amounts are kept as plain decimal strings and formatted for the reader's
locale too.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from oms.registry import CodedText
from oms.texts import coded, money_text, number_text, text_of, texts_of
from orders.choices import ApprovalReason

APPROVAL_REASONS = "approval_reason"


def reason(code: str, **params: Any) -> dict[str, Any]:
    """A reason entry; Decimals become strings so the entry fits a JSON field."""
    return coded(code, **params)


def reason_text(entry: Mapping[str, Any]) -> str:
    """One reason in the current language."""
    return text_of(APPROVAL_REASONS, entry)


def reasons_text(entries: Iterable[Mapping[str, Any]] | None, *, fallback: str = "") -> str:
    """Several reasons in one line; `fallback` for rows stored as text before reason codes."""
    return texts_of(APPROVAL_REASONS, entries, fallback=fallback)


def _amended_text(params: Mapping[str, Any]) -> str:
    """What an amendment changed, so the approver sees the diff in the queue."""
    changes = [
        _("line %(line)s %(sku)s: %(before)s → %(after)s")
        % {
            "line": c.get("line"),
            "sku": c.get("sku"),
            "before": number_text(c.get("from")),
            "after": number_text(c.get("to")),
        }
        for c in params.get("lines") or ()
    ]
    total: list[Any] = list(params.get("total") or ())
    if len(total) == 2:
        changes.insert(
            0,
            _("total %(before)s → %(after)s")
            % {"before": money_text(total[0]), "after": money_text(total[1])},
        )
    if not changes:
        return str(ApprovalReason.AMENDED.label)
    return _("Amended: %(changes)s") % {"changes": pgettext("list separator", ", ").join(changes)}


R = ApprovalReason
REASON_TEXTS: dict[str, Any] = {
    R.AMOUNT_OVER: CodedText(
        gettext_lazy("Amount %(amount)s is at least %(limit)s"),
        params={"amount": "money", "limit": "money"},
        fallback=R.AMOUNT_OVER.label,
    ),
    R.MADE_TO_ORDER: CodedText(
        gettext_lazy("Contains made-to-order goods: %(skus)s"),
        params={"skus": "list"},
        fallback=gettext_lazy("Contains made-to-order goods"),
    ),
    R.CREDIT_EXCEEDED: CodedText(
        gettext_lazy("Credit limit %(limit)s exceeded: %(exposure)s open with this order"),
        params={"limit": "money", "exposure": "money"},
        fallback=gettext_lazy("Customer credit limit exceeded"),
    ),
    R.NEW_CUSTOMER: gettext_lazy("First order of this customer"),
    R.CREDIT_HOLD: gettext_lazy("Credit hold: the customer may not order until finance lifts it"),
    R.MANUAL_FLAG: gettext_lazy("Flagged for review"),
    R.AMENDED: CodedText(render=_amended_text),
}
