"""The audit log as administrators read it: newest first, filtered by who, what and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.access.actors import require_role_anywhere
from engine.models import AuditEntry
from engine.models import Unit
from engine.views import Page


@dataclass(frozen=True)
class AuditView:
    id: int
    at: datetime
    user_id: int | None
    username: str
    action: str
    target_type: str | None
    target_id: int | None
    dossier_id: int | None
    unit: str | None
    detail: str | None
    ip: str
    user_agent: str


@dataclass(frozen=True)
class AuditFilter:
    username: str | None = None
    dossier_id: int | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def list_entries(
    session: Session, actor: Actor, where: AuditFilter, *, offset: int, limit: int
) -> Page[AuditView]:
    """Newest first; administrators only."""
    require_role_anywhere(actor, "admin")
    conditions = _conditions(where)
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions)) or 0
    rows = session.execute(
        select(AuditEntry, Unit.code)
        .outerjoin(Unit, Unit.id == AuditEntry.unit_id)
        .where(*conditions)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return Page([_view(entry, unit) for entry, unit in rows], total)


def _conditions(where: AuditFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if where.username is not None:
        conditions.append(AuditEntry.username == where.username)
    if where.dossier_id is not None:
        conditions.append(AuditEntry.dossier_id == where.dossier_id)
    if where.action is not None:
        conditions.append(AuditEntry.action == where.action)
    if where.since is not None:
        conditions.append(AuditEntry.at >= where.since)
    if where.until is not None:
        conditions.append(AuditEntry.at < where.until)
    return conditions


def _view(entry: AuditEntry, unit: str | None) -> AuditView:
    return AuditView(
        id=entry.id,
        at=entry.at,
        user_id=entry.user_id,
        username=entry.username,
        action=entry.action,
        target_type=entry.target_type,
        target_id=entry.target_id,
        dossier_id=entry.dossier_id,
        unit=unit,
        detail=entry.detail,
        ip=entry.ip,
        user_agent=entry.user_agent,
    )
