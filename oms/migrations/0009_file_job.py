"""The export job becomes the kernel's file job: CSV exports and printed-document batches.
Existing exports keep their rows (kind "export")."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("oms", "0008_calendar_and_message_templates")]

    operations = [
        migrations.RenameModel("ExportJob", "FileJob"),
        # The check names the renamed column: made again over it.
        migrations.RemoveConstraint("filejob", "export_rows_non_negative"),
        migrations.RenameField("filejob", "rows_total", "items_total"),
        migrations.RenameField("filejob", "rows_written", "items_done"),
        migrations.AddConstraint(
            "filejob",
            models.CheckConstraint(
                condition=models.Q(items_done__gte=0), name="export_rows_non_negative"
            ),
        ),
        migrations.AlterField(
            "filejob",
            "items_total",
            models.BigIntegerField(blank=True, null=True, verbose_name="items to write"),
        ),
        migrations.AlterField(
            "filejob",
            "items_done",
            models.BigIntegerField(default=0, verbose_name="items written"),
        ),
        migrations.AddField(
            "filejob",
            "kind",
            models.CharField(default="export", max_length=40, verbose_name="kind"),
        ),
        migrations.AddField(
            "filejob",
            "parameters",
            models.JSONField(blank=True, default=dict, verbose_name="parameters"),
        ),
        migrations.AlterModelOptions(
            name="filejob",
            options={
                "ordering": ["-created_at"],
                "verbose_name": "file job",
                "verbose_name_plural": "file jobs",
            },
        ),
    ]
