from django.db import migrations

from oms.migrations import _roles


class Migration(migrations.Migration):
    """Managers (and administrators) maintain price lists, promotions and shipping fee rules."""

    dependencies = [("orders", "0004_approval_reason_codes"), ("oms", "0004_roles_manager_orders")]

    operations = [migrations.RunPython(_roles.create_role_groups, migrations.RunPython.noop)]
