"""The calendar's data: yearly day-off files, province overrides and office hours, read from a
folder and checked; years without a file come from the `holidays` package (country VN)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import holidays
from holidays.countries.vietnam import VietnamStaticHolidays

DEFAULT_FOLDER = Path(__file__).resolve().parents[2] / "processes" / "calendar"
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
YEAR_FILE = re.compile(r"^VN-(\d{4})\.json$")
OVERRIDES_FILE = "overrides.json"
OFFICE_HOURS_FILE = "office_hours.json"


class CalendarError(ValueError):
    """A calendar file is missing, malformed or contradicts itself."""


@dataclass(frozen=True)
class OfficeHours:
    weekdays: frozenset[int]
    periods: tuple[tuple[time, time], ...]
    same_day_cutoff: time

    @property
    def closes(self) -> time:
        return self.periods[-1][1]


DEFAULT_HOURS = OfficeHours(
    weekdays=frozenset(range(5)),
    periods=((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0))),
    same_day_cutoff=time(15, 0),
)


@dataclass(frozen=True)
class CalendarData:
    """Dates map to their name; `covered_years` are the years a yearly file describes."""

    hours: OfficeHours = DEFAULT_HOURS
    days_off: dict[date, str] = field(default_factory=dict)
    make_up_days: dict[date, str] = field(default_factory=dict)
    override_days_off: dict[date, str] = field(default_factory=dict)
    override_make_up_days: dict[date, str] = field(default_factory=dict)
    covered_years: frozenset[int] = frozenset()


@lru_cache(maxsize=64)
def package_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(days off, make-up working days) the `holidays` package knows for a year without a file."""
    listed = holidays.country_holidays("VN", years=year)
    return frozenset(listed), frozenset(d for d in _package_make_up_days() if d.year == year)


@lru_cache(maxsize=1)
def _package_make_up_days() -> frozenset[date]:
    """The Saturdays worked in exchange for the package's substituted days off."""
    specials = getattr(VietnamStaticHolidays, "special_public_holidays", {})
    found: set[date] = set()
    for year, entries in specials.items():
        for entry in (entries,) if isinstance(entries[0], int) else entries:
            found.add(date(entry[4] if len(entry) > 4 else year, entry[2], entry[3]))
    return frozenset(found)


def read_folder(root: Path) -> CalendarData:
    """Every `VN-<year>.json`, then `overrides.json` and `office_hours.json` (both optional)."""
    if not root.is_dir():
        raise CalendarError(f"calendar folder {root} does not exist")
    days_off: dict[date, str] = {}
    make_up: dict[date, str] = {}
    years: set[int] = set()
    for path in sorted(root.iterdir()):
        match = YEAR_FILE.match(path.name)
        if match is None:
            continue
        year = int(match.group(1))
        off, work = _entries(_read(path), path.name, year)
        days_off.update(off)
        make_up.update(work)
        years.add(year)
    overrides = root / OVERRIDES_FILE
    override_off, override_work = (
        _entries(_read(overrides), OVERRIDES_FILE) if overrides.is_file() else ({}, {})
    )
    office = root / OFFICE_HOURS_FILE
    return CalendarData(
        hours=_office_hours(_read(office)) if office.is_file() else DEFAULT_HOURS,
        days_off=days_off,
        make_up_days=make_up,
        override_days_off=override_off,
        override_make_up_days=override_work,
        covered_years=frozenset(years),
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CalendarError(f"{path.name}: {exc}") from exc
    if not isinstance(content, dict):
        raise CalendarError(f"{path.name}: expected a JSON object")
    return content


def _entries(
    content: dict[str, Any], name: str, year: int | None = None
) -> tuple[dict[date, str], dict[date, str]]:
    """(days off, make-up days) of one file; every entry needs a date and a source."""
    found: list[dict[date, str]] = []
    for key in ("days_off", "make_up_days"):
        days: dict[date, str] = {}
        for index, entry in enumerate(content.get(key) or []):
            where = f"{name}: {key}[{index}]"
            try:
                day = date.fromisoformat(entry["date"])
                source = str(entry["source"]).strip()
            except (KeyError, TypeError, ValueError) as exc:
                raise CalendarError(f"{where} needs a date (YYYY-MM-DD) and a source") from exc
            if not source:
                raise CalendarError(f"{where} needs a source")
            if year is not None and day.year != year:
                raise CalendarError(f"{where}: {day} is not in {year}")
            days[day] = str(entry.get("name_vi") or entry.get("name_en") or source)
        found.append(days)
    both = sorted(set(found[0]) & set(found[1]))
    if both:
        raise CalendarError(f"{name}: {both[0]} is both a day off and a make-up day")
    return found[0], found[1]


def _clock(text: Any, where: str) -> time:
    try:
        return time.fromisoformat(str(text))
    except ValueError as exc:
        raise CalendarError(f"{OFFICE_HOURS_FILE}: {where} must be HH:MM") from exc


def _office_hours(content: dict[str, Any]) -> OfficeHours:
    names = content.get("working_weekdays") or []
    if not names or any(name not in WEEKDAY_NAMES for name in names):
        raise CalendarError(f"{OFFICE_HOURS_FILE}: working_weekdays must name days from mon to sun")
    periods = tuple(
        (_clock(item.get("start"), "start"), _clock(item.get("end"), "end"))
        for item in content.get("periods") or []
    )
    ordered = all(a < b for a, b in periods) and all(
        earlier[1] <= later[0] for earlier, later in zip(periods, periods[1:], strict=False)
    )
    if not periods or not ordered:
        raise CalendarError(f"{OFFICE_HOURS_FILE}: periods must be ordered and not overlap")
    return OfficeHours(
        weekdays=frozenset(WEEKDAY_NAMES.index(name) for name in names),
        periods=periods,
        same_day_cutoff=_clock(content.get("same_day_cutoff", "15:00"), "same_day_cutoff"),
    )
