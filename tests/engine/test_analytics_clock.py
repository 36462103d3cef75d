"""The working clock (over the caching calendar) gives what the calendar gives, across
nights, weekends, a make-up Saturday and the National Day holidays."""

from __future__ import annotations

from datetime import datetime

import pytest

from engine.analytics.clock import CachingCalendar
from engine.analytics.clock import WorkingClock
from engine.rules import calendar


def at(text: str) -> datetime:
    return datetime.fromisoformat(f"{text}+07:00")


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-08-03T09:00", "2026-08-04T10:00"),
        ("2026-08-21T16:00", "2026-08-24T08:00"),  # Friday to Monday over the make-up Saturday
        ("2026-08-28T12:00", "2026-09-04T12:15"),  # over 31/08 and the National Day
        ("2026-08-05T18:00", "2026-08-06T07:00"),  # a night: no office hours
        ("2026-08-10T07:30", "2026-08-10T17:00"),
    ],
)
def test_the_running_total_matches_the_calendar(start, end):
    clock = WorkingClock(CachingCalendar())

    assert clock.between(at(start), at(end)) == pytest.approx(
        calendar.working_hours_between(at(start), at(end))
    )
