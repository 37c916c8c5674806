from django.db import migrations


class Migration(migrations.Migration):
    """Once built the role groups; the groups are now built by sync_roles after every migrate
    (oms.apps), from what each app registers. Kept empty so existing databases stay in step."""

    dependencies = [("oms", "0003_roles_for_orders")]

    operations = []
