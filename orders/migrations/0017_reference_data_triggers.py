"""Price lists, promotions, shipping and approval rules stamp their version on every write,
for the per-process cache of orders.reference (oms.reference_cache)."""

from django.db import migrations

TABLES = [
    "orders_pricelist",
    "orders_pricelistitem",
    "orders_promotion",
    "orders_shippingrule",
    "orders_approvalrule",
]


def trigger(table: str) -> migrations.RunSQL:
    return migrations.RunSQL(
        f'CREATE TRIGGER oms_reference_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
        "FOR EACH STATEMENT EXECUTE FUNCTION oms_reference_changed()",
        f'DROP TRIGGER IF EXISTS oms_reference_changed ON "{table}"',
    )


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0016_order_event_payment"),
        ("oms", "0010_reference_version"),
    ]

    operations = [trigger(table) for table in TABLES]
