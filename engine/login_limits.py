"""Login rate limit: too many failures per username or per client address within a window.

Failures are rows in the database, so every worker process of every host sees the same count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from sqlalchemy import ColumnElement
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import TooManyAttempts
from engine.models import LoginFailure


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int
    """Per username; a success resets it."""
    max_failures_per_ip: int
    """Per client address: higher, since an office shares one address."""
    window: timedelta


def check(session: Session, policy: LoginPolicy, *, username: str, ip: str, now: datetime) -> None:
    """Refuse the attempt while either counter is full, without looking at the password."""
    since = now - policy.window
    full = [
        moment
        for moment in (
            _full_until(session, LoginFailure.username == username, policy.max_failures, since),
            _full_until(session, LoginFailure.ip == ip, policy.max_failures_per_ip, since),
        )
        if moment is not None
    ]
    if full:
        wait = math.ceil((max(full) + policy.window - now).total_seconds())
        raise TooManyAttempts(f"too many failed logins; try again in {wait} seconds", wait)


def _full_until(
    session: Session, which: ColumnElement[bool], limit: int, since: datetime
) -> datetime | None:
    """The time of the limit-th latest failure in the window: the counter stays full until it
    leaves the window."""
    return session.scalar(
        select(LoginFailure.at)
        .where(which, LoginFailure.at > since)
        .order_by(LoginFailure.at.desc())
        .offset(limit - 1)
        .limit(1)
    )


def record_failure(
    session: Session, policy: LoginPolicy, *, username: str, ip: str, now: datetime
) -> None:
    """Count one failure; failures older than the window are no longer needed and go."""
    session.execute(delete(LoginFailure).where(LoginFailure.at <= now - policy.window))
    session.add(LoginFailure(username=username, ip=ip, at=now))


def forget_failures(session: Session, username: str) -> None:
    """A successful login resets the username's counter (the address's counter stays)."""
    session.execute(delete(LoginFailure).where(LoginFailure.username == username))
