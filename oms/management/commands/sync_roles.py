from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand

from oms.roles import ROLES, sync_role_groups


class Command(BaseCommand):
    help = "Make the role groups match what the apps grant each role (migrate does this too)."

    def handle(self, *args, **options):
        sync_role_groups(Group, Permission)
        self.stdout.write(self.style.SUCCESS(f"{len(ROLES)} role groups are in sync."))
