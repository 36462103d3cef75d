"""The heat map's working clock agrees with the calendar's own working-hours count."""

from __future__ import annotations

import random
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

from engine.analytics.clock import WorkingClock
from engine.rules.calendar import default_calendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_a_make_up_saturday_counts_a_full_office_day():
    clock = WorkingClock(default_calendar())
    friday = datetime(2026, 8, 21, 17, 0, tzinfo=VN)
    monday = datetime(2026, 8, 24, 7, 30, tzinfo=VN)
    # Saturday 22 August 2026 is worked in exchange for Monday 31 August
    assert clock.between(friday, monday) == 8.0
    assert clock.between(datetime(2026, 8, 28, 17, 0, tzinfo=VN), monday + timedelta(days=8)) == 0


def test_the_clock_equals_the_calendar_on_random_intervals():
    calendar = default_calendar()
    clock = WorkingClock(calendar)
    rng = random.Random(7)  # noqa: S311 (a replicable sample)
    base = datetime(2025, 12, 20, tzinfo=VN)
    for _ in range(300):
        start = base + timedelta(minutes=rng.randrange(0, 60 * 24 * 400))
        end = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 30))
        assert abs(clock.between(start, end) - calendar.working_hours_between(start, end)) < 1e-6
