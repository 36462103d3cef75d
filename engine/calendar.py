"""Working-day arithmetic: weekends and Vietnamese public holidays, the 15:00 same-day cut-off."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SAME_DAY_CUTOFF = time(15, 0)
OFFICE_CLOSE = time(17, 0)


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def due_at(received_at: datetime, working_days: int) -> datetime:
    """Close of office on the last allowed working day, counted from the day after receipt.

    Zero days means the day of receipt when received on a working day before 15:00, else the
    next working day.
    """
    local = received_at.astimezone(LOCAL_TZ)
    day = local.date()
    if working_days == 0:
        if not (is_working_day(day) and local.time() < SAME_DAY_CUTOFF):
            day = next_working_day(day)
    else:
        for _ in range(working_days):
            day = next_working_day(day)
    return datetime.combine(day, OFFICE_CLOSE, tzinfo=LOCAL_TZ).astimezone(UTC)
