# The app's first migration holds nothing: each part of after-sales (returns, complaints,
# feedback) adds its tables in a migration of its own that depends on this one.
from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies: list = []
    operations: list = []
