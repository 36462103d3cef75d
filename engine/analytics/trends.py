"""Received and settled dossiers, and the on-time rate, week by week or month by month: the
same figures as the dashboard, counted per period of receipt (received) or of ending (settled),
grouped in the database by the period's first day in Vietnam time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import Date
from sqlalchemy import cast
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy.orm import InstrumentedAttribute

from engine.analytics.figures import Snapshot
from engine.analytics.figures import count_by
from engine.analytics.figures import percent
from engine.models import Dossier
from engine.rules.calendar import LOCAL_TZ
from engine.rules.timeliness import EARLY
from engine.rules.timeliness import LATE
from engine.rules.timeliness import ON_TIME

WEEK, MONTH = "week", "month"


@dataclass
class TrendPoint:
    start: date
    received: int = 0
    online: int = 0
    settled: int = 0
    in_time: int = 0
    late: int = 0

    @property
    def on_time_rate(self) -> float | None:
        """The settled-only formula: a trend compares periods, not dossiers still open."""
        return percent(self.in_time, self.settled)


def bucket(
    shot: Snapshot,
    column: InstrumentedAttribute[datetime] | InstrumentedAttribute[datetime | None],
    by: str,
) -> ColumnElement[Any]:
    """The first day (Monday, or the 1st) of the week or month holding `column` in Vietnam
    time. PostgreSQL converts the stored UTC time to the zone and truncates; SQLite has no
    zones, so it adds Vietnam's offset (fixed at +7 since 1975, no daylight saving)."""
    if shot.session.get_bind().dialect.name == "postgresql":
        local = func.timezone(LOCAL_TZ.key, func.timezone("UTC", column))
        return cast(func.date_trunc(literal(by), local), Date)
    offset = LOCAL_TZ.utcoffset(datetime(2000, 1, 1))
    hours = f"+{int(offset.total_seconds() // 3600) if offset else 0} hours"
    if by == WEEK:
        return func.date(column, hours, "weekday 0", "-6 days")
    return func.date(column, hours, "start of month")


def trend(shot: Snapshot, *, by: str) -> list[TrendPoint]:
    points: dict[date, TrendPoint] = {}

    def point(start: date | str) -> TrendPoint:
        day = start if isinstance(start, date) else date.fromisoformat(start)
        return points.setdefault(day, TrendPoint(day))

    received = shot.figure("received")
    settled = shot.figure("settled")
    by_receipt = count_by(
        shot,
        {"received": received, "online": shot.figure("online")},
        group=bucket(shot, Dossier.received_at, by),
    )
    for start, counts in by_receipt.items():
        if counts["received"]:
            point(start).received, point(start).online = counts["received"], counts["online"]
    by_end = count_by(
        shot,
        {
            "settled": settled,
            "in_time": shot.figure(EARLY) | shot.figure(ON_TIME),
            "late": shot.figure(LATE),
        },
        group=bucket(shot, Dossier.finished_at, by),
    )
    for start, counts in by_end.items():
        if counts["settled"]:
            found = point(start)
            found.settled, found.in_time, found.late = (
                counts["settled"],
                counts["in_time"],
                counts["late"],
            )
    return [points[start] for start in sorted(points)]
