"""Before and after: every version of a procedure side by side, with what changed.

Provinces report simplification as "time limits reduced by 30.29%": here each version's
statutory limit and the median processing time of its settled dossiers (received until
processed, in working hours) are set against the version before it, as percentages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.analytics.heatmap import Spread
from engine.analytics.heatmap import StepFigures
from engine.analytics.heatmap import spread
from engine.analytics.heatmap import version_steps
from engine.analytics.step_rows import dossier_filter
from engine.analytics.step_rows import procedure_versions
from engine.analytics.step_rows import scope_for
from engine.analytics.step_rows import working_clock
from engine.models import Dossier
from engine.rules.calendar import DAYS

SETTLED = ("processed", "result_returned")
"""Dossiers whose result was reached: their processing time counts (a refusal's does not)."""


@dataclass(frozen=True)
class VersionFigures:
    number: int
    published_at: datetime
    note: str | None
    time_limit: int
    time_limit_unit: str
    limit_hours: float
    dossiers: int
    settled: int
    processing: Spread
    """Working hours from receipt until processed, over the settled dossiers."""
    limit_change_pct: float | None
    """Against the version before; None for the first."""
    median_change_pct: float | None
    steps: list[StepFigures]


def change_pct(before: float | None, after: float | None) -> float | None:
    """(after - before) / before as a percentage, one decimal; None when before is 0 or unknown."""
    if before is None or after is None or before == 0:
        return None
    return round((after - before) / before * 100, 1)


def compare_versions(
    session: Session,
    actor: Actor,
    code: str,
    *,
    start: date | None = None,
    end: date | None = None,
) -> list[VersionFigures]:
    """Every version, oldest first, over the dossiers each received in [start, end]."""
    scope = scope_for(session, actor, start, end)
    _, versions = procedure_versions(session, code)
    clock = working_clock()
    found: list[VersionFigures] = []
    for version in versions:
        received = session.execute(
            select(Dossier.status, Dossier.received_at, Dossier.finished_at).where(
                Dossier.procedure_version_id == version.id, *dossier_filter(scope)
            )
        ).all()
        processing = spread(
            clock.between(received_at, finished_at)
            for status, received_at, finished_at in received
            if status in SETTLED and finished_at is not None
        )
        limit_hours = float(version.time_limit_days) * (
            clock.hours_per_day if version.time_limit_unit == DAYS else 1.0
        )
        before = found[-1] if found else None
        found.append(
            VersionFigures(
                version.number,
                version.published_at,
                version.note,
                version.time_limit_days,
                version.time_limit_unit,
                limit_hours,
                len(received),
                sum(1 for status, _, _ in received if status in SETTLED),
                processing,
                change_pct(before.limit_hours, limit_hours) if before else None,
                change_pct(before.processing.median, processing.median) if before else None,
                version_steps(session, version, scope, clock),
            )
        )
    return found
