"""Working hours as positions on one axis, so a duration is a subtraction.

`WorkingCalendar.working_hours_between` walks day by day: right for one deadline, too slow for
the hundreds of thousands of intervals a heat map reads. Here each day's office hours are summed
once into a running total (a prefix sum over the same calendar), and any moment's position is
that total plus the office time already gone on its day; the two agree to the second
(tests/engine/test_working_clock.py)."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from threading import Lock

from engine.rules.calendar import LOCAL_TZ
from engine.rules.calendar import WorkingCalendar
from engine.rules.calendar import to_local

_DAY = 86_400


def _fixed_offset() -> float:
    """Vietnam time's offset from UTC in seconds: UTC+7 all year, no daylight saving since
    1975, so a moment's local day and clock are arithmetic on its timestamp (to_local, an
    astimezone per moment, was two thirds of a heat map's Python time)."""
    offsets = {
        LOCAL_TZ.utcoffset(datetime(year, month, 1)) for year in (2000, 2030) for month in (1, 7)
    }
    if len(offsets) != 1:
        raise ValueError("the local time zone changes its offset: the clock needs to_local")
    return next(iter(offsets)).total_seconds()  # type: ignore[union-attr]


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
        self._offset = _fixed_offset()
        self._origin_seconds = datetime.combine(origin, time(), tzinfo=UTC).timestamp()
        self._working: list[bool] = []
        self._lock = Lock()

    def _extend(self, index: int) -> None:
        if len(self._working) > index:
            return
        with self._lock:  # one clock serves every request of the process
            self._grow(index)

    def _grow(self, index: int) -> None:
        while len(self._working) <= index:
            day = self.origin + timedelta(days=len(self._working))
            works = self.calendar.is_working_day(day)
            self._working.append(works)
            self._before.append(self._before[-1] + (self.hours_per_day if works else 0.0))

    def position(self, moment: datetime) -> float:
        """Office hours from the origin to `moment` (moments before the origin count as 0)."""
        if moment.tzinfo is None:
            moment = to_local(moment)
        seconds = moment.timestamp() + self._offset - self._origin_seconds
        index = int(seconds // _DAY)
        if index < 0:
            return 0.0
        self._extend(index)
        total = self._before[index]
        if self._working[index]:
            clock = (seconds - index * _DAY) / 3600
            for start, end in self._periods:
                if clock > start:
                    total += min(clock, end) - start
        return total

    def day_starts(self, until: datetime) -> list[float]:
        """Office hours from the origin to the start of each day, from the origin to the day
        after `until`'s: the table a SQL query reads positions from (engine.analytics.heatmap)."""
        last = int((until.timestamp() + self._offset - self._origin_seconds) // _DAY) + 1
        self._extend(max(last, 0))
        return self._before[: max(last, 0) + 2]

    def sql_constants(self) -> tuple[float, float, list[tuple[float, float]]]:
        """What a SQL position needs besides the day table: the seconds to add to a UTC epoch
        for the local clock since the origin, the day length, the office periods in hours."""
        return self._offset - self._origin_seconds, float(_DAY), list(self._periods)

    def between(self, start: datetime, end: datetime) -> float:
        """Office hours from `start` to `end`, 0 when `end` is not after `start`."""
        return max(0.0, self.position(end) - self.position(start))
