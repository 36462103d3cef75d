"""What a leader asks of the figures: the numbers of a scope, the same per procedure, and the
dossiers behind any one of them (a page of the very rows the count counted)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.analytics.figures import FIGURES
from engine.analytics.figures import Figures
from engine.analytics.figures import Snapshot
from engine.analytics.figures import compute
from engine.analytics.figures import conditions
from engine.analytics.figures import count_by
from engine.analytics.figures import figures_from
from engine.analytics.figures import settled_hours
from engine.analytics.figures import snapshot
from engine.analytics.scope import Scope
from engine.analytics.scope import resolve
from engine.errors import BadQuery
from engine.models import Dossier
from engine.models import Procedure
from engine.models import ProcedureVersion
from engine.models import Unit
from engine.rules.status import STATUSES
from engine.rules.timeliness import timeliness_of
from engine.store.db import utcnow


def take(session: Session, actor: Actor, scope: Scope, *, now: datetime | None = None) -> Snapshot:
    """The scope judged at one moment: every table of a request asks its questions of this."""
    return snapshot(session, resolve(session, actor, scope), now or utcnow())


def stats(shot: Snapshot, *, formula: str) -> Figures:
    return compute(shot, formula)


@dataclass(frozen=True)
class ProcedureFigures:
    code: str
    name: str
    time_limit_days: int
    figures: Figures


def by_procedure(session: Session, shot: Snapshot, *, formula: str) -> list[ProcedureFigures]:
    """The figures of each procedure some figure of the scope counts, by name: the dashboard's
    two queries grouped by procedure."""
    counts = count_by(shot, conditions(shot), group=Dossier.procedure_id)
    counted = {key: row for key, row in counts.items() if any(row.values())}
    hours = settled_hours(shot, group=Dossier.procedure_id)
    codes = _procedure_names(session, list(counted))
    result = [
        ProcedureFigures(*codes[key], figures_from(row, hours.get(key), formula))
        for key, row in counted.items()
    ]
    return sorted(result, key=lambda item: item.name)


def _procedure_names(session: Session, ids: list[int]) -> dict[int, tuple[str, str, int]]:
    """Code, current name and current limit of each procedure."""
    rows = session.execute(
        select(
            Procedure.id, Procedure.code, ProcedureVersion.name_vi, ProcedureVersion.time_limit_days
        )
        .join(ProcedureVersion, ProcedureVersion.id == Procedure.current_version_id)
        .where(Procedure.id.in_(ids))
    ).all()
    return {row.id: (row.code, row.name_vi, row.time_limit_days) for row in rows}


@dataclass(frozen=True)
class FigureDossier:
    id: int
    code: str
    procedure_name: str
    unit_name: str
    status: str
    status_label: str
    channel: str
    received_at: datetime
    due_at: datetime | None
    finished_at: datetime | None
    timeliness: str | None


@dataclass(frozen=True)
class FigureDossiers:
    figure: str
    total: int
    items: list[FigureDossier]


def dossiers_behind(
    session: Session, shot: Snapshot, *, figure: str, offset: int, limit: int
) -> FigureDossiers:
    """The dossiers a figure counts, latest received first."""
    if figure not in FIGURES:
        raise BadQuery(
            f"unknown figure {figure!r}", {"figure": [f"Chỉ số không tồn tại: {figure}"]}
        )
    where = shot.resolved.base() & shot.figure(figure)
    total = session.scalar(select(func.count()).select_from(Dossier).where(where)) or 0
    page = session.scalars(
        select(Dossier.id)
        .where(where)
        .order_by(Dossier.received_at.desc(), Dossier.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return FigureDossiers(figure, total, _details(session, list(page), shot.now))


def _details(session: Session, ids: list[int], now: datetime) -> list[FigureDossier]:
    found = session.execute(
        select(Dossier, ProcedureVersion.name_vi, Unit.name)
        .join(ProcedureVersion, ProcedureVersion.id == Dossier.procedure_version_id)
        .join(Unit, Unit.id == Dossier.competent_unit_id)
        .where(Dossier.id.in_(ids))
    ).all()
    by_id = {dossier.id: (dossier, name, unit) for dossier, name, unit in found}
    items = []
    for dossier_id in ids:
        dossier, name, unit = by_id[dossier_id]
        status = STATUSES.get(dossier.status)
        items.append(
            FigureDossier(
                id=dossier.id,
                code=dossier.code,
                procedure_name=name,
                unit_name=unit,
                status=dossier.status,
                status_label=status.label_vi if status else dossier.status,
                channel=dossier.channel,
                received_at=dossier.received_at,
                due_at=dossier.original_due_at or dossier.due_at,
                finished_at=dossier.finished_at,
                timeliness=None if dossier.status == "withdrawn" else timeliness_of(dossier, now),
            )
        )
    return items
