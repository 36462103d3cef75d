"""Working time: one calendar for every deadline, read from data files in processes/calendar/.

Days off, make-up Saturdays and office hours are data (engine/calendar_data.py reads them), read
once per folder; everything here is pure arithmetic on them. Results are aware UTC datetimes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from engine.rules.calendar_data import DEFAULT_FOLDER
from engine.rules.calendar_data import CalendarData
from engine.rules.calendar_data import CalendarError
from engine.rules.calendar_data import package_year
from engine.rules.calendar_data import read_folder

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DAYS, HOURS = "days", "hours"
UNITS = (DAYS, HOURS)
MAX_DAYS = 365
MAX_HOURS = MAX_DAYS * 8
_SEARCH_LIMIT_DAYS = 3660
"""A calendar without a working day in ten years is a broken file, not a reason to loop forever."""
_LIMIT_TEXT = re.compile(r"^(\d{1,4})([dh])$")


@dataclass(frozen=True)
class TimeLimit:
    """A statutory limit: whole working days (0 = same day, 15:00 rule) or working hours."""

    amount: int
    unit: str

    def __str__(self) -> str:
        return f"{self.amount}{self.unit[0]}"


def check_limit(amount: int, unit: str) -> None:
    """Raise ValueError unless the amount fits the unit: 0-365 working days or 1-2920 hours."""
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}")
    low, high = (0, MAX_DAYS) if unit == DAYS else (1, MAX_HOURS)
    if not low <= amount <= high:
        raise ValueError(f"{unit} must be between {low} and {high}")


def parse_time_limit(text: str) -> TimeLimit:
    """'2d' -> 2 working days, '0d' -> same day, '4h' -> 4 working hours; ValueError otherwise."""
    match = _LIMIT_TEXT.match(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not '<n>d' or '<n>h'")
    limit = TimeLimit(int(match.group(1)), DAYS if match.group(2) == "d" else HOURS)
    check_limit(limit.amount, limit.unit)
    return limit


def to_local(moment: datetime) -> datetime:
    """Vietnam time; a naive datetime is read as Vietnam time."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(LOCAL_TZ)


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=LOCAL_TZ)


class WorkingCalendar:
    """Which days are worked and when the office is open; all deadline arithmetic."""

    def __init__(self, data: CalendarData | None = None) -> None:
        self.data = data or CalendarData()
        self.hours = self.data.hours

    def is_working_day(self, day: date) -> bool:
        """Province overrides first, then the year's file (or the package), then the weekday."""
        data = self.data
        if day in data.override_make_up_days:
            return True
        if day in data.override_days_off:
            return False
        if day.year in data.covered_years:
            if day in data.make_up_days:
                return True
            if day in data.days_off:
                return False
        else:
            days_off, make_up = package_year(day.year)
            if day in make_up:
                return True
            if day in days_off:
                return False
        return day.weekday() in self.hours.weekdays

    def next_working_day(self, day: date) -> date:
        for _ in range(_SEARCH_LIMIT_DAYS):
            day += timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise CalendarError("no working day in ten years: check the calendar files")

    def add_working_days(self, day: date, working_days: int) -> date:
        for _ in range(working_days):
            day = self.next_working_day(day)
        return day

    def due_at(self, received_at: datetime, working_days: int) -> datetime:
        """Close of office on the Nth working day after the day of receipt (UTC).

        Zero days means the day of receipt when received on a working day before the cut-off
        (15:00), else the next working day.
        """
        if working_days < 0:
            raise ValueError("working_days must not be negative")
        local = to_local(received_at)
        day = local.date()
        if working_days == 0:
            if not (self.is_working_day(day) and local.time() < self.hours.same_day_cutoff):
                day = self.next_working_day(day)
        else:
            day = self.add_working_days(day, working_days)
        return _at(day, self.hours.closes).astimezone(UTC)

    def due_in_hours(self, start: datetime, hours: float) -> datetime:
        """`hours` of office time after `start`, skipping lunch, nights and days off (UTC)."""
        if hours < 0:
            raise ValueError("hours must not be negative")
        remaining = timedelta(hours=hours)
        cursor = to_local(start)
        day = cursor.date()
        for _ in range(_SEARCH_LIMIT_DAYS):
            if self.is_working_day(day):
                for opens, closes in self.hours.periods:
                    begin, end = max(cursor, _at(day, opens)), _at(day, closes)
                    if begin < end:
                        if remaining <= end - begin:
                            return (begin + remaining).astimezone(UTC)
                        remaining -= end - begin
            day += timedelta(days=1)
        raise CalendarError("no working time in ten years: check the calendar files")

    def limit_due_at(self, start: datetime, amount: int | float, unit: str = DAYS) -> datetime:
        """The deadline of a statutory limit given in working days or working hours."""
        if unit == DAYS:
            return self.due_at(start, int(amount))
        if unit == HOURS:
            return self.due_in_hours(start, amount)
        raise ValueError(f"unit must be one of {', '.join(UNITS)}")

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Working days after the day of `start`, up to and including the day of `end`.

        The count a pause adds to a deadline: `working_days_between(t, due_at(t, n)) == n`, and a
        pause that starts and ends on the same day adds nothing.
        """
        first, last = to_local(start).date(), to_local(end).date()
        count = 0
        day = first + timedelta(days=1)
        while day <= last:
            count += self.is_working_day(day)
            day += timedelta(days=1)
        return count

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Office hours between two moments (0 when `end` is not after `start`)."""
        begin, finish = to_local(start), to_local(end)
        total = timedelta()
        day = begin.date()
        while day <= finish.date():
            if self.is_working_day(day):
                for opens, closes in self.hours.periods:
                    low, high = max(begin, _at(day, opens)), min(finish, _at(day, closes))
                    if low < high:
                        total += high - low
            day += timedelta(days=1)
        return total / timedelta(hours=1)

    def extend(self, due: datetime, working_days: int) -> datetime:
        """The same time of day, `working_days` working days later (e.g. after a pause)."""
        if working_days < 0:
            raise ValueError("working_days must not be negative")
        local = to_local(due)
        day = self.add_working_days(local.date(), working_days)
        return _at(day, local.time()).astimezone(UTC)


def load_calendar(folder: Path | str | None = None) -> WorkingCalendar:
    """The calendar in `folder` (default processes/calendar), read once per folder."""
    return _load(str(Path(folder or DEFAULT_FOLDER).resolve()))


@lru_cache(maxsize=8)
def _load(folder: str) -> WorkingCalendar:
    return WorkingCalendar(read_folder(Path(folder)))


def default_calendar() -> WorkingCalendar:
    """The shipped calendar (processes/calendar), the one every deadline uses."""
    return _load(str(DEFAULT_FOLDER))


def is_working_day(day: date) -> bool:
    return default_calendar().is_working_day(day)


def next_working_day(day: date) -> date:
    return default_calendar().next_working_day(day)


def due_at(received_at: datetime, working_days: int) -> datetime:
    """Close of office on the Nth working day after receipt; 0 = same day (15:00 cut-off)."""
    return default_calendar().due_at(received_at, working_days)


def due_in_hours(start: datetime, hours: float) -> datetime:
    return default_calendar().due_in_hours(start, hours)


def limit_due_at(start: datetime, amount: int | float, unit: str = DAYS) -> datetime:
    return default_calendar().limit_due_at(start, amount, unit)


def working_days_between(start: datetime, end: datetime) -> int:
    return default_calendar().working_days_between(start, end)


def working_hours_between(start: datetime, end: datetime) -> float:
    return default_calendar().working_hours_between(start, end)


def extend(due: datetime, working_days: int) -> datetime:
    return default_calendar().extend(due, working_days)


def local_iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(LOCAL_TZ).isoformat()
