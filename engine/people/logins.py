"""Logging in and out: the rate limit, the password check, page sessions, and their audit rows."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from sqlalchemy import Row
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from engine.access import login_limits
from engine.access.accounts import Account
from engine.access.accounts import authenticate
from engine.access.accounts import password_stamp
from engine.access.actors import Actor
from engine.errors import SessionExpired
from engine.errors import TooManyAttempts
from engine.errors import Unauthenticated
from engine.models import LoginSession
from engine.models import User
from engine.people import audit
from engine.store.db import utcnow
from engine.store.uow import UnitOfWork

TOUCH_EVERY = timedelta(seconds=60)
"""A page session's last activity is written at most this often (a write per page is waste)."""


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    lifetime: timedelta


@dataclass(frozen=True)
class LoginResult:
    actor: Actor
    stamp: str
    """The password stamp bearer tokens carry."""
    session_key: str | None
    """The page session's secret, for the signed cookie; None for API logins."""


def log_in(
    uow: UnitOfWork,
    client: audit.Client,
    limits: login_limits.LoginPolicy,
    *,
    username: str,
    password: str,
    page_session: SessionPolicy | None = None,
) -> LoginResult:
    """Refuse while rate-limited; count a failure; on success reset the username's counter and,
    for pages, open a server-side session. Every outcome leaves an audit row."""
    now = utcnow()
    try:
        login_limits.check(uow.session, limits, username=username, ip=client.ip, now=now)
    except TooManyAttempts:
        with writing(uow) as session:
            audit.add_entry(session, client, action=audit.LOGIN_BLOCKED, username=username, at=now)
        raise
    try:
        account = authenticate(uow.session, username, password)
    except Unauthenticated:
        with writing(uow) as session:
            login_limits.record_failure(session, limits, username=username, ip=client.ip, now=now)
            audit.add_entry(session, client, action=audit.LOGIN_FAILED, username=username, at=now)
        raise
    with writing(uow) as session:
        login_limits.forget_failures(session, username)
        audit.add_entry(
            session,
            client,
            action=audit.LOGIN_SUCCEEDED,
            username=username,
            user_id=account.actor.user_id,
            at=now,
        )
        key = start_session(session, account, page_session, now) if page_session else None
    return LoginResult(account.actor, account.stamp, key)


@contextmanager
def writing(uow: UnitOfWork) -> Iterator[Session]:
    """End the read (the slow password check ran outside any write lock), write, commit."""
    uow.session.rollback()
    uow.begin_write()
    yield uow.session
    uow.commit()


def start_session(session: Session, account: Account, policy: SessionPolicy, now: datetime) -> str:
    session.execute(delete(LoginSession).where(LoginSession.started_at < now - policy.lifetime))
    key = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            key_hash=_digest(key),
            user_id=account.actor.user_id,
            password_stamp=account.stamp,
            started_at=now,
            last_seen_at=now,
        )
    )
    return key


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def resume_session(uow: UnitOfWork, key: str, policy: SessionPolicy) -> int:
    """The user id of a live page session, whose last activity moves to now."""
    now = utcnow()
    row = uow.session.execute(
        select(
            LoginSession.id,
            LoginSession.user_id,
            LoginSession.password_stamp,
            LoginSession.started_at,
            LoginSession.last_seen_at,
            LoginSession.ended_at,
            User.password_hash,
            User.is_active,
        )
        .join(User, User.id == LoginSession.user_id)
        .where(LoginSession.key_hash == _digest(key))
    ).one_or_none()
    reason = _why_ended(row, policy, now)
    if reason or row is None:
        raise SessionExpired(reason or "the session has ended")
    if now - row.last_seen_at >= min(TOUCH_EVERY, policy.idle / 10):
        with writing(uow) as session:
            session.execute(
                update(LoginSession).where(LoginSession.id == row.id).values(last_seen_at=now)
            )
    return int(row.user_id)


_SessionRow = Row[int, int, str, datetime, datetime, datetime | None, str, bool]
"""A page session with its account: id, user_id, password_stamp, started_at, last_seen_at,
ended_at, password_hash, is_active."""


def _why_ended(row: _SessionRow | None, policy: SessionPolicy, now: datetime) -> str | None:
    if row is None or row.ended_at is not None:
        return "the session has ended (logged out); log in again"
    if not row.is_active:
        return "the account is disabled"
    if password_stamp(row.password_hash) != row.password_stamp:
        return "the password has changed; log in again"
    if now - row.started_at > policy.lifetime:
        return "the session is too old; log in again"
    if now - row.last_seen_at > policy.idle:
        return "the session was idle too long; log in again"
    return None


def log_out(uow: UnitOfWork, key: str, client: audit.Client) -> None:
    """End the page session for good: the cookie, even if copied, no longer opens a page."""
    uow.begin_write()
    row = uow.session.execute(
        select(LoginSession, User.username)
        .join(User, User.id == LoginSession.user_id)
        .where(LoginSession.key_hash == _digest(key), LoginSession.ended_at.is_(None))
    ).one_or_none()
    if row is None:
        return
    found, username = row
    found.ended_at = utcnow()
    audit.add_entry(
        uow.session, client, action=audit.LOGOUT, username=username, user_id=found.user_id
    )
    uow.commit()


def log_out_tokens(uow: UnitOfWork, actor: Actor, client: audit.Client) -> None:
    """End every bearer token the user holds now (API logout): tokens are signed, not stored,
    so the account records the moment and tokens issued up to it are refused. Page sessions
    have their own logout."""
    uow.begin_write()
    uow.session.execute(
        update(User).where(User.id == actor.user_id).values(tokens_revoked_at=utcnow())
    )
    audit.add_entry(
        uow.session, client, action=audit.LOGOUT, username=actor.username, user_id=actor.user_id
    )
    uow.commit()
