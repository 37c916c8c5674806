"""Orders found by external reference (case-insensitive prefix) and by the sequence digits of
their number without prefix and zeros ("2002" → SO-2026-002002)."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("orders", "0005_allocated_status")]

    operations = [
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                models.Func(
                    models.Func(
                        models.F("number"),
                        models.Value("-"),
                        models.Value(3),
                        function="split_part",
                    ),
                    models.Value("0"),
                    function="ltrim",
                    output_field=models.CharField(),
                ),
                name="order_number_sequence",
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("external_reference"),
                    name="text_pattern_ops",
                ),
                name="order_external_ref_prefix",
            ),
        ),
    ]
