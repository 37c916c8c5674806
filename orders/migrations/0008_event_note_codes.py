"""Timeline notes the system wrote get codes: `OrderEvent.message`.

Until now the system's notes ("Stock arrived.", "Work order WO-… done.") were stored as text in
the language of whoever caused them. New events store a code with parameters in `message`,
worded for each reader. Existing notes that are exactly one of those system texts (English or
Chinese) become their code; every other note (what people typed, anything unknown) stays text
in `note` and is shown as it was written.

A confirmed order whose allocation waits for its delivery date was logged as "Stock
allocated" although nothing was allocated: such events get their own kind, `deferred`.
"""

import re

from django.db import migrations, models

# The system's notes as earlier versions wrote them, in both languages, and their codes.
FIXED = {
    "Submitted for review.": "submitted_for_review",
    "已提交审核。": "submitted_for_review",
    "Submitted; no approval needed.": "submitted_no_review",
    "已提交，无需审批。": "submitted_no_review",
    "All approvals given.": "all_approved",
    "全部审批已通过。": "all_approved",
    "Allocation waits until the delivery date is near.": "allocation_waits",
    "交货日期临近时再分配库存。": "allocation_waits",
    "Stock arrived.": "stock_arrived",
    "库存已到货。": "stock_arrived",
    "Delivery date is near.": "delivery_near",
    "交货日期临近。": "delivery_near",
    "Made-to-order goods ready.": "made_to_order_ready",
    "按单生产商品已完工。": "made_to_order_ready",
    "Amendment needs approval.": "amendment_needs_approval",
    "变更需要审批。": "amendment_needs_approval",
    "Amended.": "amended",
    "已变更。": "amended",
}
WORK_ORDER_DONE = [
    re.compile(r"^Work order (?P<number>\S+) done\.$"),
    re.compile(r"^生产工单 (?P<number>\S+) 已完成。$"),
]
ENGLISH = {code: text for text, code in FIXED.items() if text.isascii()}
# Only events the system writes such notes on.
KINDS = ("status", "allocated", "work_order")


def parse(text):
    """The message of a stored note, or None when it is not one of the system's texts."""
    text = text.strip()
    if text in FIXED:
        return {"code": FIXED[text], "params": {}}
    for pattern in WORK_ORDER_DONE:
        match = pattern.match(text)
        if match:
            return {"code": "work_order_done", "params": {"number": match["number"]}}
    return None


def forwards(apps, schema_editor):
    OrderEvent = apps.get_model("orders", "OrderEvent")
    events = OrderEvent.objects.filter(kind__in=KINDS, message={}).exclude(note="")
    batch = []
    for event in events.only("pk", "note", "message").iterator(chunk_size=2000):
        message = parse(event.note)
        if message is not None:
            event.message, event.note = message, ""
            batch.append(event)
        if len(batch) >= 2000:
            OrderEvent.objects.bulk_update(batch, ["message", "note"])
            batch = []
    OrderEvent.objects.bulk_update(batch, ["message", "note"])
    OrderEvent.objects.filter(kind="allocated", message__code="allocation_waits").update(
        kind="deferred"
    )


def english(message):
    code, params = message.get("code"), message.get("params") or {}
    if code == "work_order_done":
        return f"Work order {params.get('number', '')} done."
    return ENGLISH.get(code, str(code))


def backwards(apps, schema_editor):
    # The older code reads text only: word the codes in English before the column goes.
    OrderEvent = apps.get_model("orders", "OrderEvent")
    OrderEvent.objects.filter(kind="deferred").update(kind="allocated")
    for event in OrderEvent.objects.exclude(message={}).iterator(chunk_size=2000):
        event.note = "\n".join(t for t in (english(event.message), event.note) if t)
        event.save(update_fields=["note"])


class Migration(migrations.Migration):
    dependencies = [("orders", "0007_merge_20261130_1913")]

    operations = [
        migrations.AddField(
            model_name="orderevent",
            name="message",
            field=models.JSONField(blank=True, default=dict, verbose_name="message"),
        ),
        migrations.AlterField(
            model_name="orderevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("created", "Created"),
                    ("edited", "Edited"),
                    ("submitted", "Submitted"),
                    ("status", "Status changed"),
                    ("approved", "Approved"),
                    ("rejected", "Rejected"),
                    ("allocated", "Stock allocated"),
                    ("deferred", "Allocation deferred"),
                    ("released", "Stock released"),
                    ("work_order", "Work order"),
                    ("held", "Put on hold"),
                    ("resumed", "Resumed"),
                    ("amended", "Amended"),
                    ("priority", "Priority changed"),
                    ("cancelled", "Cancelled"),
                ],
                max_length=12,
                verbose_name="kind",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
