"""Demo province, communes and users, for local use; created once, kept on later runs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from engine.access.accounts import hash_password
from engine.access.actors import Actor
from engine.access.actors import Grant
from engine.access.roles import ROLE_LABELS
from engine.models import Unit
from engine.models import User
from engine.models import UserRole
from engine.store.uow import UnitOfWork

PROVINCE = ("P01", "Tỉnh Thái Hòa (demo)", "province")
COMMUNES = (("C01", "Xã Tân Hòa", "commune"), ("C02", "Xã Bình An", "commune"))
DEMO_PASSWORD = "demo"  # noqa: S105 - published demo credential, local use only
COMMUNE_USERS = (
    ("tiepnhan", "Nguyễn Thị Lan", "reception"),
    ("hotich", "Trần Văn Minh", "civil_status"),
    ("congan", "Lê Quốc Hùng", "commune_police"),
    ("bhxh", "Phạm Thị Hoa", "social_insurance"),
    ("ldxh", "Võ Thị Mai", "labour_social"),
    ("lanhdao", "Đặng Văn Bình", "leader"),
)


SYSTEM_NAMES = {
    "thietke": "Chuyên viên thiết kế quy trình",
    "lienthong": "Hệ thống liên thông của cơ quan khác (demo)",
}
"""The names of the province's accounts (the communes' come from COMMUNE_USERS)."""


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    unit: str


def demo_accounts() -> list[DemoAccount]:
    accounts = [
        DemoAccount("thietke", DEMO_PASSWORD, "designer", PROVINCE[0]),
        DemoAccount("lienthong", DEMO_PASSWORD, "external_system", PROVINCE[0]),
    ]
    for index, (code, _, _) in enumerate(COMMUNES, start=1):
        accounts += [
            DemoAccount(f"{prefix}{index}", DEMO_PASSWORD, role, code)
            for prefix, _, role in COMMUNE_USERS
        ]
    return accounts


def seed(uow: UnitOfWork) -> Actor:
    """Create what is missing; return the admin as an actor for publishing the catalogue."""
    uow.begin_write()
    session = uow.session
    units = {u.code: u for u in session.scalars(select(Unit))}
    if PROVINCE[0] not in units:
        units[PROVINCE[0]] = Unit(code=PROVINCE[0], name=PROVINCE[1], kind=PROVINCE[2])
        session.add(units[PROVINCE[0]])
        session.flush()
    for code, name, kind in COMMUNES:
        if code not in units:
            units[code] = Unit(code=code, name=name, kind=kind, parent_id=units[PROVINCE[0]].id)
            session.add(units[code])
    session.flush()
    every_grant = [(role, unit.id) for role in ROLE_LABELS for unit in units.values()]
    admin = _ensure_user(uow, "admin", "admin", "Quản trị hệ thống (demo)", every_grant)
    names = {
        **SYSTEM_NAMES,
        **{
            f"{prefix}{i}": full
            for i, _ in enumerate(COMMUNES, 1)
            for prefix, full, _ in COMMUNE_USERS
        },
    }
    for account in demo_accounts():
        _ensure_user(
            uow,
            account.username,
            account.password,
            names[account.username],
            [(account.role, units[account.unit].id)],
        )
    uow.commit()
    return Actor(
        admin.id,
        admin.username,
        admin.full_name,
        frozenset(Grant(role, unit_id) for role, unit_id in every_grant),
    )


def _ensure_user(
    uow: UnitOfWork, username: str, password: str, full_name: str, grants: list[tuple[str, int]]
) -> User:
    session = uow.session
    user = session.scalars(select(User).where(User.username == username)).one_or_none()
    if user is not None:
        return user
    user = User(username=username, password_hash=hash_password(password), full_name=full_name)
    session.add(user)
    session.flush()
    session.add_all(
        UserRole(user_id=user.id, role=role, unit_id=unit_id) for role, unit_id in grants
    )
    return user
