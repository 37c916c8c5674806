"""Allocated (fully allocated, waiting in the pick queue) comes before picking (being picked).

Orders in picking that nobody started picking are waiting in the queue: they become allocated.
"""

from django.db import migrations, models


def waiting_orders_to_allocated(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    Order.objects.filter(status="picking", picking_started_at__isnull=True).update(
        status="allocated"
    )


def allocated_orders_to_picking(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    Order.objects.filter(status="allocated").update(status="picking")


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0004_approval_reason_codes"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="order",
            name="order_open_by_priority",
        ),
        migrations.AlterField(
            model_name="order",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("pending_review", "Pending review"),
                    ("confirmed", "Confirmed"),
                    ("backordered", "Back-ordered"),
                    ("in_production", "In production"),
                    ("allocated", "Allocated"),
                    ("picking", "Picking"),
                    ("partially_shipped", "Partially shipped"),
                    ("shipped", "Shipped"),
                    ("in_transit", "In transit"),
                    ("delivered", "Delivered"),
                    ("completed", "Completed"),
                    ("cancelled", "Cancelled"),
                    ("refunding", "Refunding"),
                ],
                default="draft",
                max_length=20,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="orderevent",
            name="from_status",
            field=models.CharField(
                blank=True,
                choices=[
                    ("draft", "Draft"),
                    ("pending_review", "Pending review"),
                    ("confirmed", "Confirmed"),
                    ("backordered", "Back-ordered"),
                    ("in_production", "In production"),
                    ("allocated", "Allocated"),
                    ("picking", "Picking"),
                    ("partially_shipped", "Partially shipped"),
                    ("shipped", "Shipped"),
                    ("in_transit", "In transit"),
                    ("delivered", "Delivered"),
                    ("completed", "Completed"),
                    ("cancelled", "Cancelled"),
                    ("refunding", "Refunding"),
                ],
                max_length=20,
                verbose_name="from",
            ),
        ),
        migrations.AlterField(
            model_name="orderevent",
            name="to_status",
            field=models.CharField(
                blank=True,
                choices=[
                    ("draft", "Draft"),
                    ("pending_review", "Pending review"),
                    ("confirmed", "Confirmed"),
                    ("backordered", "Back-ordered"),
                    ("in_production", "In production"),
                    ("allocated", "Allocated"),
                    ("picking", "Picking"),
                    ("partially_shipped", "Partially shipped"),
                    ("shipped", "Shipped"),
                    ("in_transit", "In transit"),
                    ("delivered", "Delivered"),
                    ("completed", "Completed"),
                    ("cancelled", "Cancelled"),
                    ("refunding", "Refunding"),
                ],
                max_length=20,
                verbose_name="to",
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(
                    (
                        "status__in",
                        [
                            "confirmed",
                            "backordered",
                            "in_production",
                            "allocated",
                            "picking",
                            "partially_shipped",
                        ],
                    )
                ),
                fields=["-priority_score", "id"],
                name="order_open_by_priority",
            ),
        ),
        migrations.RunPython(waiting_orders_to_allocated, allocated_orders_to_picking),
    ]
