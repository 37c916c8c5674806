"""The SLA clock: office hours on working days, across nights, weekends, public holidays,
make-up working days (调休) and days staff edited on the calendar page."""

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from aftersales import sla
from oms.models import CalendarDay
from oms.workdays import working_calendar

SH = ZoneInfo("Asia/Shanghai")
OFFICE = sla.parse_office_hours("09:00-18:00")
HOUR = 3600


def at(y, m, d, hh, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


@pytest.fixture
def calendar(db):
    return working_calendar(date(2026, 1, 1), date(2027, 12, 31))


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (at(2026, 11, 30, 10), 4, at(2026, 11, 30, 14)),  # Monday, inside the day
        (at(2026, 11, 30, 16), 4, at(2026, 12, 1, 11)),  # over a night
        (at(2026, 11, 27, 17), 4, at(2026, 11, 30, 12)),  # Friday evening over the weekend
        (at(2026, 11, 28, 15), 2, at(2026, 11, 30, 11)),  # opened on a Saturday
        (at(2026, 11, 30, 7), 1, at(2026, 11, 30, 10)),  # before opening
        (at(2026, 11, 30, 20), 1, at(2026, 12, 1, 10)),  # after closing
        (at(2026, 9, 30, 17), 2, at(2026, 10, 8, 10)),  # National Day week off
        (at(2026, 10, 9, 17), 2, at(2026, 10, 10, 10)),  # Saturday 10 October is 调休 work
        (at(2026, 2, 13, 17), 3, at(2026, 2, 14, 11)),  # make-up Saturday before Spring Festival
        (at(2026, 2, 14, 17), 2, at(2026, 2, 24, 10)),  # Spring Festival: back on 24 February
        (at(2026, 11, 30, 10), 40, at(2026, 12, 4, 14)),  # a working week
        (at(2026, 11, 30, 10), 0, at(2026, 11, 30, 10)),
    ],
)
def test_deadline_counts_office_hours_on_working_days(calendar, start, hours, due):
    assert sla.add_working_seconds(start, hours * HOUR, calendar, OFFICE) == due


def test_office_time_between_two_moments(calendar):
    assert (
        sla.working_seconds_between(at(2026, 11, 27, 17), at(2026, 11, 30, 12), calendar, OFFICE)
        == 4 * HOUR
    )
    assert (
        sla.working_seconds_between(at(2026, 9, 30, 9), at(2026, 10, 8, 18), calendar, OFFICE)
        == 18 * HOUR
    )
    assert (
        sla.working_seconds_between(at(2026, 11, 28, 9), at(2026, 11, 29, 18), calendar, OFFICE)
        == 0
    )
    assert (
        sla.working_seconds_between(at(2026, 11, 30, 12), at(2026, 11, 30, 11), calendar, OFFICE)
        == 0
    )


def test_adding_and_measuring_agree(calendar):
    rng = random.Random(7)
    for _ in range(200):
        start = at(2026, 1, 1, 0) + timedelta(minutes=rng.randrange(0, 340 * 24 * 60))
        seconds = rng.randrange(0, 60 * HOUR)
        due = sla.add_working_seconds(start, seconds, calendar, OFFICE)
        assert sla.working_seconds_between(start, due, calendar, OFFICE) == seconds, (
            start,
            seconds,
        )


def test_a_day_staff_made_a_day_off_moves_the_deadline(db):
    CalendarDay.objects.create(date=date(2026, 11, 30), is_working_day=False, name="盘点")
    calendar = working_calendar(date(2026, 1, 1), date(2026, 12, 31))
    assert sla.add_working_seconds(at(2026, 11, 27, 17), 4 * HOUR, calendar, OFFICE) == at(
        2026, 12, 1, 12
    )


def test_deadlines_by_priority_with_the_warning_at_80_percent(db, settings):
    settings.OMS_CASE_SLA_HOURS = "urgent=2/8,high=4/24,normal=8/40,low=16/80"
    settings.OMS_CASE_ESCALATE_PERCENT = 80
    d = sla.deadlines(opened_at=at(2026, 11, 27, 17), priority="high")
    assert d.response_due == at(2026, 11, 30, 12)  # 1 h Friday + 3 h Monday
    assert d.response_warn == at(2026, 11, 30, 11, 12)  # 3.2 h
    assert d.resolution_due == at(2026, 12, 2, 14)  # 24 h: Fri 1 + Mon 9 + Tue 9 + Wed 5
    # Two working hours spent waiting for the customer push both deadlines by two office hours.
    paused = sla.deadlines(opened_at=at(2026, 11, 27, 17), priority="high", paused_seconds=2 * HOUR)
    assert paused.response_due == at(2026, 11, 30, 14)
    assert paused.resolution_due == at(2026, 12, 2, 16)


def test_settings_that_do_not_parse_are_refused():
    with pytest.raises(ValueError, match="open before it closes"):
        sla.parse_office_hours("18:00-09:00")
    with pytest.raises(ValueError, match="bad hours"):
        sla.parse_sla_hours("urgent=8/2")
    assert sla.parse_sla_hours("low=1.5/3")["low"] == sla.SlaTargets(5400, 10800)
