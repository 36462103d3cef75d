"""The administrative units, listed with their parent's code."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import aliased

from engine.models import Unit
from engine.views import UnitView


def list_units(session: Session) -> list[UnitView]:
    parent = aliased(Unit)
    rows = session.execute(
        select(Unit, parent.code).outerjoin(parent, Unit.parent_id == parent.id).order_by(Unit.id)
    ).all()
    return [UnitView(u.id, u.code, u.name, u.kind, parent_code) for u, parent_code in rows]
