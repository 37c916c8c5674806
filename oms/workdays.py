"""Working days: China's calendar of public holidays and make-up working days (调休).

A working day is Monday to Friday, less the public holidays and the days off the State
Council's yearly notice moves around them, plus the weekend days that notice makes working
days (the Sunday before Spring Festival, say). The shipped calendar comes from the `holidays`
package (its China calendar carries both the holidays and the make-up working days, as data in
the installed package: nothing is fetched at run time); `CalendarDay` rows edited on the
calendar page change single days on top of it.

Transit days, expected delivery dates and SLAs count working days through this module:

    add_working_days(start, n)        the n-th working day after start (n < 0: before it)
    is_working_day(day)
    working_days_between(a, b)        the working days after a up to and including b

Each of these runs at most one query (the edits of the years it needs). Code that works out
many dates at once loads the calendar once, `calendar = working_calendar(first, last)`, and
calls the same methods on it with no further query. The shipped part is computed once per
year and process.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.utils import translation
from django.utils.translation import gettext

from oms.models import CalendarDay

SATURDAY = 5
# How far n working days can reach at most: a year has at least ~240 working days, so n
# working days lie within 2n + 30 calendar days (Spring Festival's nine days off included).
_SLACK_DAYS = 30


@dataclass(frozen=True)
class OfficialYear:
    """The shipped calendar's special days of one year."""

    days_off: frozenset[date]  # weekdays that are public holidays or days off moved by 调休
    working_weekends: frozenset[date]  # Saturdays and Sundays made working days by 调休
    names: dict[str, dict[date, str]]  # language -> date -> holiday name


def _holiday_language(language: str) -> str:
    return "zh_CN" if language.lower().startswith("zh") else "en_US"


@lru_cache(maxsize=64)
def official_year(year: int) -> OfficialYear:
    calendars = {
        lang: holidays.China(years=year, language=_holiday_language(lang))
        for lang in ("en", "zh-hans")
    }
    names = {lang: dict(calendar) for lang, calendar in calendars.items()}
    days_off = frozenset(day for day in names["en"] if day.weekday() < SATURDAY)
    weekends = calendars["en"].weekend_workdays
    working = frozenset(day for day in weekends if day.year == year)
    return OfficialYear(days_off=days_off, working_weekends=working, names=names)


def official_is_working_day(day: date) -> bool:
    """What the shipped calendar says, without the edits."""
    year = official_year(day.year)
    if day.weekday() >= SATURDAY:
        return day in year.working_weekends
    return day not in year.days_off


def official_name(day: date) -> str:
    """The shipped calendar's name for a holiday or a make-up working day, in the active
    language ("" for none)."""
    year = official_year(day.year)
    if day in year.working_weekends:
        return gettext("Make-up working day (调休)")
    language = "zh-hans" if (translation.get_language() or "").startswith("zh") else "en"
    return year.names[language].get(day, "")


class WorkingCalendar:
    """The working days of a run of whole years: the shipped calendar plus the edits.

    Pure: it never queries. Asking about a day outside its years raises LookupError, so a
    date computed past what was loaded is a bug that shows, not a silent guess.
    """

    def __init__(self, years: Iterable[int], edits: dict[date, bool]) -> None:
        self.years = frozenset(years)
        self.edits = dict(edits)

    def covers(self, day: date) -> bool:
        return day.year in self.years

    def is_working_day(self, day: date) -> bool:
        if day.year not in self.years:
            raise LookupError(f"the working-day calendar of {day.year} is not loaded")
        edited = self.edits.get(day)
        if edited is not None:
            return edited
        return official_is_working_day(day)

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (before it for a negative n); `start` itself for
        0. Dispatched on a Friday with two transit days: Tuesday, or later around a holiday."""
        step = timedelta(days=1 if n >= 0 else -1)
        day, left = start, abs(n)
        while left:
            day += step
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, a: date, b: date) -> int:
        """How many working days lie after `a` up to and including `b` (negative when b < a),
        so that add_working_days(a, working_days_between(a, b)) == b for a working day b."""
        if b < a:
            return -self.working_days_between(b, a)
        return sum(1 for k in range(1, (b - a).days + 1) if self.is_working_day(a + timedelta(k)))

    def next_working_day(self, day: date) -> date:
        """`day` itself when it is a working day, else the first working day after it."""
        return day if self.is_working_day(day) else self.add_working_days(day, 1)


def working_calendar(first: date, last: date) -> WorkingCalendar:
    """The calendar of every year from `first` to `last`, in one query."""
    if last < first:
        first, last = last, first
    years = range(first.year, last.year + 1)
    edits = dict(
        CalendarDay.objects.filter(
            date__gte=date(first.year, 1, 1), date__lte=date(last.year, 12, 31)
        ).values_list("date", "is_working_day")
    )
    return WorkingCalendar(years, edits)


def _reach(start: date, n: int) -> date:
    return start + timedelta(days=(2 * n) + (_SLACK_DAYS if n >= 0 else -_SLACK_DAYS))


def is_working_day(day: date) -> bool:
    return working_calendar(day, day).is_working_day(day)


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after `start` (see WorkingCalendar.add_working_days)."""
    return working_calendar(start, _reach(start, n)).add_working_days(start, n)


def working_days_between(a: date, b: date) -> int:
    """Working days after `a` up to and including `b` (see WorkingCalendar)."""
    return working_calendar(a, b).working_days_between(a, b)


@dataclass(frozen=True)
class SpecialDay:
    """A day of a year whose working status differs from a plain Monday-to-Friday week, or
    that staff edited: one row of the calendar page."""

    date: date
    is_working_day: bool
    name: str
    edited: bool  # a CalendarDay row decides it
    official_working_day: bool  # what the shipped calendar says

    @property
    def weekday(self) -> int:
        return self.date.weekday()


def special_days(year: int) -> list[SpecialDay]:
    """The year's days off on weekdays and working weekend days, shipped or edited, by date."""
    official = official_year(year)
    edits = {row.date: row for row in CalendarDay.objects.filter(date__year=year)}
    days = official.days_off | official.working_weekends | edits.keys()
    rows = []
    for day in sorted(days):
        shipped = official_is_working_day(day)
        edit = edits.get(day)
        working = edit.is_working_day if edit is not None else shipped
        name = (edit.name if edit is not None else "") or official_name(day)
        rows.append(
            SpecialDay(
                date=day,
                is_working_day=working,
                name=name,
                edited=edit is not None,
                official_working_day=shipped,
            )
        )
    return rows
