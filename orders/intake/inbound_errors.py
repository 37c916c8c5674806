"""Why an inbound delivery failed, waits or placed no new order: a code (`InboundError`) and
JSON parameters on the row, worded when a page or export is made, in the reader's language
(`oms.texts`, family "inbound_error", registered by `orders/registrations.py`).

Parameters per code:
- bad_payload: ``problem`` (an adapter's `PAYLOAD_PROBLEMS` code) and its parameters;
- unknown_sku: ``skus``;
- refused: ``reasons``, the service's refusal worded in each language of LANGUAGES
  (services word their refusals when they raise, so the worker words it in each);
- unexpected: ``detail``, the exception as text (for developers; not translated);
- rows stored as text before codes: ``text``, shown as it was stored.
"""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from oms.registry import CodedText
from oms.texts import coded, text_of
from orders.intake.adapters.base import payload_problem_text
from orders.intake.inbound_models import InboundDelivery, InboundError

INBOUND_ERRORS = "inbound_error"
E = InboundError


def inbound_error(code: str, **params: Any) -> dict[str, Any]:
    return coded(code, **params)


def _stored_text(params: Mapping[str, Any]) -> str | None:
    text = params.get("text")
    return str(text) if text else None


def _bad_payload(params: Mapping[str, Any]) -> str:
    legacy = _stored_text(params)
    if legacy is not None:
        return legacy
    problem = str(params.get("problem") or "")
    return str(_("Bad payload: %(problem)s")) % {"problem": payload_problem_text(problem, params)}


def _in_reader_language(texts: Any) -> str:
    if not isinstance(texts, Mapping) or not texts:
        return str(texts or "")
    language = (get_language() or "en").lower()
    for key in (language, language.split("-")[0]):
        if texts.get(key):
            return str(texts[key])
    return str(texts.get("en") or next(iter(texts.values())))


def _refused(params: Mapping[str, Any]) -> str:
    legacy = _stored_text(params)
    if legacy is not None:
        return legacy
    return str(_("The order was refused: %(reasons)s")) % {
        "reasons": _in_reader_language(params.get("reasons"))
    }


def _unexpected(params: Mapping[str, Any]) -> str:
    return str(_("Unexpected error while processing: %(detail)s")) % {
        "detail": params.get("detail") or params.get("text") or "?"
    }


ERROR_TEXTS: dict[str, Any] = {
    E.NOT_JSON: CodedText(_("The body is not JSON.")),
    E.BAD_PAYLOAD: CodedText(render=_bad_payload),
    E.UNKNOWN_SKU: CodedText(
        _("No product for the platform SKUs %(skus)s: map them."),
        params={"skus": "list"},
        fallback=_("No product for some of the platform's SKUs: map them."),
    ),
    E.DUPLICATE: CodedText(_("Already taken: an update of an order placed before.")),
    E.REFUSED: CodedText(render=_refused),
    E.UNEXPECTED: CodedText(render=_unexpected),
}


def delivery_error_text(delivery: InboundDelivery) -> str:
    """The delivery's error (or duplicate note) in the reader's language; "" when none."""
    if not delivery.error_code:
        return ""
    return text_of(
        INBOUND_ERRORS, {"code": delivery.error_code, "params": delivery.error_params or {}}
    )
