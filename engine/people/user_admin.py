"""Administering accounts: create, disable and enable again (engine.queries.users lists
them). Administrators only.

A disabled account can no longer log in, and its tokens and page sessions stop at the next
request (within the API's few seconds of cached identity, api.auth.ActorCache); the open
tasks it held go back to their roles' queues. Accounts are never deleted: the events, the
audit log and the dossiers keep naming who did what.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.access import login_limits
from engine.access.accounts import hash_password
from engine.access.actors import Actor
from engine.access.actors import require_role_anywhere
from engine.access.roles import ROLE_LABELS
from engine.errors import Conflict
from engine.errors import InvalidData
from engine.models import Unit
from engine.models import User
from engine.models import UserRole
from engine.people import audit
from engine.people.passwords import check_new_password
from engine.queries.users import user_row
from engine.queries.users import user_views
from engine.store.uow import UnitOfWork
from engine.views import UserView
from engine.work import tasks

DISABLED_NOTE = "Tài khoản người giữ việc đã bị khoá (the holder's account was disabled)."
"""The note on each task a disabled account gave back."""


def create_user(
    uow: UnitOfWork,
    actor: Actor,
    *,
    username: str,
    password: str,
    full_name: str,
    roles: list[tuple[str, str]],
    client: audit.Client,
) -> UserView:
    """Create an account with (role, unit code) grants; the audit log says who made it."""
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
    audit.account_changed(session, client, actor, audit.ACCOUNT_CREATED, user)
    uow.commit()
    return user_views(session, [user])[0]


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
    user = user_row(uow.session, user_id)
    if user.is_active != active:
        user.is_active = active
        if not active:
            tasks.release_held_by(uow, actor, user.id, note=DISABLED_NOTE)
        audit.account_changed(
            uow.session,
            client,
            actor,
            audit.ACCOUNT_ENABLED if active else audit.ACCOUNT_DISABLED,
            user,
        )
        uow.commit()
    return user_views(uow.session, [user])[0]


ROLES_CHANGED_NOTE = (
    "Người giữ việc không còn vai trò của bước này (the holder no longer has the step's role)."
)


def set_roles(
    uow: UnitOfWork,
    actor: Actor,
    client: audit.Client,
    user_id: int,
    roles: list[tuple[str, str]],
) -> UserView:
    """Give an account exactly these (role, unit code) grants: the open tasks it held under a
    grant it lost go back to their queues. At least one grant; an administrator keeps their
    own administrator grant (someone must be left to undo a mistake)."""
    require_role_anywhere(actor, "admin")
    if not roles:
        raise InvalidData("an account needs a role", {"roles": ["Cần ít nhất một vai trò."]})
    uow.begin_write()
    session = uow.session
    user = user_row(session, user_id)
    units = _units_by_code(session, [unit for _, unit in roles])
    _check_grants(roles, units)
    if user_id == actor.user_id and not any(role == "admin" for role, _ in roles):
        raise Conflict(
            "you cannot take your own administrator role (Bạn không thể bỏ vai trò quản trị "
            "của chính mình.)",
            user_id=user_id,
        )
    wanted = {(role, units[unit].id) for role, unit in roles}
    for grant in session.scalars(select(UserRole).where(UserRole.user_id == user_id)).all():
        if (grant.role, grant.unit_id) in wanted:
            wanted.discard((grant.role, grant.unit_id))
        else:
            session.delete(grant)
    for role, unit_id in sorted(wanted):
        session.add(UserRole(user_id=user_id, role=role, unit_id=unit_id))
    session.flush()
    kept = frozenset((role, units[unit].id) for role, unit in roles)
    tasks.release_held_by(uow, actor, user_id, note=ROLES_CHANGED_NOTE, keeping=kept)
    audit.account_changed(session, client, actor, audit.ACCOUNT_ROLES_CHANGED, user)
    uow.commit()
    return user_views(session, [user])[0]


def unlock(uow: UnitOfWork, actor: Actor, client: audit.Client, user_id: int) -> UserView:
    """Forget an account's recent failed logins, so a locked-out user may log in again now."""
    require_role_anywhere(actor, "admin")
    uow.begin_write()
    user = user_row(uow.session, user_id)
    login_limits.forget_failures(uow.session, user.username)
    audit.account_changed(uow.session, client, actor, audit.ACCOUNT_UNLOCKED, user)
    uow.commit()
    return user_views(uow.session, [user])[0]


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
