"""Received and settled dossiers, and the on-time rate, week by week or month by month: the
same figures as the dashboard, counted per period of receipt (received) or of ending (settled)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta

from engine.analytics.figures import Snapshot
from engine.analytics.figures import percent
from engine.rules.calendar import to_local
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


def bucket(moment: datetime, by: str) -> date:
    day = to_local(moment).date()
    if by == WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def trend(shot: Snapshot, *, by: str) -> list[TrendPoint]:
    points: dict[date, TrendPoint] = {}

    def point(at: datetime) -> TrendPoint:
        start = bucket(at, by)
        return points.setdefault(start, TrendPoint(start))

    for row, names in shot.rows:
        if "received" in names:
            point(row.received_at).received += 1
            point(row.received_at).online += row.channel == "online"
        if "settled" in names:
            settled = point(row.finished_at)
            settled.settled += 1
            settled.in_time += bool(names & {EARLY, ON_TIME})
            settled.late += LATE in names
    return [points[start] for start in sorted(points)]
