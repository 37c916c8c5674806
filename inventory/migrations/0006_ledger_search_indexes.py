import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.functions.text
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

# The ledger is large and written all day: its new indexes are built without locking out
# writers (CONCURRENTLY, so outside a transaction).


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("inventory", "0005_work_order_number_sequence")]

    operations = [
        AddIndexConcurrently(
            model_name="stockmovement",
            index=models.Index(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("reference"), name="text_pattern_ops"
                ),
                name="movement_reference_prefix",
            ),
        ),
        AddIndexConcurrently(
            model_name="stockmovement",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.search.SearchVector("note", config="simple"),
                name="movement_note_words",
            ),
        ),
    ]
