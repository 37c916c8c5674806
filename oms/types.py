"""Types the services share. The project uses Django's own User model."""

from django.contrib.auth.models import AnonymousUser, User

__all__ = ["AnyUser", "User"]

# Who makes a request: signed in or not. Services take a `User` (or None for the system).
AnyUser = User | AnonymousUser
