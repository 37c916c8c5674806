"""A Kuaidi100 event time is read as strptime("%Y-%m-%d %H:%M:%S") reads its first 19
characters, in China's time; what strptime refuses is a bad payload."""

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shipping.tracking.adapters import BadPayload
from shipping.tracking.kuaidi100 import CHINA, parse_time

SAMPLES = [
    "2026-11-30 08:00:00",
    " 2026-11-30 08:00:00 ",
    "2026-11-30 08:00:00.123",
    "2026-1-5 8:0:0",
    "2026-02-29 08:00:00",
    "2026-13-45 99:00:00",
    "2026-W48-1 08:00:00",
    "2026-11-30T08:00:00",
    "2026-11-30 08:00+08",
    "\uff12\uff10\uff12\uff16-11-30 08:00:00",  # full-width digits
    "2026-11-30 24:00:00",
    "",
]


def strptime(text: str) -> datetime | None:
    try:
        return datetime.strptime(text.strip()[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA)
    except ValueError:
        return None


def parsed(text: str) -> datetime | None:
    try:
        return parse_time(text)
    except BadPayload:
        return None


def test_samples_read_as_strptime_reads_them():
    for text in SAMPLES:
        assert parsed(text) == strptime(text), text
    assert parse_time("2026-11-30 08:00:00") == datetime(2026, 11, 30, 8, tzinfo=CHINA)
    with pytest.raises(BadPayload):
        parse_time(None)


@settings(max_examples=500, deadline=None)
@given(st.datetimes(), st.sampled_from(["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d"]))
def test_any_time_reads_as_strptime_reads_it(moment, layout):
    text = moment.strftime(layout)
    assert parsed(text) == strptime(text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789-: T+.W\uff12", min_size=17, max_size=21))
def test_any_near_miss_reads_as_strptime_reads_it(text):
    assert parsed(text) == strptime(text)
