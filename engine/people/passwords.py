"""Changing passwords: one's own (proven with the current one, rate-limited like a login) and an
administrator's reset. Either ends every token and page session issued with the old password:
they carry its stamp (engine.access.accounts.password_stamp)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import login_limits
from engine.access.accounts import authenticate
from engine.access.accounts import hash_password
from engine.access.accounts import load_account
from engine.access.actors import Actor
from engine.access.actors import require_role_anywhere
from engine.errors import InvalidData
from engine.errors import NotFound
from engine.errors import TooManyAttempts
from engine.errors import Unauthenticated
from engine.models import User
from engine.people import audit
from engine.people.logins import LoginResult
from engine.people.logins import SessionPolicy
from engine.people.logins import start_session
from engine.people.logins import writing
from engine.store.db import utcnow
from engine.store.uow import UnitOfWork

MIN_LENGTH = 8
MAX_LENGTH = 200
LENGTH_MESSAGE = (
    f"Mật khẩu phải có {MIN_LENGTH}–{MAX_LENGTH} ký tự ({MIN_LENGTH} to {MAX_LENGTH} characters)."
)


def check_new_password(password: str, *, field: str = "new_password") -> None:
    """The rule every password set through the product follows (demo accounts are seeded)."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise InvalidData(
            "the new password must have 8 to 200 characters",
            {field: [LENGTH_MESSAGE]},
        )


def change_own_password(
    uow: UnitOfWork,
    actor: Actor,
    client: audit.Client,
    limits: login_limits.LoginPolicy,
    *,
    current_password: str,
    new_password: str,
    page_session: SessionPolicy | None = None,
) -> LoginResult:
    """Set a new password after checking the current one. A wrong current password counts as a
    failed login for the username, so a stolen token cannot be used to guess it. Returns the
    caller's new credentials: a new stamp for a token and, for pages, a new session."""
    check_new_password(new_password)
    if new_password == current_password:
        raise InvalidData(
            "the new password is the current one",
            {"new_password": ["Mật khẩu mới phải khác mật khẩu hiện tại (must differ)."]},
        )
    now = utcnow()
    username = actor.username
    try:
        login_limits.check(uow.session, limits, username=username, ip=client.ip, now=now)
    except TooManyAttempts:
        with writing(uow) as session:
            _note(session, client, actor, audit.PASSWORD_CHANGE_BLOCKED)
        raise
    try:
        authenticate(uow.session, username, current_password)
    except Unauthenticated as exc:
        with writing(uow) as session:
            login_limits.record_failure(session, limits, username=username, ip=client.ip, now=now)
            _note(session, client, actor, audit.PASSWORD_CHANGE_FAILED)
        raise InvalidData(
            "the current password is wrong",
            {"current_password": ["Mật khẩu hiện tại không đúng (wrong current password)."]},
        ) from exc
    new_hash = hash_password(new_password)  # slow: outside the write lock
    with writing(uow) as session:
        user = _user(uow, actor.user_id)
        user.password_hash = new_hash
        login_limits.forget_failures(session, username)
        _note(session, client, actor, audit.PASSWORD_CHANGED)
        session.flush()
        account = load_account(session, user.id)
        key = start_session(session, account, page_session, now) if page_session else None
    return LoginResult(account.actor, account.stamp, key)


def reset_password(
    uow: UnitOfWork, admin: Actor, client: audit.Client, user_id: int, *, new_password: str
) -> None:
    """An administrator sets someone's password (forgotten, or an account handed over); the
    user's tokens and page sessions end."""
    require_role_anywhere(admin, "admin")
    check_new_password(new_password)
    new_hash = hash_password(new_password)
    uow.begin_write()
    user = _user(uow, user_id)
    user.password_hash = new_hash
    login_limits.forget_failures(uow.session, user.username)
    audit.account_changed(uow.session, client, admin, audit.PASSWORD_RESET, user)
    uow.commit()


def _user(uow: UnitOfWork, user_id: int) -> User:
    user = uow.session.scalars(select(User).where(User.id == user_id)).one_or_none()
    if user is None:
        raise NotFound(f"user {user_id} not found", what="user", id=user_id)
    return user


def _note(session: Session, client: audit.Client, actor: Actor, action: str) -> None:
    """An audit row about the actor's own password."""
    audit.add_entry(session, client, action=action, username=actor.username, user_id=actor.user_id)
