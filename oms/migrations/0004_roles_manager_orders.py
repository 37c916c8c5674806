from django.db import migrations

from oms.migrations import _roles


class Migration(migrations.Migration):
    """The manager role gains the order desk, approvals, approval rules and work orders."""

    dependencies = [("oms", "0003_roles_for_orders")]

    operations = [migrations.RunPython(_roles.create_role_groups, migrations.RunPython.noop)]
