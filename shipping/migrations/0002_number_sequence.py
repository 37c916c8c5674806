from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("shipping", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS shipping_shipment_number",
            "DROP SEQUENCE IF EXISTS shipping_shipment_number",
        )
    ]
