"""Administering accounts: create, list, disable and enable again. Administrators only.

A disabled account can no longer log in, and its tokens and page sessions stop at the next
request (within the API's few seconds of cached identity, api.auth.ActorCache); the open
tasks it held go back to their roles' queues. Accounts are never deleted: the events, the
audit log and the dossiers keep naming who did what.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.access.accounts import hash_password
from engine.access.actors import Actor
from engine.access.actors import require_role_anywhere
from engine.access.roles import ROLE_LABELS
from engine.errors import Conflict
from engine.errors import InvalidData
from engine.errors import NotFound
from engine.models import Unit
from engine.models import User
from engine.models import UserRole
from engine.people import audit
from engine.people.passwords import check_new_password
from engine.store.uow import UnitOfWork
from engine.views import Page
from engine.views import RoleGrantView
from engine.views import UserView
from engine.work import tasks

DISABLED_NOTE = "Tài khoản người giữ việc đã bị khoá (the holder's account was disabled)."
"""The note on each task a disabled account gave back."""


@dataclass(frozen=True)
class UserFilter:
    text: str | None = None
    """Part of the username or the full name, any case, with or without accents."""
    unit: str | None = None
    """A unit code: users holding some role there."""
    active: bool | None = None


def create_user(
    uow: UnitOfWork,
    actor: Actor,
    *,
    username: str,
    password: str,
    full_name: str,
    roles: list[tuple[str, str]],
) -> UserView:
    """Create an account with (role, unit code) grants."""
    require_role_anywhere(actor, "admin")
    check_new_password(password, field="password")
    uow.begin_write()
    session = uow.session
    units = _units_by_code(session, [unit for _, unit in roles])
    _check_grants(roles, units)
    user = User(username=username, password_hash=hash_password(password), full_name=full_name)
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"the username {username!r} is taken", username=username) from exc
    for role, unit in sorted(set(roles)):
        session.add(UserRole(user_id=user.id, role=role, unit_id=units[unit].id))
    uow.commit()
    return _views(session, [user])[0]


def list_users(
    session: Session, actor: Actor, where: UserFilter, *, offset: int, limit: int
) -> Page[UserView]:
    """By username; with their roles. A search text is matched in Python, folded as people
    type names ("nguyen" finds "Nguyễn", "do" finds "Đỗ"), which SQL's lower() cannot do for
    Đ on SQLite, nor on PostgreSQL in the C locale; a province has thousands of accounts,
    not millions."""
    require_role_anywhere(actor, "admin")
    conditions = _conditions(where)
    by_name = select(User).order_by(User.username)
    if not where.text:
        total = session.scalar(select(func.count()).select_from(User).where(*conditions)) or 0
        users = session.scalars(by_name.where(*conditions).offset(offset).limit(limit)).all()
        return Page(_views(session, list(users)), total)
    wanted = _fold(where.text)
    names = session.execute(
        select(User.id, User.username, User.full_name).where(*conditions).order_by(User.username)
    ).all()
    found = [row.id for row in names if wanted in _fold(f"{row.username} {row.full_name}")]
    users = session.scalars(by_name.where(User.id.in_(found[offset : offset + limit]))).all()
    return Page(_views(session, list(users)), len(found))


def get_user(session: Session, actor: Actor, user_id: int) -> UserView:
    require_role_anywhere(actor, "admin")
    return _views(session, [_user(session, user_id)])[0]


def set_active(
    uow: UnitOfWork, actor: Actor, client: audit.Client, user_id: int, *, active: bool
) -> UserView:
    """Disable an account (its open tasks go back to the queues) or enable it again. An
    administrator cannot disable their own account: someone must be left to undo it."""
    require_role_anywhere(actor, "admin")
    if user_id == actor.user_id and not active:
        raise Conflict(
            "you cannot disable your own account (Bạn không thể khoá tài khoản của chính mình.)",
            user_id=user_id,
        )
    uow.begin_write()
    user = _user(uow.session, user_id)
    if user.is_active != active:
        user.is_active = active
        if not active:
            tasks.release_held_by(uow, actor, user.id, note=DISABLED_NOTE)
        audit.add_entry(
            uow.session,
            client,
            action=audit.ACCOUNT_ENABLED if active else audit.ACCOUNT_DISABLED,
            username=actor.username,
            user_id=actor.user_id,
            target=("user", user.id, user.username),
        )
        uow.commit()
    return _views(uow.session, [user])[0]


def _fold(text: str) -> str:
    """Lower case without accents, đ as d."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _conditions(where: UserFilter) -> list[ColumnElement[bool]]:
    conditions = []
    if where.unit is not None:
        conditions.append(
            User.id.in_(
                select(UserRole.user_id)
                .join(Unit, Unit.id == UserRole.unit_id)
                .where(Unit.code == where.unit)
            )
        )
    if where.active is not None:
        conditions.append(User.is_active.is_(where.active))
    return conditions


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found", what="user", id=user_id)
    return user


def _views(session: Session, users: list[User]) -> list[UserView]:
    """The users with their (role, unit code) grants, read in one query."""
    grants: dict[int, list[RoleGrantView]] = {user.id: [] for user in users}
    rows = session.execute(
        select(UserRole.user_id, UserRole.role, Unit.code)
        .join(Unit, Unit.id == UserRole.unit_id)
        .where(UserRole.user_id.in_(list(grants)))
        .order_by(UserRole.role, Unit.code)
    ).all()
    for user_id, role, unit in rows:
        grants[user_id].append(RoleGrantView(role, unit))
    return [
        UserView(user.id, user.username, user.full_name, grants[user.id], user.is_active)
        for user in users
    ]


def _units_by_code(session: Session, codes: list[str]) -> dict[str, Unit]:
    rows = session.scalars(select(Unit).where(Unit.code.in_(set(codes)))).all()
    return {unit.code: unit for unit in rows}


def _check_grants(roles: list[tuple[str, str]], units: dict[str, Unit]) -> None:
    errors: dict[str, list[str]] = {}
    for role, unit in roles:
        if role not in ROLE_LABELS:
            errors.setdefault("roles", []).append(f"Vai trò không tồn tại: {role}")
        if unit not in units:
            errors.setdefault("roles", []).append(f"Đơn vị không tồn tại: {unit}")
    if errors:
        raise InvalidData("unknown role or unit", errors)
