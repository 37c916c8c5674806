"""The working-day calendar: China's holidays and make-up working days, and the edits."""

from datetime import date, timedelta

import pytest

from oms.errors import ServiceError
from oms.models import AuditLog, CalendarDay
from oms.services import calendar_day_set
from oms.workdays import (
    WorkingCalendar,
    add_working_days,
    is_working_day,
    special_days,
    working_calendar,
    working_days_between,
)

pytestmark = pytest.mark.django_db

D = date.fromisoformat


@pytest.mark.parametrize(
    ("day", "working"),
    [
        # Spring Festival 2026: Feb 15-23 off; Saturdays Feb 14 and Feb 28 are working days.
        ("2026-02-13", True),
        ("2026-02-14", True),
        ("2026-02-15", False),
        ("2026-02-16", False),
        ("2026-02-20", False),
        ("2026-02-23", False),
        ("2026-02-24", True),
        ("2026-02-28", True),
        ("2026-03-07", False),  # an ordinary Saturday
        # Spring Festival 2024: Sunday Feb 4 and Sunday Feb 18 worked, Feb 10-17 off.
        ("2024-02-04", True),
        ("2024-02-15", False),
        ("2024-02-18", True),
        # Spring Festival 2025: Sunday Jan 26 and Saturday Feb 8 worked, Jan 28 - Feb 4 off.
        ("2025-01-26", True),
        ("2025-02-04", False),
        ("2025-02-08", True),
        # National Day 2026: Oct 1-7 off; Sunday Sep 20 and Saturday Oct 10 are working days.
        ("2026-09-20", True),
        ("2026-09-25", False),  # Mid-Autumn Festival, a Friday
        ("2026-10-05", False),
        ("2026-10-07", False),
        ("2026-10-08", True),
        ("2026-10-10", True),
        ("2026-10-11", False),
        # National Day 2025 with Mid-Autumn: Oct 1-8 off, Sep 28 (Sun) and Oct 11 (Sat) worked.
        ("2025-09-28", True),
        ("2025-10-08", False),
        ("2025-10-11", True),
        # New Year 2026: Jan 1-3 off, Sunday Jan 4 worked.
        ("2026-01-02", False),
        ("2026-01-04", True),
    ],
)
def test_holidays_and_make_up_working_days(day, working):
    assert is_working_day(D(day)) is working


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2026-02-12", 1, "2026-02-13"),
        ("2026-02-13", 1, "2026-02-14"),  # the make-up Saturday counts
        ("2026-02-13", 2, "2026-02-24"),  # then nine days off
        ("2026-02-24", 4, "2026-02-28"),  # Wed, Thu, Fri and the make-up Saturday
        ("2026-09-18", 1, "2026-09-20"),  # the make-up Sunday before National Day
        ("2026-09-30", 1, "2026-10-08"),
        ("2026-10-09", 1, "2026-10-10"),
        ("2025-12-31", 1, "2026-01-04"),  # across the year: New Year, then a make-up Sunday
        ("2026-02-24", 0, "2026-02-24"),
        ("2026-02-24", -1, "2026-02-14"),  # backwards over Spring Festival
        ("2026-10-08", -2, "2026-09-29"),
    ],
)
def test_add_working_days(start, n, expected):
    assert add_working_days(D(start), n) == D(expected)


def test_working_days_between_is_the_inverse_of_adding():
    assert working_days_between(D("2026-02-13"), D("2026-02-24")) == 2
    assert working_days_between(D("2026-02-24"), D("2026-02-13")) == -2
    assert working_days_between(D("2026-09-30"), D("2026-10-10")) == 3  # 8th, 9th, 10th
    start = D("2026-01-01")
    for n in (1, 5, 17, 40, 250):
        assert working_days_between(start, add_working_days(start, n)) == n


def test_a_year_has_the_working_days_of_the_notice():
    # 2026: 365 days, 104 of them Saturdays and Sundays; 19 weekdays off (Jan 1-2, Feb 16-20
    # and 23, Apr 6, May 1, 4 and 5, Jun 19, Sep 25, Oct 1-2 and 5-7); 6 make-up weekend days.
    assert working_days_between(D("2025-12-31"), D("2026-12-31")) == 365 - 104 - 19 + 6


def test_one_query_per_call_and_one_per_batch(django_assert_num_queries):
    with django_assert_num_queries(1):
        add_working_days(D("2026-12-20"), 30)  # into 2027: both years in the one query
    with django_assert_num_queries(1):
        calendar = working_calendar(D("2026-01-01"), D("2027-12-31"))
    with django_assert_num_queries(0):
        results = [calendar.add_working_days(D("2026-01-01") + timedelta(k), 3) for k in range(300)]
    assert results[0] == D("2026-01-06")


def test_a_day_outside_the_loaded_years_is_an_error_not_a_guess():
    calendar = WorkingCalendar([2026], {})
    with pytest.raises(LookupError):
        calendar.add_working_days(D("2026-12-30"), 5)


def test_edits_change_single_days_and_are_audited(user_with_role):
    manager = user_with_role("manager")
    # A company day off on a Monday, and a make-up Saturday.
    assert calendar_day_set(actor=manager, day=D("2026-03-02"), working=False, name="盘点")
    assert calendar_day_set(actor=manager, day=D("2026-03-07"), working=True)
    assert add_working_days(D("2026-02-27"), 2) == D("2026-03-03")  # Sat 28 (make-up), Tue 3
    assert add_working_days(D("2026-03-06"), 1) == D("2026-03-07")
    # A shipped holiday removed: Mid-Autumn 2026 becomes a working day.
    assert calendar_day_set(actor=manager, day=D("2026-09-25"), working=True)
    assert is_working_day(D("2026-09-25"))
    # Setting what is already so changes nothing.
    assert not calendar_day_set(actor=manager, day=D("2026-03-02"), working=False)
    # Giving a day back its shipped status removes the edit.
    assert calendar_day_set(actor=manager, day=D("2026-09-25"), working=False)
    assert not CalendarDay.objects.filter(date=D("2026-09-25")).exists()
    actions = list(AuditLog.objects.order_by("id").values_list("action", "actor__username"))
    assert actions == [
        ("calendar.day_off", "manager-user"),
        ("calendar.working_day", "manager-user"),
        ("calendar.working_day", "manager-user"),
        ("calendar.reset", "manager-user"),
    ]
    rows = {row.date: row for row in special_days(2026)}
    assert rows[D("2026-03-02")].name == "盘点"
    assert rows[D("2026-03-02")].edited
    assert not rows[D("2026-03-02")].is_working_day
    assert rows[D("2026-02-14")].is_working_day
    assert not rows[D("2026-02-14")].edited
    assert not rows[D("2026-10-01")].is_working_day
    assert rows[D("2026-10-01")].name in ("National Day", "国庆节")


def test_an_edit_that_lost_a_race_is_a_message(user_with_role, monkeypatch):
    manager = user_with_role("manager")
    real_save = CalendarDay.save

    def save_after_someone_else(self, *args, **kwargs):
        CalendarDay.objects.bulk_create([CalendarDay(date=self.date, is_working_day=False)])
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(CalendarDay, "save", save_after_someone_else)
    with pytest.raises(ServiceError):
        calendar_day_set(actor=manager, day=D("2026-03-02"), working=False)
    assert not AuditLog.objects.exists()
