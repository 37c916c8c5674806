import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Installments carry their invoice's customer, so receivables aging groups the open ones
    by customer from one partial covering index, never joining the invoices."""

    dependencies = [
        ("billing", "0005_cod_remittances_and_bank_statements"),
        ("customers", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="installment",
            name="customer",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="customers.customer",
                verbose_name="customer",
            ),
        ),
        migrations.RunSQL(
            "UPDATE billing_installment i SET customer_id = v.customer_id "
            "FROM billing_invoice v WHERE v.id = i.invoice_id",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="installment",
            name="customer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="customers.customer",
                verbose_name="customer",
            ),
        ),
        migrations.AddIndex(
            model_name="installment",
            index=models.Index(
                condition=models.Q(
                    ("amount__gt", models.F("amount_paid") + models.F("amount_credited"))
                ),
                fields=["customer", "due_date"],
                include=("amount", "amount_paid", "amount_credited"),
                name="installment_open_customer",
            ),
        ),
    ]
