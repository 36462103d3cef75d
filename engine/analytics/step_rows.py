"""Who may read bottleneck figures, over which units, and the task rows every figure is made of.

One query per version and period reads the task rows of the dossiers received in the period,
each with the moment someone first took it (`task.taken_at`, kept in step with its first
`task_claimed` or `task_reassigned` event: migration 0019_task_times); no workflow is loaded.
Times become working hours on one axis (engine.analytics.clock) built from the one calendar."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from engine.access.actors import Actor
from engine.access.actors import require_role_anywhere
from engine.access.visibility import visible_unit_ids
from engine.analytics.clock import WorkingClock
from engine.errors import InvalidData
from engine.errors import NotFound
from engine.models import Dossier
from engine.models import Procedure
from engine.models import ProcedureVersion
from engine.models import Task
from engine.queries.procedures import version_of
from engine.rules.calendar import LOCAL_TZ
from engine.rules.calendar import default_calendar

ANALYSTS = ("leader", "designer")
"""Leaders read their units' figures; designers read every unit's (aggregates only: no dossier
or citizen is named); administrators pass every check."""


@dataclass(frozen=True)
class Scope:
    """The units whose dossiers count (None: every unit) and the received-at window."""

    unit_ids: frozenset[int] | None
    start: datetime | None
    end: datetime | None


@dataclass(frozen=True)
class StepRow:
    task_id: int
    dossier_id: int
    element_id: str
    name: str
    role: str
    unit_id: int
    assignee_id: int | None
    state: str
    created_at: datetime
    taken_at: datetime | None
    completed_at: datetime | None
    dossier_finished_at: datetime | None


def require_analyst(actor: Actor) -> None:
    require_role_anywhere(actor, *ANALYSTS)


def scope_for(
    session: Session, actor: Actor, start: date | None = None, end: date | None = None
) -> Scope:
    """The caller's units and the window [start, end] in local days (both inclusive)."""
    require_analyst(actor)
    if start is not None and end is not None and end < start:
        raise InvalidData("'to' is before 'from'", {"to": ["Ngày kết thúc trước ngày bắt đầu."]})
    units: set[int] | None = None
    if not (actor.is_admin or actor.holds_anywhere("designer")):
        units = visible_unit_ids(session, actor)
    return Scope(
        None if units is None else frozenset(units),
        _local_midnight(start) if start else None,
        _local_midnight(end + timedelta(days=1)) if end else None,
    )


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=LOCAL_TZ).astimezone(UTC)


def procedure_versions(session: Session, code: str) -> tuple[Procedure, list[ProcedureVersion]]:
    procedure = session.scalars(select(Procedure).where(Procedure.code == code)).one_or_none()
    if procedure is None or procedure.current_version_id is None:
        raise NotFound(f"procedure {code!r} not found", what="procedure", code=code)
    versions = session.scalars(
        select(ProcedureVersion)
        .where(ProcedureVersion.procedure_id == procedure.id)
        .order_by(ProcedureVersion.number)
    ).all()
    return procedure, list(versions)


def chosen_version(session: Session, code: str, number: int | None) -> ProcedureVersion:
    procedure, versions = procedure_versions(session, code)
    return version_of(versions, procedure, number)


def dossier_filter(scope: Scope) -> list[ColumnElement[bool]]:
    """WHERE terms on `dossier` for the scope (its units and its received-at window)."""
    terms: list[ColumnElement[bool]] = []
    if scope.unit_ids is not None:
        units = sorted(scope.unit_ids)
        terms.append(
            or_(Dossier.competent_unit_id.in_(units), Dossier.receiving_unit_id.in_(units))
        )
    if scope.start is not None:
        terms.append(Dossier.received_at >= scope.start)
    if scope.end is not None:
        terms.append(Dossier.received_at < scope.end)
    return terms


def step_rows(session: Session, version_ids: Sequence[int], scope: Scope) -> list[StepRow]:
    """The human tasks of the versions' dossiers in scope, by dossier then creation order."""
    query = (
        select(
            Task.id,
            Task.dossier_id,
            Task.element_id,
            Task.name,
            Task.role,
            Task.unit_id,
            Task.assignee_id,
            Task.state,
            Task.created_at,
            Task.taken_at,
            Task.completed_at,
            Dossier.finished_at,
        )
        .join(Dossier, Dossier.id == Task.dossier_id)
        .where(Dossier.procedure_version_id.in_(list(version_ids)), *dossier_filter(scope))
        .order_by(Task.dossier_id, Task.id)
    )
    return [StepRow(*tuple(row)) for row in session.execute(query)]


@lru_cache(maxsize=1)
def working_clock() -> WorkingClock:
    """One clock per process: its running totals are built once and grow as later days come."""
    return WorkingClock(default_calendar())
