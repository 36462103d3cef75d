"""Finished dossiers are early, on time or late against their due time; open ones are within the
limit, due soon (at most 8 office hours left) or overdue; a paused dossier's clock is stopped."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

import pytest

from engine.rules.calendar import LOCAL_TZ
from engine.rules.calendar import load_calendar
from engine.rules.timeliness import classify
from engine.rules.timeliness import due_soon_until

DUE = datetime(2026, 1, 6, 17, 0, tzinfo=LOCAL_TZ)
"""Tuesday 6 January 2026, close of office."""


def local(day: int, hour: int, minute: int = 0, month: int = 1) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_TZ)


def finished(at: datetime, due: datetime | None = DUE) -> str:
    return classify(due_at=due, finished_at=at, paused=False, now=local(20, 9))


def still_open(now: datetime, due: datetime | None = DUE, **kwargs) -> str:
    return classify(due_at=due, finished_at=None, now=now, **{"paused": False, **kwargs})


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        pytest.param(local(5, 16), "early", id="the_working_day_before"),
        pytest.param(local(2, 9), "early", id="days_before"),
        pytest.param(local(6, 7, 30), "on_time", id="opening_of_the_due_day"),
        pytest.param(local(6, 17), "on_time", id="exactly_at_the_due_time"),
        pytest.param(local(6, 17, 1), "late", id="a_minute_after"),
        pytest.param(local(7, 8), "late", id="the_next_day"),
    ],
)
def test_a_finished_dossier_is_early_on_time_or_late(at, expected):
    assert finished(at) == expected


def test_a_dossier_with_an_hours_limit_is_on_time_up_to_its_due_minute():
    due = local(12, 10, 30)
    assert finished(local(9, 16), due) == "early"
    assert finished(local(12, 10), due) == "on_time"
    assert finished(local(12, 10, 30), due) == "on_time"
    assert finished(local(12, 10, 31), due) == "late"


def test_finished_before_the_due_day_is_early_even_on_a_saturday():
    assert finished(local(10, 9), local(12, 17)) == "early"


def test_a_finished_dossier_without_a_limit_is_on_time_whatever_the_pause_flag():
    assert finished(local(30, 9), due=None) == "on_time"
    assert classify(due_at=DUE, finished_at=local(5, 9), paused=True, now=local(20, 9)) == "early"


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        pytest.param(local(5, 9), "within_limit", id="a_day_and_a_half_left"),
        pytest.param(local(5, 16, 59), "within_limit", id="just_over_8_hours_left"),
        pytest.param(local(5, 17), "due_soon", id="exactly_8_office_hours_left"),
        pytest.param(local(5, 22), "due_soon", id="the_night_before"),
        pytest.param(local(6, 9), "due_soon", id="the_due_morning"),
        pytest.param(local(6, 17), "due_soon", id="at_the_due_time"),
        pytest.param(local(6, 17, 1), "overdue", id="a_minute_after"),
        pytest.param(local(8, 9), "overdue", id="days_after"),
    ],
)
def test_an_open_dossier_is_within_limit_due_soon_or_overdue(now, expected):
    assert still_open(now) == expected


def test_due_soon_counts_office_hours_so_a_weekend_does_not_use_them_up():
    due_monday = local(12, 17)
    assert still_open(local(9, 16), due_monday) == "within_limit"
    assert still_open(local(9, 16), due_monday, due_soon_hours=9) == "due_soon"
    assert still_open(local(10, 9), due_monday) == "due_soon"


def test_a_paused_or_unlimited_open_dossier_is_within_limit():
    assert still_open(local(8, 9), paused=True) == "within_limit"
    assert still_open(local(6, 16), paused=True) == "within_limit"
    assert still_open(local(8, 9), due=None) == "within_limit"


def test_due_soon_follows_the_calendar_it_is_given(tmp_path):
    (tmp_path / "overrides.json").write_text(
        '{"make_up_days": [{"date": "2026-01-10", "source": "test"}]}', encoding="utf-8"
    )
    saturday_worked = load_calendar(tmp_path)
    due_monday = local(12, 17)
    assert (
        classify(
            due_at=due_monday,
            finished_at=None,
            paused=False,
            now=local(9, 16),
            due_soon_hours=9,
            calendar=saturday_worked,
        )
        == "within_limit"
    )


@pytest.mark.parametrize(
    "now",
    [
        local(5, 9),  # Monday morning: 8 office hours end Tuesday 09:00
        local(5, 13),  # after lunch: they end Tuesday at 11:30, just before lunch
        local(9, 16),  # Friday afternoon: over the weekend
        local(5, 12),  # during lunch
        local(5, 20),  # at night
        local(30, 15, month=12),  # before the New Year holiday
    ],
)
def test_due_soon_is_a_due_time_between_now_and_one_threshold(now):
    """The figures count open dossiers in SQL by comparing due times with `due_soon_until`: it
    must give what `classify` gives for every due time (every 10 minutes over a week)."""
    calendar = load_calendar()
    until = due_soon_until(now, calendar=calendar)
    for step in range(-12, 7 * 24 * 6):
        due = now + timedelta(minutes=10 * step)
        expected = still_open(now, due, calendar=calendar) == "due_soon"
        assert (now <= due <= until) == expected, (now, due, until)
