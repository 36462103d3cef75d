"""Working hours as positions on one axis, so a duration is a subtraction.

`WorkingCalendar.working_hours_between` walks day by day: right for one deadline, too slow for
the hundreds of thousands of intervals a heat map reads. Here each day's office hours are summed
once into a running total (a prefix sum over the same calendar), and any moment's position is
that total plus the office time already gone on its day; the two agree to the second
(tests/engine/test_working_clock.py)."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import timedelta

from engine.rules.calendar import WorkingCalendar
from engine.rules.calendar import to_local


class WorkingClock:
    """Office hours since a fixed origin day, built lazily over the days asked for."""

    def __init__(self, calendar: WorkingCalendar, origin: date = date(2020, 1, 1)) -> None:
        self.calendar = calendar
        self.origin = origin
        self._before: list[float] = [0.0]
        """Office hours from the origin up to the start of day i (origin + i days)."""
        self._periods = [
            (opens.hour + opens.minute / 60, closes.hour + closes.minute / 60)
            for opens, closes in calendar.hours.periods
        ]
        self.hours_per_day = sum(end - start for start, end in self._periods)
        self._working: list[bool] = []

    def _extend(self, index: int) -> None:
        while len(self._working) <= index:
            day = self.origin + timedelta(days=len(self._working))
            works = self.calendar.is_working_day(day)
            self._working.append(works)
            self._before.append(self._before[-1] + (self.hours_per_day if works else 0.0))

    def position(self, moment: datetime) -> float:
        """Office hours from the origin to `moment` (moments before the origin count as 0)."""
        local = to_local(moment)
        index = (local.date() - self.origin).days
        if index < 0:
            return 0.0
        self._extend(index)
        total = self._before[index]
        if self._working[index]:
            clock = local.hour + local.minute / 60 + local.second / 3600
            for start, end in self._periods:
                if clock > start:
                    total += min(clock, end) - start
        return total

    def between(self, start: datetime, end: datetime) -> float:
        """Office hours from `start` to `end`, 0 when `end` is not after `start`."""
        return max(0.0, self.position(end) - self.position(start))
