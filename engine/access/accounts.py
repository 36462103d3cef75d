"""Who a user is (their roles per unit) and password checks (argon2)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.access.actors import Grant
from engine.errors import Unauthenticated
from engine.models import User
from engine.models import UserRole

_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("timing-equaliser")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def password_stamp(password_hash: str) -> str:
    """A short fingerprint of the password hash: credentials issued before a password change
    carry the old one and stop working."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Account:
    actor: Actor
    stamp: str
    tokens_revoked_at: datetime | None = None
    """Bearer tokens issued up to this moment are refused (API logout)."""


def authenticate(session: Session, username: str, password: str) -> Account:
    """Check a password; unknown users cost the same time as wrong passwords."""
    user = session.scalars(select(User).where(User.username == username)).one_or_none()
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        user = None
    if user is None or not user.is_active:
        raise Unauthenticated("wrong username or password")
    return load_account(session, user.id)


def load_actor(session: Session, user_id: int) -> Actor:
    return load_account(session, user_id).actor


def load_account(session: Session, user_id: int) -> Account:
    """The user with every (role, unit) they hold, and their password stamp, in one query."""
    rows = session.execute(
        select(
            User.username,
            User.full_name,
            User.is_active,
            User.password_hash,
            User.tokens_revoked_at,
            UserRole.role,
            UserRole.unit_id,
        )
        .outerjoin(UserRole, UserRole.user_id == User.id)
        .where(User.id == user_id)
    ).all()
    if not rows or not rows[0].is_active:
        raise Unauthenticated("the account no longer exists or is disabled")
    grants = frozenset(Grant(r.role, r.unit_id) for r in rows if r.role is not None)
    actor = Actor(user_id, rows[0].username, rows[0].full_name, grants)
    return Account(actor, password_stamp(rows[0].password_hash), rows[0].tokens_revoked_at)
