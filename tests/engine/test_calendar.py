"""Deadlines fall at 17:00 Vietnam time on a working day: weekends, public holidays and the 15:00
same-day cut-off are honoured.

Public holidays come from the `holidays` package; for VN 2026 it lists New Year on Thu 1 January
and Tết from Mon 16 to Fri 20 February, so a dossier received on Friday 13 February waits until
Monday 23 February.
"""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time

import holidays
import pytest

from engine.rules.calendar import LOCAL_TZ
from engine.rules.calendar import due_at
from engine.rules.calendar import is_working_day
from engine.rules.calendar import next_working_day


def local(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ)


def close_of(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 17, 0, tzinfo=LOCAL_TZ)


def test_the_holiday_table_lists_tet_2026_where_these_cases_expect_it():
    listed = holidays.country_holidays("VN", years=2026)
    assert {date(2026, 2, d) for d in range(16, 21)} <= set(listed)
    assert date(2026, 1, 1) in listed
    assert date(2026, 2, 13) not in listed
    assert date(2026, 2, 23) not in listed


@pytest.mark.parametrize(
    ("received", "working_days", "expected"),
    [
        pytest.param(local(2026, 1, 6), 1, close_of(2026, 1, 7), id="tuesday_plus_1"),
        pytest.param(local(2026, 1, 6), 3, close_of(2026, 1, 9), id="tuesday_plus_3"),
        pytest.param(local(2026, 1, 9), 1, close_of(2026, 1, 12), id="friday_skips_weekend"),
        pytest.param(local(2026, 1, 8), 5, close_of(2026, 1, 15), id="five_days_span_weekend"),
        pytest.param(local(2026, 1, 10), 1, close_of(2026, 1, 12), id="saturday_counts_monday"),
        pytest.param(local(2025, 12, 31), 1, close_of(2026, 1, 2), id="new_year_skipped"),
        pytest.param(local(2026, 2, 13), 1, close_of(2026, 2, 23), id="tet_skipped"),
        pytest.param(local(2026, 2, 12), 2, close_of(2026, 2, 23), id="tet_inside_span"),
        pytest.param(local(2026, 2, 17), 2, close_of(2026, 2, 24), id="received_during_tet"),
        pytest.param(local(2026, 1, 7, 14, 59), 0, close_of(2026, 1, 7), id="zero_before_15h"),
        pytest.param(local(2026, 1, 7, 15, 0), 0, close_of(2026, 1, 8), id="zero_at_15h"),
        pytest.param(local(2026, 1, 9, 16, 0), 0, close_of(2026, 1, 12), id="zero_friday_late"),
        pytest.param(local(2026, 1, 10, 9, 0), 0, close_of(2026, 1, 12), id="zero_on_saturday"),
        pytest.param(local(2026, 2, 18, 9, 0), 0, close_of(2026, 2, 23), id="zero_during_tet"),
        pytest.param(
            datetime(2026, 1, 6, 20, 0, tzinfo=UTC), 0, close_of(2026, 1, 7), id="utc_evening"
        ),
    ],
)
def test_due_at_is_close_of_office_on_the_last_working_day(received, working_days, expected):
    due = due_at(received, working_days)
    assert due == expected
    assert due.astimezone(LOCAL_TZ).time() == time(17, 0)


def test_due_at_answers_an_aware_utc_time_that_reads_17h_in_vietnam():
    due = due_at(local(2026, 3, 2), 2)
    assert due.utcoffset() is not None
    assert due.utcoffset().total_seconds() == 0
    assert (due.hour, due.minute) == (10, 0)
    assert due.astimezone(LOCAL_TZ) == close_of(2026, 3, 4)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(date(2026, 1, 6), date(2026, 1, 7), id="tuesday"),
        pytest.param(date(2026, 1, 9), date(2026, 1, 12), id="friday"),
        pytest.param(date(2026, 2, 13), date(2026, 2, 23), id="tet_2026"),
        pytest.param(date(2026, 8, 21), date(2026, 8, 22), id="make_up_saturday"),
        pytest.param(date(2026, 8, 28), date(2026, 9, 3), id="national_day_2026"),
    ],
)
def test_next_working_day_skips_days_off_and_counts_make_up_saturdays(day, expected):
    assert next_working_day(day) == expected
    assert is_working_day(expected)
