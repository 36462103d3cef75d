"""Timeliness of a dossier against its due time: the buckets of the provincial TTHC report."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from engine.rules.calendar import WorkingCalendar
from engine.rules.calendar import default_calendar
from engine.rules.calendar import to_local
from engine.texts import N_

EARLY, ON_TIME, LATE = "early", "on_time", "late"
WITHIN_LIMIT, DUE_SOON, OVERDUE = "within_limit", "due_soon", "overdue"
FINISHED_CLASSES = (EARLY, ON_TIME, LATE)
OPEN_CLASSES = (WITHIN_LIMIT, DUE_SOON, OVERDUE)
LABELS_VI = {
    EARLY: N_("Trước hạn"),
    ON_TIME: N_("Đúng hạn"),
    LATE: N_("Quá hạn"),
    WITHIN_LIMIT: N_("Trong hạn"),
    DUE_SOON: N_("Sắp đến hạn"),
    OVERDUE: N_("Quá hạn"),
}


def classify(
    *,
    due_at: datetime | None,
    finished_at: datetime | None,
    paused: bool,
    now: datetime,
    due_soon_hours: float = 8,
    calendar: WorkingCalendar | None = None,
) -> str:
    """Class a dossier the way the report "trước hạn / đúng hạn / quá hạn" counts it.

    Finished dossiers (`finished_at` set; `paused` and `now` are then ignored):
      - `late`: finished after `due_at`;
      - `early`: finished on a calendar day (Vietnam time) before the day of `due_at`;
      - `on_time`: finished on the due day, at or before `due_at`;
      - no `due_at` (no statutory limit): `on_time`.
    Open dossiers:
      - `within_limit` when paused (supplement, fees: the clock is stopped) or with no `due_at`;
      - `overdue` when `now` is after `due_at` (exactly at `due_at` is still in time);
      - `due_soon` when at most `due_soon_hours` office hours remain until `due_at`
        (working hours from the calendar: lunch, nights and days off do not count);
      - `within_limit` otherwise.
    """
    if finished_at is not None:
        if due_at is None:
            return ON_TIME
        if finished_at > due_at:
            return LATE
        return EARLY if to_local(finished_at).date() < to_local(due_at).date() else ON_TIME
    if paused or due_at is None:
        return WITHIN_LIMIT
    if now > due_at:
        return OVERDUE
    remaining = (calendar or default_calendar()).working_hours_between(now, due_at)
    return DUE_SOON if remaining <= due_soon_hours else WITHIN_LIMIT


def due_soon_until(
    now: datetime, due_soon_hours: float = 8, calendar: WorkingCalendar | None = None
) -> datetime:
    """The latest due time `classify` calls due soon at `now`: the moment the last of
    `due_soon_hours` office hours elapses, carried over the lunch, night or days off right after
    it (office hours to a due time inside that gap are still `due_soon_hours`). A due time in
    [now, this] is due soon, so many open dossiers are classed by comparing timestamps."""
    calendar = calendar or default_calendar()
    return calendar.due_in_hours(calendar.due_in_hours(now, due_soon_hours), 0)


def finished_record(
    *,
    received_at: datetime,
    due_at: datetime | None,
    finished_at: datetime,
    calendar: WorkingCalendar | None = None,
) -> tuple[str, float]:
    """What a finished dossier keeps on its row for the leaders' figures: its class (`classify`)
    and its office hours from receipt to result; both are fixed the moment it finishes, so the
    figures count them in SQL instead of classing every dossier on every request."""
    hours = (calendar or default_calendar()).working_hours_between(received_at, finished_at)
    return (
        classify(due_at=due_at, finished_at=finished_at, paused=False, now=finished_at),
        hours,
    )


class TimedDossier(Protocol):
    """What judging a dossier's timeliness reads of it."""

    status: str
    due_at: datetime | None
    original_due_at: datetime | None
    finished_at: datetime | None


def timeliness_of(
    dossier: TimedDossier, now: datetime, calendar: WorkingCalendar | None = None
) -> str:
    """Judged against the statutory due time: an apology's new date does not make it on time.
    `calendar`: the default one unless a caller classing many dossiers passes a caching one."""
    return classify(
        due_at=dossier.original_due_at or dossier.due_at,
        finished_at=dossier.finished_at,
        paused=dossier.status == "supplement_requested",
        now=now,
        calendar=calendar,
    )
