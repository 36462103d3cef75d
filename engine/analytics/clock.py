"""Working time for thousands of dossiers at once: the one calendar (engine.rules.calendar),
asked once per distinct question. Office hours between two moments are additive, so each
dossier's processing time is two lookups on a running total of hours since a first day."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from engine.rules.calendar import LOCAL_TZ
from engine.rules.calendar import WorkingCalendar
from engine.rules.calendar import default_calendar
from engine.rules.calendar import to_local


class CachingCalendar(WorkingCalendar):
    """The default calendar, remembering `working_hours_between` answers: open dossiers due at
    the same close of office (most of them) cost one walk over the calendar, not one each."""

    def __init__(self) -> None:
        super().__init__(default_calendar().data)
        self._hours: dict[tuple[datetime, datetime], float] = {}

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        key = (start, end)
        if key not in self._hours:
            self._hours[key] = super().working_hours_between(start, end)
        return self._hours[key]


class HoursClock:
    """Office hours since the local midnight of `first`; days are added as they are asked."""

    def __init__(self, calendar: WorkingCalendar, first: date) -> None:
        self.calendar = calendar
        self.first = first
        self.totals = [0.0]
        """totals[n]: office hours from the midnight of `first` to the midnight n days later."""

    def since(self, moment: datetime) -> float:
        local = to_local(moment)
        midnight = datetime.combine(local.date(), time(0), tzinfo=LOCAL_TZ)
        return self._at(local.date()) + self.calendar.working_hours_between(midnight, local)

    def _at(self, day: date) -> float:
        index = (day - self.first).days
        if index < 0:
            raise ValueError("a moment before the clock's first day")
        while len(self.totals) <= index:
            start = self.first + timedelta(days=len(self.totals) - 1)
            begin = datetime.combine(start, time(0), tzinfo=LOCAL_TZ)
            hours = self.calendar.working_hours_between(begin, begin + timedelta(days=1))
            self.totals.append(self.totals[-1] + hours)
        return self.totals[index]

    def between(self, start: datetime, end: datetime) -> float:
        return self.since(end) - self.since(start)
