"""Demo data for trying the OMS: the kernel's part (a user per role) and what every seeder gets.

Each app registers a seeder (oms.registry.register_seeder) that adds its own rows through its
own services; `manage.py seed_demo` runs them after the ones they depend on.
"""

import random
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from oms.roles import ROLES, sync_role_groups

DEMO_PASSWORD = "demo-oms-2026"

DEMO_USERS = [
    ("manager", "manager", "王经理"),
    ("sales1", "sales", "李销售"),
    ("sales2", "sales", "陈销售"),
    ("reviewer", "reviewer", "赵审核"),
    ("warehouse", "warehouse", "孙仓管"),
    ("logistics", "logistics", "周物流"),
    ("finance", "finance", "吴财务"),
    ("service", "customer_service", "郑客服"),
]


@dataclass
class SeedContext:
    """What seed_demo hands every seeder: sizes, one random source, the demo users, output."""

    customers: int
    orders: int
    stdout: Any
    rng: random.Random = field(default_factory=lambda: random.Random(2026))
    users: dict[str, Any] = field(default_factory=dict)  # username -> User

    @property
    def actor(self):
        """The user demo rows are written as when no particular role is meant."""
        return self.users["manager"]

    def say(self, message: str) -> None:
        self.stdout.write(message)


def seed_users(context: SeedContext) -> None:
    user_model = get_user_model()
    if Group.objects.filter(name__in=ROLES).count() < len(ROLES):
        sync_role_groups(Group, Permission)
    created = []
    for username, role, name in DEMO_USERS:
        user, was_created = user_model.objects.get_or_create(
            username=username,
            defaults={"first_name": name, "email": f"{username}@example.com"},
        )
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            created.append(f"{username} ({ROLES[role].label})")
        user.groups.add(Group.objects.get(name=role))
        context.users[username] = user
    if created:
        context.say(f"Demo users, password '{DEMO_PASSWORD}': " + ", ".join(created))
