"""The administrators' list of incidents, read from the incident table (no workflow is loaded)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.errors import Forbidden
from engine.errors import NotFound
from engine.models import Dossier
from engine.models import Incident
from engine.models import Procedure
from engine.models import ProcedureVersion
from engine.models import Unit
from engine.queries.refs import unit_refs
from engine.queries.refs import user_refs
from engine.views import Page
from engine.views import UnitRef
from engine.views import UserRef

STATES = ("open", "resolved", "all")


@dataclass(frozen=True)
class IncidentView:
    id: int
    kind: str
    state: str
    dossier_id: int | None
    dossier_code: str | None
    task_id: int | None
    timer_id: int | None
    element_id: str | None
    step_name: str | None
    procedure_code: str
    procedure_version: int
    unit: UnitRef | None
    submitted_by: UserRef | None
    data: dict[str, Any]
    message: str
    attempts: int
    created_at: datetime
    last_failed_at: datetime
    resolved_at: datetime | None
    resolved_by: UserRef | None
    resolution: str | None


def require_admin(actor: Actor) -> None:
    """Incidents show other units' data and re-run commands as other users: admins only."""
    if not actor.is_admin:
        raise Forbidden("only administrators may see and retry incidents", role="admin")


def list_incidents(
    session: Session,
    actor: Actor,
    *,
    state: str = "open",
    unit: str | None = None,
    procedure: str | None = None,
    offset: int = 0,
    limit: int = 20,
) -> Page[IncidentView]:
    """Newest failure first; `unit` and `procedure` are codes."""
    require_admin(actor)
    query = select(Incident)
    if state == "open":
        query = query.where(Incident.resolved_at.is_(None))
    elif state == "resolved":
        query = query.where(Incident.resolved_at.is_not(None))
    if unit:
        query = query.join(Unit, Unit.id == Incident.unit_id).where(Unit.code == unit)
    if procedure:
        query = query.join(Procedure, Procedure.id == Incident.procedure_id).where(
            Procedure.code == procedure
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Incident.last_failed_at.desc(), Incident.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return Page(incident_views(session, rows), total)


def get_incident(session: Session, actor: Actor, incident_id: int) -> IncidentView:
    require_admin(actor)
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"incident {incident_id} not found", what="incident", id=incident_id)
    return incident_views(session, [incident])[0]


def incident_views(session: Session, rows: Sequence[Incident]) -> list[IncidentView]:
    if not rows:
        return []
    codes = dict(
        session.execute(
            select(Dossier.id, Dossier.code).where(
                Dossier.id.in_({r.dossier_id for r in rows if r.dossier_id})
            )
        ).all()
    )
    versions = {
        version_id: (code, number)
        for version_id, code, number in session.execute(
            select(ProcedureVersion.id, Procedure.code, ProcedureVersion.number)
            .join(Procedure, Procedure.id == ProcedureVersion.procedure_id)
            .where(ProcedureVersion.id.in_({r.procedure_version_id for r in rows}))
        ).all()
    }
    units = unit_refs(session, [r.unit_id for r in rows])
    users = user_refs(session, [u for r in rows for u in (r.actor_id, r.resolved_by)])
    return [_view(row, codes, versions, units, users) for row in rows]


def _view(
    row: Incident,
    codes: dict[int, str],
    versions: dict[int, tuple[str, int]],
    units: dict[int, UnitRef],
    users: dict[int, UserRef],
) -> IncidentView:
    procedure_code, number = versions[row.procedure_version_id]
    return IncidentView(
        id=row.id,
        kind=row.kind,
        state="open" if row.resolved_at is None else "resolved",
        dossier_id=row.dossier_id,
        dossier_code=codes.get(row.dossier_id) if row.dossier_id else None,
        task_id=row.task_id,
        timer_id=row.timer_id,
        element_id=row.element_id,
        step_name=row.step_name,
        procedure_code=procedure_code,
        procedure_version=number,
        unit=units.get(row.unit_id) if row.unit_id else None,
        submitted_by=users.get(row.actor_id) if row.actor_id else None,
        data=row.data,
        message=row.message,
        attempts=row.attempts,
        created_at=row.created_at,
        last_failed_at=row.last_failed_at,
        resolved_at=row.resolved_at,
        resolved_by=users.get(row.resolved_by) if row.resolved_by else None,
        resolution=row.resolution,
    )
