from django.db import migrations

from oms.migrations import _roles


class Migration(migrations.Migration):
    dependencies = [
        ("oms", "0002_roles"),
        ("orders", "0002_number_sequence"),
        ("inventory", "0005_work_order_number_sequence"),
    ]

    operations = [migrations.RunPython(_roles.create_role_groups, migrations.RunPython.noop)]
