"""Limits on guessing: failed logins per username and per client address, and failed public
dossier lookups (a wrong code or key) per client address, each within a window.

Failures are rows in the database, so every worker process of every host sees the same count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from sqlalchemy import ColumnElement
from sqlalchemy import Integer
from sqlalchemy import bindparam
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm import Session

from engine.errors import TooManyAttempts
from engine.models import LoginFailure
from engine.models import LookupFailure
from engine.store.uow import PendingRows
from engine.store.uow import UnitOfWork


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
    moments = (
        _full_until(
            session, LoginFailure.at, LoginFailure.username == username, policy.max_failures, since
        ),
        _full_until(
            session, LoginFailure.at, LoginFailure.ip == ip, policy.max_failures_per_ip, since
        ),
    )
    _refuse_while_full(moments, policy.window, now, "failed logins")


def _refuse_while_full(
    moments: tuple[datetime | None, ...], window: timedelta, now: datetime, what: str
) -> None:
    full = [moment for moment in moments if moment is not None]
    if full:
        wait = math.ceil((max(full) + window - now).total_seconds())
        raise TooManyAttempts(f"too many {what}; try again in {wait} seconds", wait)


def _full_until(
    session: Session,
    at: InstrumentedAttribute[datetime],
    which: ColumnElement[bool],
    limit: int,
    since: datetime,
) -> datetime | None:
    """The time of the limit-th latest failure in the window (`at` is the failures' time
    column): the counter stays full until that failure leaves the window."""
    return session.scalar(
        select(at).where(which, at > since).order_by(at.desc()).offset(limit - 1).limit(1)
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


@dataclass(frozen=True)
class LookupPolicy:
    max_failures_per_ip: int
    """Wrong codes or keys per client address: a key of 6 characters out of 32 cannot be
    guessed at this rate, and a citizen who mistypes tries a few times at most."""
    window: timedelta


_LOOKUP_FAILURES = LookupFailure.__table__.c
_FULL_LOOKUP_COUNTER = (
    select(_LOOKUP_FAILURES.at)
    .where(_LOOKUP_FAILURES.ip == bindparam("ip"), _LOOKUP_FAILURES.at > bindparam("since"))
    .order_by(_LOOKUP_FAILURES.at.desc())
    .offset(bindparam("skip", type_=Integer))
    .limit(1)
)
"""`_full_until` for lookups as one module-level statement: it rides with the lookup's read."""


def lookup_counter(uow: UnitOfWork, policy: LookupPolicy, *, ip: str, now: datetime) -> PendingRows:
    """The address's failed lookups, read in the same round trip as the lookup itself (see
    `refuse_lookup_while_full`): a public lookup costs one round trip, limit included."""
    parameters = {
        "ip": ip,
        "since": now - policy.window,
        "skip": policy.max_failures_per_ip - 1,
    }
    return uow.read_along(_FULL_LOOKUP_COUNTER, parameters)


def refuse_lookup_while_full(counter: PendingRows, policy: LookupPolicy, now: datetime) -> None:
    """Refuse the lookup, right or wrong, while the address has failed too often: before
    anything found is shown."""
    rows = counter.rows()
    _refuse_while_full((rows[0][0] if rows else None,), policy.window, now, "failed lookups")


def record_lookup_failure(
    session: Session, policy: LookupPolicy, *, ip: str, now: datetime
) -> None:
    session.execute(delete(LookupFailure).where(LookupFailure.at <= now - policy.window))
    session.add(LookupFailure(ip=ip, at=now))
