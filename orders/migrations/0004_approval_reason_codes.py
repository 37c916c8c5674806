"""Approval reasons stored as text become reason codes with parameters.

Until now the reasons were worded when the order was submitted, in the language of whoever
submitted it (English or Chinese). Each known wording is parsed back into its code; a row with
any part that does not parse keeps its text, which pages show as it is.
"""

import re

from django.db import migrations
from django.db.models import Q

MONEY = re.compile(r"-?[\d,]+(?:\.\d+)?")
AMOUNT = [
    re.compile(r"^Amount (?P<amount>.+) is at least (?P<limit>.+)$"),
    re.compile(r"^金额\s*(?P<amount>.+?)\s*不低于\s*(?P<limit>.+)$"),
]
FIXED = {
    "Contains made-to-order goods": "made_to_order",
    "含按单生产商品": "made_to_order",
    "含定制商品": "made_to_order",
    "Customer credit limit exceeded": "credit_exceeded",
    "超出客户信用额度": "credit_exceeded",
    "First order of this customer": "new_customer",
    "该客户首次下单": "new_customer",
    "Flagged for review": "manual_flag",
    "已标记需审核": "manual_flag",
}
ENGLISH = {
    "made_to_order": "Contains made-to-order goods",
    "credit_exceeded": "Customer credit limit exceeded",
    "new_customer": "First order of this customer",
    "manual_flag": "Flagged for review",
}


def _money(text):
    found = MONEY.search(text)
    return found.group().replace(",", "") if found else None


def parse(text):
    """The reason entries of a stored text, or None when any part is not a known wording."""
    entries = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        if part in FIXED:
            entries.append({"code": FIXED[part], "params": {}})
            continue
        for pattern in AMOUNT:
            match = pattern.match(part)
            if match:
                amount, limit = _money(match["amount"]), _money(match["limit"])
                if amount is None or limit is None:
                    return None
                entries.append(
                    {"code": "amount_over", "params": {"amount": amount, "limit": limit}}
                )
                break
        else:
            return None
    return entries or None


def _convert_event_entry(entry):
    if isinstance(entry, dict) and entry.get("reason") and "reasons" not in entry:
        parsed = parse(entry["reason"])
        if parsed is not None:
            entry = {k: v for k, v in entry.items() if k != "reason"}
            entry["reasons"] = parsed
    return entry


def forwards(apps, schema_editor):
    Approval = apps.get_model("orders", "Approval")
    OrderEvent = apps.get_model("orders", "OrderEvent")
    batch = []
    for approval in (
        Approval.objects.filter(reasons=[]).exclude(reason="").iterator(chunk_size=2000)
    ):
        parsed = parse(approval.reason)
        if parsed is not None:
            approval.reasons, approval.reason = parsed, ""
            batch.append(approval)
        if len(batch) >= 2000:
            Approval.objects.bulk_update(batch, ["reasons", "reason"])
            batch = []
    Approval.objects.bulk_update(batch, ["reasons", "reason"])
    batch = []
    events = OrderEvent.objects.filter(Q(data__has_key="approvals") | Q(data__has_key="reason"))
    for event in events.iterator(chunk_size=2000):
        data = dict(event.data)
        if isinstance(data.get("approvals"), list):
            data["approvals"] = [_convert_event_entry(a) for a in data["approvals"]]
        data = _convert_event_entry(data)
        if data != event.data:
            event.data = data
            batch.append(event)
        if len(batch) >= 2000:
            OrderEvent.objects.bulk_update(batch, ["data"])
            batch = []
    OrderEvent.objects.bulk_update(batch, ["data"])


def _english(entries):
    texts = []
    for entry in entries:
        params = entry.get("params") or {}
        if entry.get("code") == "amount_over":
            texts.append(f"Amount {params.get('amount')} is at least {params.get('limit')}")
        else:
            texts.append(ENGLISH.get(entry.get("code"), str(entry.get("code"))))
    return "; ".join(texts)[:200]


def backwards(apps, schema_editor):
    # The older code reads text only: word the codes in English.
    Approval = apps.get_model("orders", "Approval")
    for approval in Approval.objects.filter(reason="").exclude(reasons=[]).iterator():
        approval.reason = _english(approval.reasons)
        approval.save(update_fields=["reason"])


class Migration(migrations.Migration):
    dependencies = [("orders", "0003_rules_and_reason_codes")]

    operations = [migrations.RunPython(forwards, backwards)]
