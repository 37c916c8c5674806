from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

# The dashboard's receivables tiles over a million invoices: credit sales of 90 days and the
# month's receipts read index-only. Invoices and payments are written all day: built without
# locking out writers (CONCURRENTLY, so outside a transaction).


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("billing", "0010_shipping_tax")]

    operations = [
        AddIndexConcurrently(
            model_name="invoice",
            index=models.Index(
                fields=["issue_date"],
                include=("status", "payment_terms", "customer", "total"),
                name="invoice_issued",
            ),
        ),
        AddIndexConcurrently(
            model_name="payment",
            index=models.Index(
                condition=models.Q(("kind", "receipt")),
                fields=["received_on"],
                include=("method", "customer", "amount"),
                name="receipt_received",
            ),
        ),
    ]
