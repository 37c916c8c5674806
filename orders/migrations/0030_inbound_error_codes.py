"""Inbound deliveries keep why they failed as a code with parameters (worded when read, in
the reader's language) instead of the text of the worker's language. Existing rows are
converted where the text says which kind it was; the text itself is kept as a parameter and
shown as it was stored."""

import re

from django.db import migrations, models

NOT_JSON = {"The body is not JSON.", "请求体不是 JSON。"}
# The adapters' English and Chinese words of a bad payload (before codes).
BAD_PAYLOAD = re.compile(
    r"(^The payload (has no|is not)|must be (text|an amount|a whole number|an object|a list)"
    r"|has more than two decimals|discount is more than the line|^A tax rate must be"
    r"|neither price nor subtotal|^no adapter for channel kind"
    r"|^数据中没有|必须是|^数据不是)"
)
# The English words of each payload problem, so an old row gets its problem code back.
PROBLEMS = [
    (re.compile(r"^The payload is not a JSON object\.$"), "not_object"),
    (re.compile(r"^The payload has no (?P<field>\S+) object\.$"), "no_object"),
    (re.compile(r"^The payload has no (?P<field>\S+) list\.$"), "no_list"),
    (re.compile(r"^Every entry of (?P<field>\S+) must be an object\.$"), "not_objects"),
    (re.compile(r"^The payload has no (?P<field>\S+)\.$"), "missing"),
    (re.compile(r"^(?P<field>\S+) must be text\.$"), "not_text"),
    (re.compile(r"^(?P<field>\S+) must be an amount\.$"), "not_amount"),
    (re.compile(r"^(?P<field>\S+) has more than two decimals\.$"), "decimals"),
    (
        re.compile(r"^(?P<field>\S+) must be a whole number from 1 to (?P<max>\d+)\.$"),
        "not_quantity",
    ),
    (re.compile(r"^A line's discount is more than the line\.$"), "discount_over_line"),
    (re.compile(r"^A tax rate must be a number\.$"), "not_rate"),
    (re.compile(r"^(?P<field>\S+) must be a list\.$"), "not_list"),
    (re.compile(r"^A line has neither price nor subtotal\.$"), "no_price"),
    (re.compile(r"^no adapter for channel kind (?P<kind>\S+)$"), "no_adapter"),
]
EXCEPTION = re.compile(r"^[A-Z][A-Za-z0-9_.]*(Error|Exception|Timeout|Exit)\w*: ")


def _problem(text):
    for pattern, problem in PROBLEMS:
        match = pattern.match(text)
        if match:
            return {"problem": problem, **match.groupdict()}
    return {"text": text}


def convert(apps, schema_editor):
    Delivery = apps.get_model("orders", "InboundDelivery")
    rows = Delivery.objects.filter(
        models.Q(error__gt="") | models.Q(note__gt="") | models.Q(status="waiting_for_mapping")
    )
    changed = []
    for row in rows.only("pk", "status", "error", "note", "unmapped_skus").iterator():
        text = (row.error or "").strip()
        if row.note == "already taken":
            row.error_code, row.error_params = "duplicate", {}
        elif row.status == "waiting_for_mapping":
            row.error_code, row.error_params = "unknown_sku", {"skus": list(row.unmapped_skus)}
        elif not text:
            continue
        elif text in NOT_JSON:
            row.error_code, row.error_params = "not_json", {}
        elif EXCEPTION.match(text):
            row.error_code, row.error_params = "unexpected", {"detail": text}
        elif BAD_PAYLOAD.search(text):
            row.error_code, row.error_params = "bad_payload", _problem(text)
        elif row.status == "failed":
            row.error_code, row.error_params = "refused", {"text": text}
        else:
            row.error_code, row.error_params = "unexpected", {"detail": text}
        changed.append(row)
    Delivery.objects.bulk_update(changed, ["error_code", "error_params"], batch_size=500)


def back(apps, schema_editor):
    Delivery = apps.get_model("orders", "InboundDelivery")
    changed = []
    for row in Delivery.objects.exclude(error_code="").iterator():
        params = row.error_params or {}
        if row.error_code == "duplicate":
            row.note = "already taken"
        else:
            row.error = str(
                params.get("text")
                or params.get("detail")
                or params.get("reasons")
                or row.error_code
            )
        changed.append(row)
    Delivery.objects.bulk_update(changed, ["error", "note"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0029_inbound_deliveries"),
    ]

    operations = [
        migrations.AddField(
            model_name="inbounddelivery",
            name="error_code",
            field=models.CharField(
                blank=True,
                choices=[
                    ("not_json", "Not JSON"),
                    ("bad_payload", "Bad payload"),
                    ("unknown_sku", "Unknown SKU"),
                    ("duplicate", "Duplicate (order already taken)"),
                    ("refused", "Order refused"),
                    ("unexpected", "Unexpected error"),
                ],
                db_index=True,
                max_length=20,
                verbose_name="error",
            ),
        ),
        migrations.AddField(
            model_name="inbounddelivery",
            name="error_params",
            field=models.JSONField(blank=True, default=dict, verbose_name="error details"),
        ),
        migrations.RunPython(convert, back),
        migrations.RemoveField(model_name="inbounddelivery", name="error"),
        migrations.RemoveField(model_name="inbounddelivery", name="note"),
    ]
