"""Channels become rows: the five fixed values orders had become channels with the same codes
(named in each reader's language), and Order.channel a foreign key to the code, so no
order row changes."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

# code -> kind; their names stay empty: the standard name, in each reader's language.
FIRST_CHANNELS = {
    "back_office": "back_office",
    "web_shop": "other_shop",
    "marketplace": "other_marketplace",
    "import": "import",
    "api": "api",
}


def create_first_channels(apps, schema_editor):
    Channel = apps.get_model("orders", "Channel")
    for code, kind in FIRST_CHANNELS.items():
        Channel.objects.get_or_create(code=code, defaults={"kind": kind})


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0022_shipping_tax"),
    ]

    operations = [
        migrations.CreateModel(
            name="Channel",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "code",
                    models.CharField(
                        max_length=20,
                        unique=True,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[a-z0-9][a-z0-9_-]*$",
                                "Lower-case letters, digits, - and _ only, starting with a letter or digit.",
                            )
                        ],
                        verbose_name="code",
                    ),
                ),
                ("name", models.CharField(blank=True, max_length=100, verbose_name="name")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("back_office", "Back office"),
                            ("import", "Import"),
                            ("api", "API"),
                            ("shopify", "Shopify"),
                            ("woocommerce", "WooCommerce"),
                            ("taobao", "Taobao/Tmall"),
                            ("jd", "JD"),
                            ("pinduoduo", "Pinduoduo"),
                            ("other_shop", "Other web shop"),
                            ("other_marketplace", "Other marketplace"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "prices_include_tax",
                    models.BooleanField(
                        default=False,
                        help_text="The channel's prices are gross (tax included), as shops show buyers.",
                        verbose_name="prices include tax",
                    ),
                ),
                (
                    "customer_group",
                    models.CharField(
                        choices=[
                            ("retail", "Retail"),
                            ("wholesale", "Wholesale"),
                            ("distributor", "Distributor"),
                        ],
                        default="retail",
                        help_text="Customers this channel creates from its orders join this group.",
                        max_length=12,
                        verbose_name="group of new buyers",
                    ),
                ),
                (
                    "endpoint",
                    models.URLField(
                        blank=True,
                        help_text="Where the platform's orders are fetched from (marketplaces).",
                        verbose_name="endpoint",
                    ),
                ),
                (
                    "secret",
                    models.CharField(blank=True, max_length=128, verbose_name="signing secret"),
                ),
                ("cursor", models.CharField(blank=True, max_length=64, verbose_name="cursor")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
            ],
            options={
                "verbose_name": "channel",
                "verbose_name_plural": "channels",
                "ordering": ["code"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("kind", "back_office"), _negated=True),
                            ("code", "back_office"),
                            _connector="OR",
                        ),
                        name="channel_one_back_office",
                    )
                ],
            },
        ),
        migrations.RunPython(create_first_channels, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="order",
            name="channel",
            field=models.ForeignKey(
                db_column="channel",
                default="back_office",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="orders",
                to="orders.channel",
                to_field="code",
                verbose_name="channel",
            ),
        ),
    ]
