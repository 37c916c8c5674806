from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_tax_classes_after_migrate(sender, using="default", **kwargs) -> None:
    """An empty tax class table (a new database emptied by a test's flush) gets the shipped
    VAT classes; classes finance keeps are never touched."""
    if sender.name != "inventory":
        return
    from inventory.taxes import ensure_default_tax_classes

    ensure_default_tax_classes(using=using)


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Inventory")

    def ready(self):
        from inventory import registrations  # noqa: F401

        post_migrate.connect(
            ensure_tax_classes_after_migrate, dispatch_uid="inventory.ensure_tax_classes"
        )
