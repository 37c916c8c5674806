"""Demo data for trying the OMS: the kernel's part (a user per role) and what every seeder gets.

Each app registers a seeder (oms.registry.register_seeder) that adds its own rows through its
own services; `manage.py seed_demo` runs them after the ones they depend on.

The demo company has 18 months of history. Seeders write through the services (which stamp
rows with the present) and then move their rows onto one shared timeline: `SeedContext.moment`
picks a seasonal moment, `SeedContext.later` a plausible working moment after another one,
and `backdate` rewrites timestamps in bulk.
"""

import bisect
import math
import random
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection, models
from django.utils import timezone

from oms.roles import ROLES, sync_role_groups

# seed_demo writes the demo company's past app by app, not in time order: the shipping seeder
# dispatches before the billing seeder has invoiced or paid anything. A dispatch guard that
# reads what a later seeder writes (billing's prepaid guard) lets that history through while
# this is set; the later seeder then makes it true (billing pays every dispatched prepaid demo
# order, dated before its dispatch) and tests/oms/test_seed_demo.py checks that it did. Set
# only by the seed_demo command, for its own process.
_writing_history = False


def writing_history() -> bool:
    return _writing_history


@contextmanager
def history_being_written() -> Iterator[None]:
    global _writing_history
    before, _writing_history = _writing_history, True
    try:
        yield
    finally:
        _writing_history = before


DEMO_PASSWORD = "demo-oms-2026"

DEMO_USERS = [
    ("manager", "manager", "王经理"),
    ("sales1", "sales", "李销售"),
    ("sales2", "sales", "陈销售"),
    ("reviewer", "reviewer", "赵审核"),
    ("warehouse", "warehouse", "孙仓管"),
    ("logistics", "logistics", "周物流"),
    ("purchasing", "purchasing", "钱采购"),
    ("finance", "finance", "吴财务"),
    ("service", "customer_service", "郑客服"),
]


# Spring Festival (Chinese New Year's day) moves with the lunar calendar.
SPRING_FESTIVAL = {
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
}
HISTORY_DAYS = 548  # 18 months
# Share of a day's orders per local hour: office hours, a lunch dip, web shops in the evening.
HOUR_WEIGHTS = [0.1, 0.05, 0.03, 0.02, 0.02, 0.03, 0.1, 0.3, 0.8, 1.6, 1.8, 1.6]
HOUR_WEIGHTS += [0.9, 1.3, 1.7, 1.7, 1.6, 1.2, 0.7, 0.6, 0.8, 0.9, 0.7, 0.3]
GOLDEN_RATIO = (math.sqrt(5) - 1) / 2


def season_factor(day: date) -> float:
    """How busy a day is compared with an ordinary weekday (growth over time left out).

    Wholesale customers stock up in the weeks before Spring Festival, then the country stops
    for a week and restarts slowly; online shops peak at Singles' Day (11.11) and 618.
    """
    factor = 1.0
    for festival in (SPRING_FESTIVAL.get(day.year), SPRING_FESTIVAL.get(day.year + 1)):
        if festival is None:
            continue
        before = (festival - day).days
        if 25 <= before <= 35:
            factor *= 1.4
        elif 8 <= before < 25:
            factor *= 3.0
        elif 2 <= before < 8:
            factor *= 1.4  # couriers stop taking parcels a few days before the holiday
        elif -7 <= before < 2:
            factor *= 0.15  # the holiday itself
        elif -16 <= before < -7:
            factor *= 0.55  # factories and couriers restart
    month, dom = day.month, day.day
    if month == 11 and dom == 11:
        factor *= 6.0
    elif month == 11 and dom < 11:
        factor *= 2.6
    elif (month == 10 and dom >= 20) or (month == 11 and dom <= 14):
        factor *= 1.4
    elif month == 10 and dom <= 7:
        factor *= 0.5  # National Day golden week
    elif month == 6 and dom == 18:
        factor *= 2.5
    elif month == 6 and dom < 18:
        factor *= 1.3
    if day.weekday() == 6:
        factor *= 0.7
    elif day.weekday() == 5:
        factor *= 0.9
    return factor


@dataclass
class SeedContext:
    """What seed_demo hands every seeder: sizes, one random source, the demo users, output,
    and the demo company's timeline (the last HISTORY_DAYS days up to `now`)."""

    customers: int
    orders: int
    stdout: Any
    rng: random.Random = field(default_factory=lambda: random.Random(2026))
    users: dict[str, Any] = field(default_factory=dict)  # username -> User
    # One "now" for the whole run, so every seeder places its rows on the same timeline.
    now: datetime = field(default_factory=timezone.now)
    history_days: int = HISTORY_DAYS

    @property
    def start(self) -> datetime:
        """Where the demo history begins (a midnight): master data (customers, products,
        opening stock) is older than this, documents are younger."""
        first = timezone.localdate(self.now) - timedelta(days=self.history_days)
        return datetime.combine(first, time(), tzinfo=timezone.get_current_timezone())

    def day_weight(self, day: date) -> float:
        """Expected orders on a day relative to an ordinary weekday at the start: the season
        times a steady growth to about twice the volume by today."""
        progress = (day - timezone.localdate(self.start)).days / self.history_days
        # A fixed per-day jitter, so the curve is not suspiciously smooth.
        jitter = random.Random(day.toordinal()).uniform(0.85, 1.15)
        return season_factor(day) * (0.6 + 0.6 * progress) * jitter

    @cached_property
    def _days(self) -> tuple[list[date], list[float]]:
        first, today = timezone.localdate(self.start), timezone.localdate(self.now)
        days = [first + timedelta(days=i) for i in range((today - first).days + 1)]
        cumulative, total = [], 0.0
        for day in days:
            total += self.day_weight(day) * (self._today_share() if day == today else 1.0)
            cumulative.append(total)
        return days, [c / total for c in cumulative]

    def _today_share(self) -> float:
        """The part of today's usual orders placed by now."""
        local = timezone.localtime(self.now)
        hours = local.hour + local.minute / 60
        passed = sum(HOUR_WEIGHTS[: int(hours)]) + HOUR_WEIGHTS[int(hours)] * (hours % 1)
        return passed / sum(HOUR_WEIGHTS)

    def moment(self, u: float) -> datetime:
        """The moment at quantile u (0 ≤ u < 1) of the seasonal history: u = rng.random() gives
        a random demo moment; evenly spread u values give a smooth curve even for few rows."""
        days, cumulative = self._days
        index = min(bisect.bisect_right(cumulative, u), len(days) - 1)
        low = cumulative[index - 1] if index else 0.0
        within = (u - low) / ((cumulative[index] - low) or 1.0)  # 0..1 inside the day
        if index == len(days) - 1:
            within *= self._today_share()
        # The same fraction walks through the day's hours, weighted by HOUR_WEIGHTS.
        target, seconds = within * sum(HOUR_WEIGHTS), 0.0
        for weight in HOUR_WEIGHTS:
            if target <= weight:
                seconds += 3600 * target / weight
                break
            target -= weight
            seconds += 3600
        when = datetime.combine(days[index], time(), tzinfo=timezone.get_current_timezone())
        return min(when + timedelta(seconds=min(seconds, 86399)), self.now)

    def spread(self, n: int) -> float:
        """The n-th of an evenly spread sequence in [0, 1) (golden-ratio steps): row n keeps its
        place whatever the number of rows, so a later run with more rows fills the same curve."""
        return (0.5 + n * GOLDEN_RATIO) % 1.0

    def later(self, after: datetime, hours: float, rng: random.Random) -> datetime:
        """A moment `hours` after `after`, moved into office hours (8:30 to 19:00, not on
        Sunday) the way staff work; may lie beyond `now`, which callers check."""
        local = timezone.localtime(after + timedelta(hours=hours))
        opening = local.replace(hour=8, minute=30, second=0, microsecond=0)
        if local.hour >= 19 or local < opening or local.weekday() == 6:
            if local >= opening:
                opening += timedelta(days=1)
            if opening.weekday() == 6:
                opening += timedelta(days=1)
            local = opening + timedelta(minutes=rng.uniform(0, 120))
        return local

    @property
    def actor(self):
        """The user demo rows are written as when no particular role is meant."""
        return self.users["manager"]

    def say(self, message: str) -> None:
        self.stdout.write(message)


def _quoted_names(model: type[models.Model], field_name: str) -> tuple[str, str, str]:
    """The model's table, the field's column and the primary key's column, quoted for SQL."""
    field = model._meta.get_field(field_name)
    assert isinstance(field, models.Field)
    assert field.column
    assert model._meta.pk
    quote = connection.ops.quote_name
    return quote(model._meta.db_table), quote(field.column), quote(str(model._meta.pk.column))


def backdate(model: type[models.Model], field_name: str, moments: Mapping[Any, datetime]) -> int:
    """Set one timestamp column of many rows (integer keys) in one UPDATE: {pk: moment}.

    For demo history only: services stamp rows with the present, seeders then move them.
    """
    if not moments:
        return 0
    table, column, pk = _quoted_names(model, field_name)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS t SET {column} = v.moment "
            f"FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, moment) WHERE t.{pk} = v.id",
            [list(moments), list(moments.values())],
        )
        return cursor.rowcount


def rename(
    model: type[models.Model],
    field_name: str,
    renames: Mapping[str, str],
    ids: Sequence[int] | None = None,
) -> int:
    """Replace values of one text column in one UPDATE: {old: new}, in the rows `ids` only when
    given. For demo history only: document numbers follow the year of their moment."""
    if not renames:
        return 0
    table, column, pk = _quoted_names(model, field_name)
    only = f" AND t.{pk} = ANY(%s)" if ids is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS t SET {column} = v.new "
            f"FROM unnest(%s::text[], %s::text[]) AS v(old, new) WHERE t.{column} = v.old{only}",
            [list(renames), list(renames.values()), *([list(ids)] if ids is not None else [])],
        )
        return cursor.rowcount


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


# What the mail server or SMS gateway answered for the demo's message that could not go out.
DEMO_FAILURES = {
    "email": "SMTPRecipientsRefused: 550 5.1.1 Recipient address rejected: mailbox unavailable",
    "sms": "SMS gateway refused the number: isv.MOBILE_NUMBER_ILLEGAL (number not in service)",
}


def messages_as_told(
    moments: Mapping[int, datetime], *, failed: Sequence[int] = (), sent_after: int = 20
) -> int:
    """Demo: outbox rows just written by `notify` ({pk: moment}) as handled back then. Pending
    ones were sent `sent_after` seconds after their moment, those in `failed` bounced after
    the worker's attempts; rows notify skipped (opted out, no address) keep their reason.
    Returns the rows sent."""
    from oms.choices import OutboxStatus
    from oms.models import OutboxMessage

    if not moments:
        return 0
    pending = set(
        OutboxMessage.objects.filter(pk__in=list(moments), status=OutboxStatus.PENDING).values_list(
            "pk", flat=True
        )
    )
    bounced = pending & set(failed)
    sent = pending - bounced
    OutboxMessage.objects.filter(pk__in=sent).update(status=OutboxStatus.SENT, attempts=1)
    for channel, error in DEMO_FAILURES.items():
        OutboxMessage.objects.filter(pk__in=bounced, channel=channel).update(
            status=OutboxStatus.FAILED, attempts=5, last_error=error
        )
    backdate(OutboxMessage, "created_at", moments)
    backdate(
        OutboxMessage, "sent_at", {pk: moments[pk] + timedelta(seconds=sent_after) for pk in sent}
    )
    return len(sent)
