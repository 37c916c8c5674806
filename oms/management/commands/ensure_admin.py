import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Create the administrator account once. In production (DEBUG=0) the password comes "
        "from ADMIN_PASSWORD and is never printed; in development one is generated, printed "
        "and saved in var/admin-login.txt."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        user_model = get_user_model()
        if user_model.objects.filter(username=username).exists():
            self.stdout.write(f"Administrator account '{username}' exists.")
            return
        if settings.PRODUCTION:
            password = settings.ADMIN_PASSWORD
            if not password:
                raise CommandError(
                    "Set ADMIN_PASSWORD to create the administrator account "
                    "(it is never generated or printed in production)."
                )
            try:
                validate_password(password)
            except ValidationError as exc:
                raise CommandError("ADMIN_PASSWORD is too weak: " + " ".join(exc.messages)) from exc
        else:
            password = secrets.token_urlsafe(12)
        user = user_model.objects.create_superuser(
            username=username, email=f"{username}@example.com", password=password
        )
        user.groups.add(Group.objects.get(name="admin"))
        if settings.PRODUCTION:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Administrator account '{username}' created from ADMIN_PASSWORD."
                )
            )
            return
        note = settings.VAR_DIR / "admin-login.txt"
        note.write_text(f"username: {username}\npassword: {password}\n")
        note.chmod(0o600)
        self.stdout.write(self.style.SUCCESS("Administrator account created:"))
        self.stdout.write(f"    username: {username}\n    password: {password}")
        self.stdout.write(f"    (also saved in {note}; change it after signing in)")
