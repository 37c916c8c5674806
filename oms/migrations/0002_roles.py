from django.db import migrations

from oms.migrations import _roles


class Migration(migrations.Migration):
    dependencies = [
        ("oms", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("customers", "0001_initial"),
        ("inventory", "0001_initial"),
    ]

    operations = [migrations.RunPython(_roles.create_role_groups, migrations.RunPython.noop)]
