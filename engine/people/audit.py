"""The audit log: logins, logouts and every read of a dossier by staff, listed for admins.

Personal data in dossiers (ID numbers, family facts) must be traceable to who looked at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.access.actors import require_role_anywhere
from engine.models import AuditEntry
from engine.models import Dossier
from engine.models import Unit
from engine.store.db import utcnow
from engine.store.uow import UnitOfWork
from engine.views import Page

LOGIN_SUCCEEDED = "login_succeeded"
LOGIN_FAILED = "login_failed"
LOGIN_BLOCKED = "login_blocked"
LOGOUT = "logout"
DOSSIER_VIEWED = "dossier_viewed"
TASK_VIEWED = "task_viewed"
SLIP_PRINTED = "slip_printed"
ATTACHMENTS_LISTED = "attachments_listed"
ATTACHMENT_OPENED = "attachment_opened"
NOTICES_LISTED = "notices_listed"
PASSWORD_CHANGED = "password_changed"  # noqa: S105 - an action's name
PASSWORD_CHANGE_FAILED = "password_change_failed"  # noqa: S105 - an action's name
PASSWORD_CHANGE_BLOCKED = "password_change_blocked"  # noqa: S105 - an action's name
PASSWORD_RESET = "password_reset"  # noqa: S105 - an action's name
ACCOUNT_DISABLED = "account_disabled"
ACCOUNT_ENABLED = "account_enabled"
ACTIONS = (
    LOGIN_SUCCEEDED,
    LOGIN_FAILED,
    LOGIN_BLOCKED,
    LOGOUT,
    DOSSIER_VIEWED,
    TASK_VIEWED,
    SLIP_PRINTED,
    ATTACHMENTS_LISTED,
    ATTACHMENT_OPENED,
    NOTICES_LISTED,
    PASSWORD_CHANGED,
    PASSWORD_CHANGE_FAILED,
    PASSWORD_CHANGE_BLOCKED,
    PASSWORD_RESET,
    ACCOUNT_DISABLED,
    ACCOUNT_ENABLED,
)


@dataclass(frozen=True)
class Client:
    """Where a request came from, as the web layer saw it."""

    ip: str
    user_agent: str


@dataclass(frozen=True)
class Read:
    """One read of a dossier: which action, which thing (the dossier, a task, a slip, a file)."""

    action: str
    dossier_id: int
    target_type: str
    target_id: int
    detail: str | None = None


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


def add_entry(
    session: Session,
    client: Client,
    *,
    action: str,
    username: str,
    user_id: int | None = None,
    at: datetime | None = None,
    target: tuple[str, int, str] | None = None,
) -> None:
    """A row for a login, a logout or an account change, inside the caller's transaction;
    `target` is what an administrator changed: (type, id, its name)."""
    target_type, target_id, detail = target or (None, None, None)
    session.add(
        AuditEntry(
            at=at or utcnow(),
            user_id=user_id,
            username=username,
            action=action,
            target_type=target_type,
            target_id=target_id,
            detail=detail,
            ip=client.ip[:45],
            user_agent=client.user_agent[:300],
        )
    )


def record_read(uow: UnitOfWork, actor: Actor, client: Client, read: Read) -> None:
    """Record a read that was allowed, in its own short transaction after the read."""
    uow.begin_write()
    competent_unit = select(Dossier.competent_unit_id).where(Dossier.id == read.dossier_id)
    uow.session.execute(
        insert(AuditEntry).values(
            at=utcnow(),
            user_id=actor.user_id,
            username=actor.username,
            action=read.action,
            target_type=read.target_type,
            target_id=read.target_id,
            dossier_id=read.dossier_id,
            unit_id=competent_unit.scalar_subquery(),
            detail=read.detail,
            ip=client.ip[:45],
            user_agent=client.user_agent[:300],
        )
    )
    uow.commit()


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
    conditions = []
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
