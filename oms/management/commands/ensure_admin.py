import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the administrator account once and print its login; later runs only remind."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        user_model = get_user_model()
        if user_model.objects.filter(username=username).exists():
            self.stdout.write(
                f"Administrator account '{username}' exists (password as printed when it was created)."
            )
            return
        password = secrets.token_urlsafe(12)
        user = user_model.objects.create_superuser(
            username=username, email=f"{username}@example.com", password=password
        )
        user.groups.add(Group.objects.get(name="admin"))
        note = settings.VAR_DIR / "admin-login.txt"
        note.write_text(f"username: {username}\npassword: {password}\n")
        note.chmod(0o600)
        self.stdout.write(self.style.SUCCESS("Administrator account created:"))
        self.stdout.write(f"    username: {username}\n    password: {password}")
        self.stdout.write(f"    (also saved in {note}; change it after signing in)")
