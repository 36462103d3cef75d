"""Working hours run inside office hours (07:30-11:30, 13:00-17:00 by default); pauses count
working days and push a deadline later by as many; limits read '2d', '0d' or '4h'."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest

from engine.rules.calendar import LOCAL_TZ
from engine.rules.calendar import TimeLimit
from engine.rules.calendar import due_at
from engine.rules.calendar import due_in_hours
from engine.rules.calendar import extend
from engine.rules.calendar import limit_due_at
from engine.rules.calendar import parse_time_limit
from engine.rules.calendar import working_days_between
from engine.rules.calendar import working_hours_between


def local(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ)


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        pytest.param(local(2026, 1, 6, 8), 2, local(2026, 1, 6, 10), id="inside_the_morning"),
        pytest.param(local(2026, 1, 6, 10, 30), 2, local(2026, 1, 6, 14), id="across_lunch"),
        pytest.param(local(2026, 1, 6, 12), 1, local(2026, 1, 6, 14), id="started_at_lunch"),
        pytest.param(local(2026, 1, 6, 6), 1, local(2026, 1, 6, 8, 30), id="before_opening"),
        pytest.param(local(2026, 1, 6, 7, 30), 8, local(2026, 1, 6, 17), id="a_full_day_ends_17h"),
        pytest.param(local(2026, 1, 6, 7, 30), 4, local(2026, 1, 6, 11, 30), id="a_morning"),
        pytest.param(local(2026, 1, 6, 16), 2, local(2026, 1, 7, 8, 30), id="across_the_night"),
        pytest.param(local(2026, 1, 6, 20), 1, local(2026, 1, 7, 8, 30), id="started_at_night"),
        pytest.param(local(2026, 1, 9, 16), 4, local(2026, 1, 12, 10, 30), id="across_weekend"),
        pytest.param(local(2026, 1, 10, 9), 1, local(2026, 1, 12, 8, 30), id="started_saturday"),
        pytest.param(local(2026, 2, 13, 16), 2, local(2026, 2, 23, 8, 30), id="across_tet_2026"),
        pytest.param(local(2026, 1, 6, 7, 30), 16, local(2026, 1, 7, 17), id="two_full_days"),
        pytest.param(
            datetime(2026, 1, 6, 1, 0, tzinfo=UTC), 2, local(2026, 1, 6, 10), id="utc_start"
        ),
        pytest.param(datetime(2026, 1, 6, 8), 2, local(2026, 1, 6, 10), id="naive_is_vietnam"),
    ],
)
def test_working_hours_skip_lunch_nights_and_days_off(start, hours, expected):
    due = due_in_hours(start, hours)
    assert due == expected
    assert due.utcoffset().total_seconds() == 0


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        pytest.param(local(2026, 1, 6, 8), local(2026, 1, 6, 10), 2, id="morning"),
        pytest.param(local(2026, 1, 6, 10, 30), local(2026, 1, 6, 14), 2, id="lunch_skipped"),
        pytest.param(local(2026, 1, 9, 16), local(2026, 1, 12, 10, 30), 4, id="weekend_skipped"),
        pytest.param(local(2026, 1, 6, 10), local(2026, 1, 6, 9), 0, id="end_before_start"),
    ],
)
def test_working_hours_between_two_moments(start, end, hours):
    assert working_hours_between(start, end) == hours


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        pytest.param(local(2026, 1, 5, 9), local(2026, 1, 5, 16), 0, id="same_day"),
        pytest.param(local(2026, 1, 5, 10), local(2026, 1, 7, 10), 2, id="monday_to_wednesday"),
        pytest.param(local(2026, 1, 9, 16), local(2026, 1, 12, 8), 1, id="friday_to_monday"),
        pytest.param(local(2026, 1, 10, 9), local(2026, 1, 11, 9), 0, id="within_a_weekend"),
        pytest.param(local(2026, 2, 13, 10), local(2026, 2, 23, 10), 1, id="over_tet_2026"),
        pytest.param(local(2026, 8, 21, 10), local(2026, 8, 24, 10), 2, id="over_make_up_sat"),
        pytest.param(local(2026, 1, 7), local(2026, 1, 5), 0, id="end_before_start"),
    ],
)
def test_a_pause_covers_the_working_days_after_its_first_day(start, end, days):
    assert working_days_between(start, end) == days


@pytest.mark.parametrize("working_days", [1, 2, 5, 10])
@pytest.mark.parametrize(
    "received", [local(2026, 1, 6), local(2026, 2, 12, 16), local(2026, 8, 21), local(2025, 4, 25)]
)
def test_working_days_between_undoes_due_at(received, working_days):
    assert working_days_between(received, due_at(received, working_days)) == working_days


@pytest.mark.parametrize(
    ("due", "working_days", "expected"),
    [
        pytest.param(local(2026, 1, 6, 17), 2, local(2026, 1, 8, 17), id="two_days"),
        pytest.param(local(2026, 1, 9, 17), 1, local(2026, 1, 12, 17), id="over_a_weekend"),
        pytest.param(local(2026, 2, 13, 17), 1, local(2026, 2, 23, 17), id="over_tet_2026"),
        pytest.param(local(2026, 1, 12, 10, 30), 1, local(2026, 1, 13, 10, 30), id="keeps_time"),
        pytest.param(local(2026, 1, 6, 17), 0, local(2026, 1, 6, 17), id="zero_changes_nothing"),
    ],
)
def test_extend_pushes_a_due_time_later_by_working_days(due, working_days, expected):
    assert extend(due, working_days) == expected


def test_a_pause_then_extend_gives_back_the_days_waited():
    received = local(2026, 1, 5, 9)
    due = due_at(received, 5)
    paused_days = working_days_between(local(2026, 1, 6, 10), local(2026, 1, 9, 15))
    assert paused_days == 3
    assert extend(due, paused_days) == local(2026, 1, 15, 17)


@pytest.mark.parametrize(
    "call",
    [
        lambda: extend(local(2026, 1, 6), -1),
        lambda: due_at(local(2026, 1, 6), -1),
        lambda: due_in_hours(local(2026, 1, 6), -1),
    ],
)
def test_negative_amounts_are_refused(call):
    with pytest.raises(ValueError):
        call()


def test_a_limit_is_counted_in_its_unit():
    start = local(2026, 1, 9, 16)
    assert limit_due_at(start, 1, "days") == local(2026, 1, 12, 17)
    assert limit_due_at(start, 4, "hours") == local(2026, 1, 12, 10, 30)
    with pytest.raises(ValueError):
        limit_due_at(start, 1, "weeks")


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        ("2d", TimeLimit(2, "days")),
        ("0d", TimeLimit(0, "days")),
        ("4h", TimeLimit(4, "hours")),
        (" 7d ", TimeLimit(7, "days")),
        ("365d", TimeLimit(365, "days")),
        ("2920h", TimeLimit(2920, "hours")),
    ],
)
def test_a_time_limit_property_reads_days_or_hours(text, limit):
    assert parse_time_limit(text) == limit
    assert str(limit) == text.strip()


@pytest.mark.parametrize(
    "text", ["", "2", "d", "2w", "-1d", "0h", "366d", "2921h", "1.5d", "2 d", "2D", "two days"]
)
def test_a_malformed_time_limit_is_refused(text):
    with pytest.raises(ValueError):
        parse_time_limit(text)
