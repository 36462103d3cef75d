"""Batch loading of the names a view shows (units, users), one query per kind."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Unit
from engine.models import User
from engine.views import UnitRef
from engine.views import UserRef


def unit_refs(session: Session, ids: Iterable[int | None]) -> dict[int, UnitRef]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(Unit.id, Unit.code, Unit.name).where(Unit.id.in_(wanted))).all()
    return {row.id: UnitRef(row.code, row.name) for row in rows}


def user_refs(session: Session, ids: Iterable[int | None]) -> dict[int, UserRef]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(
        select(User.id, User.username, User.full_name).where(User.id.in_(wanted))
    ).all()
    return {row.id: UserRef(row.id, row.username, row.full_name) for row in rows}
