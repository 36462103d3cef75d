"""Administrative units: a province and its communes and wards."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import aliased

from engine.errors import InvalidData
from engine.models import Unit
from engine.views import UnitRef
from engine.views import UnitView


def list_units(session: Session) -> list[UnitView]:
    parent = aliased(Unit)
    rows = session.execute(
        select(Unit, parent.code).outerjoin(parent, Unit.parent_id == parent.id).order_by(Unit.id)
    ).all()
    return [UnitView(u.id, u.code, u.name, u.kind, parent_code) for u, parent_code in rows]


def unit_ref(unit: Unit) -> UnitRef:
    return UnitRef(unit.code, unit.name)


def unit_by_code(session: Session, code: str, field: str = "unit") -> Unit:
    unit = session.scalars(select(Unit).where(Unit.code == code)).one_or_none()
    if unit is None:
        raise InvalidData(f"unknown unit {code!r}", {field: [f"Đơn vị không tồn tại: {code}"]})
    return unit


def province_of(session: Session, unit: Unit) -> int:
    """The province a unit belongs to (itself when it is one)."""
    return (
        unit.id
        if unit.parent_id is None
        else province_of(session, session.get_one(Unit, unit.parent_id))
    )
