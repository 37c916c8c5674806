"""Service levels of complaints, counted in office hours on working days.

A case's clock runs only inside the office day (`OMS_CASE_OFFICE_HOURS`, local time) of
working days (`oms.workdays`: weekends, China's public holidays and 调休 days, and the edits on
the calendar page). A case opened on Friday at 17:00 with 4 hours to answer is due on Monday at
12:00 (with 09:00-18:00), or later when Monday is a holiday.

While a case waits for the customer its clock stops: the working time spent waiting is added to
the case's `paused_seconds`, and every deadline is `opened_at` plus the target plus that pause,
counted in working time. So a case that waited two working hours is due two working hours
later, whatever nights and holidays lie in between.

Pure functions over a `WorkingCalendar`; `calendar_for(start, seconds)` loads the one the
computation needs in one query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.conf import settings
from django.utils import timezone

from oms.workdays import WorkingCalendar, working_calendar

RESPONSE = "response"
RESOLUTION = "resolution"


@dataclass(frozen=True)
class OfficeDay:
    opens: time
    closes: time

    @property
    def seconds(self) -> int:
        return (
            self.closes.hour * 60 + self.closes.minute - self.opens.hour * 60 - self.opens.minute
        ) * 60


@dataclass(frozen=True)
class SlaTargets:
    """Working seconds allowed for the first response and for the resolution."""

    response: int
    resolution: int

    def of(self, target: str) -> int:
        return self.response if target == RESPONSE else self.resolution


def _clock(text: str) -> time:
    hours, minutes = text.strip().split(":")
    return time(int(hours), int(minutes))


@lru_cache(maxsize=8)
def parse_office_hours(text: str) -> OfficeDay:
    """ "09:00-18:00" → OfficeDay; a setting that does not parse is a configuration error."""
    opens, closes = (_clock(part) for part in text.split("-"))
    if closes <= opens:
        raise ValueError(f"OMS_CASE_OFFICE_HOURS must open before it closes: {text!r}")
    return OfficeDay(opens, closes)


@lru_cache(maxsize=8)
def parse_sla_hours(text: str) -> dict[str, SlaTargets]:
    """ "urgent=2/8,high=4/24" → {"urgent": SlaTargets(7200, 28800), …} (working hours)."""
    targets = {}
    for item in text.split(","):
        if not item.strip():
            continue
        priority, hours = item.split("=")
        response, resolution = (float(h) for h in hours.split("/"))
        if response <= 0 or resolution < response:
            raise ValueError(f"OMS_CASE_SLA_HOURS: bad hours for {priority.strip()!r}")
        targets[priority.strip()] = SlaTargets(int(response * 3600), int(resolution * 3600))
    return targets


def office_day() -> OfficeDay:
    return parse_office_hours(settings.OMS_CASE_OFFICE_HOURS)


def targets_for(priority: str) -> SlaTargets:
    targets = parse_sla_hours(settings.OMS_CASE_SLA_HOURS)
    if priority not in targets:
        raise ValueError(f"OMS_CASE_SLA_HOURS has no hours for priority {priority!r}")
    return targets[priority]


def _window(day: date, office: OfficeDay, tz) -> tuple[datetime, datetime]:
    return (
        datetime.combine(day, office.opens, tzinfo=tz),
        datetime.combine(day, office.closes, tzinfo=tz),
    )


def add_working_seconds(
    start: datetime, seconds: int, calendar: WorkingCalendar, office: OfficeDay
) -> datetime:
    """The moment `seconds` of office time after `start` have passed. Time outside the office
    day (nights, weekends, holidays) does not count; a start outside it counts from the next
    opening. 0 seconds from inside the office day is `start` itself."""
    local = timezone.localtime(start)
    tz = local.tzinfo
    day, cursor, left = local.date(), local, max(0, int(seconds))
    while True:
        if calendar.is_working_day(day):
            opens, closes = _window(day, office, tz)
            cursor = max(cursor, opens)
            if cursor < closes:
                available = int((closes - cursor).total_seconds())
                if left <= available:
                    return cursor + timedelta(seconds=left)
                left -= available
        day += timedelta(days=1)
        cursor = datetime.combine(day, time.min, tzinfo=tz)


def working_seconds_between(
    a: datetime, b: datetime, calendar: WorkingCalendar, office: OfficeDay
) -> int:
    """Office time between two moments (0 when b is not after a)."""
    if b <= a:
        return 0
    first, last = timezone.localtime(a), timezone.localtime(b)
    tz = first.tzinfo
    total, day = 0, first.date()
    while day <= last.date():
        if calendar.is_working_day(day):
            opens, closes = _window(day, office, tz)
            begin, end = max(opens, first), min(closes, last)
            if end > begin:
                total += int((end - begin).total_seconds())
        day += timedelta(days=1)
    return total


def calendar_for(start: datetime, seconds: int = 0, until: datetime | None = None):
    """The working calendar that covers `seconds` of office time from `start` (or the span up
    to `until`), in one query. Generous: a year has at least ~240 working days."""
    office = office_day()
    first = timezone.localtime(start).date()
    days = seconds // max(office.seconds, 1) + 1
    last = first + timedelta(days=2 * days + 40)
    if until is not None:
        last = max(last, timezone.localtime(until).date())
    return working_calendar(first, last)


@dataclass(frozen=True)
class Deadlines:
    response_due: datetime
    resolution_due: datetime
    response_warn: datetime
    resolution_warn: datetime

    def due(self, target: str) -> datetime:
        return self.response_due if target == RESPONSE else self.resolution_due

    def warn(self, target: str) -> datetime:
        return self.response_warn if target == RESPONSE else self.resolution_warn


def deadlines(
    *,
    opened_at: datetime,
    priority: str,
    paused_seconds: int = 0,
    calendar: WorkingCalendar | None = None,
) -> Deadlines:
    """When the first response and the resolution are due, and when the warning goes out
    (`OMS_CASE_ESCALATE_PERCENT` of each target used), for a case paused so long."""
    targets = targets_for(priority)
    office = office_day()
    calendar = calendar or calendar_for(opened_at, targets.resolution + paused_seconds)
    share = settings.OMS_CASE_ESCALATE_PERCENT / 100

    def at(seconds: float) -> datetime:
        return add_working_seconds(opened_at, int(seconds) + paused_seconds, calendar, office)

    return Deadlines(
        response_due=at(targets.response),
        resolution_due=at(targets.resolution),
        response_warn=at(targets.response * share),
        resolution_warn=at(targets.resolution * share),
    )
