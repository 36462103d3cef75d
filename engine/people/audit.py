"""The audit log: logins, logouts and every read of a dossier by staff (engine.queries.audit
lists them for admins).

Personal data in dossiers (ID numbers, family facts) must be traceable to who looked at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.models import AuditEntry
from engine.models import Dossier
from engine.models import User
from engine.store.db import utcnow
from engine.store.uow import UnitOfWork

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
ACCOUNT_CREATED = "account_created"
ACCOUNT_ROLES_CHANGED = "account_roles_changed"
ACCOUNT_UNLOCKED = "account_unlocked"
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
    ACCOUNT_CREATED,
    ACCOUNT_ROLES_CHANGED,
    ACCOUNT_UNLOCKED,
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


def account_changed(
    session: Session, client: Client, actor: Actor, action: str, account: User
) -> None:
    """The row of an administrator's change to an account (created, roles, unlocked, ...)."""
    add_entry(
        session,
        client,
        action=action,
        username=actor.username,
        user_id=actor.user_id,
        target=("user", account.id, account.username),
    )
