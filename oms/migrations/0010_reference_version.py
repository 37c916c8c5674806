"""Versions of reference data, for the per-process cache of oms.reference_cache: the table
and the trigger function that apps attach to their reference tables (see
oms.reference_cache.watch_table_sql)."""

from django.db import migrations, models

FUNCTION = """
CREATE OR REPLACE FUNCTION oms_reference_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO oms_referenceversion (name, version) VALUES (TG_TABLE_NAME, gen_random_uuid())
    ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version;
    RETURN NULL;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("oms", "0009_file_job")]

    operations = [
        migrations.CreateModel(
            name="ReferenceVersion",
            fields=[
                (
                    "name",
                    models.CharField(
                        max_length=63, primary_key=True, serialize=False, verbose_name="table"
                    ),
                ),
                ("version", models.UUIDField(verbose_name="version")),
            ],
            options={
                "verbose_name": "reference data version",
                "verbose_name_plural": "reference data versions",
            },
        ),
        migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS oms_reference_changed() CASCADE"),
    ]
