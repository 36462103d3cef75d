"""Accounts as administrators list and search them, each with its (role, unit) grants."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.access.actors import require_role_anywhere
from engine.errors import NotFound
from engine.models import Dossier
from engine.models import Task
from engine.models import Unit
from engine.models import User
from engine.models import UserRole
from engine.rules.folding import fold
from engine.views import Page
from engine.views import RoleGrantView
from engine.views import UserView


@dataclass(frozen=True)
class UserFilter:
    text: str | None = None
    """Part of the username or the full name, any case, with or without accents."""
    unit: str | None = None
    """A unit code: users holding some role there."""
    active: bool | None = None


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
        return Page(user_views(session, list(users)), total)
    wanted = fold(where.text)
    names = session.execute(
        select(User.id, User.username, User.full_name).where(*conditions).order_by(User.username)
    ).all()
    found = [row.id for row in names if wanted in fold(f"{row.username} {row.full_name}")]
    users = session.scalars(by_name.where(User.id.in_(found[offset : offset + limit]))).all()
    return Page(user_views(session, list(users)), len(found))


def get_user(session: Session, actor: Actor, user_id: int) -> UserView:
    require_role_anywhere(actor, "admin")
    return user_views(session, [user_row(session, user_id)])[0]


def user_row(session: Session, user_id: int) -> User:
    """The account or NotFound; the commands that change an account start from it too."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found", what="user", id=user_id)
    return user


def user_views(session: Session, users: list[User]) -> list[UserView]:
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


def _conditions(where: UserFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
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


@dataclass(frozen=True)
class HeldTask:
    """An open task an account holds, as a confirmation names it."""

    task_id: int
    dossier_id: int
    dossier_code: str
    name: str
    role: str
    unit: str


def tasks_given_back(
    session: Session, actor: Actor, user_id: int, keeping: list[tuple[str, str]]
) -> list[HeldTask]:
    """The open tasks `user_id` holds that would go back to their queues if the account kept
    only the (role, unit code) grants in `keeping` (none: the account is disabled), the rule of
    engine.work.tasks.release_held_by, so an administrator confirms knowing them."""
    require_role_anywhere(actor, "admin")
    rows = session.execute(
        select(Task.id, Task.dossier_id, Dossier.code, Task.name, Task.role, Unit.code)
        .join(Dossier, Dossier.id == Task.dossier_id)
        .join(Unit, Unit.id == Task.unit_id)
        .where(Task.assignee_id == user_id, Task.state == "open")
        .order_by(Task.id)
    ).all()
    kept = set(keeping)
    return [HeldTask(*row) for row in rows if (row[4], row[5]) not in kept]
