from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _is_last_migrated_app(sender) -> bool:
    """post_migrate is sent once per app that has models, in INSTALLED_APPS order; auth creates
    each app's permissions on the same signal, so the last app's turn sees them all."""
    with_models = [config for config in apps.get_app_configs() if config.models_module]
    return bool(with_models) and sender is with_models[-1]


def sync_roles_after_migrate(sender, **kwargs) -> None:
    """Rebuild the role groups once per `migrate`, after the last app's permissions exist."""
    if not _is_last_migrated_app(sender):
        return
    from django.contrib.auth.models import Group, Permission

    from oms.roles import sync_role_groups

    sync_role_groups(Group, Permission)


def sync_message_templates_after_migrate(sender, **kwargs) -> None:
    """Make the customer-message templates the apps registered (defaults, never over staff's
    edits) once per `migrate`: the code's defaults, with no data migration importing it."""
    if not _is_last_migrated_app(sender):
        return
    from oms.messaging import sync_message_templates

    sync_message_templates()


class OmsConfig(AppConfig):
    name = "oms"
    verbose_name = _("OMS core")

    def ready(self):
        from oms import registrations  # noqa: F401
        from oms.db import register_lazy_text

        register_lazy_text()

        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="oms.sync_roles")
        post_migrate.connect(
            sync_message_templates_after_migrate, dispatch_uid="oms.sync_message_templates"
        )
