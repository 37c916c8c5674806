from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("inventory", "0004_workorder")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS inventory_work_order_number",
            "DROP SEQUENCE IF EXISTS inventory_work_order_number",
        )
    ]
