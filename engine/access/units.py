"""Administrative units: a province and its communes and wards, as the write path finds them
(engine.queries.units lists them)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import InvalidData
from engine.models import Unit
from engine.store.table_cache import TableCache
from engine.views import UnitRef

UNITS_TTL_SECONDS = 60.0
"""Units are seeded, hardly ever renamed; one new since the last read is found at once."""


def unit_by_code(session: Session, code: str, field: str = "unit") -> Unit:
    unit = session.scalars(select(Unit).where(Unit.code == code)).one_or_none()
    if unit is None:
        raise InvalidData(f"unknown unit {code!r}", {field: [f"Đơn vị không tồn tại: {code}"]})
    return unit


@dataclass(frozen=True)
class UnitNode:
    """A unit as the write path needs it, without a session."""

    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None

    @property
    def ref(self) -> UnitRef:
        return UnitRef(self.code, self.name)


@dataclass(frozen=True)
class UnitTree:
    by_id: dict[int, UnitNode]
    by_code: dict[str, UnitNode]

    def province_of(self, unit: UnitNode) -> int:
        """The province a unit belongs to (itself when it is one)."""
        while unit.parent_id is not None:
            unit = self.by_id[unit.parent_id]
        return unit.id


def _load_tree(session: Session) -> UnitTree:
    with session.no_autoflush:
        nodes = [
            UnitNode(row.id, row.code, row.name, row.kind, row.parent_id)
            for row in session.execute(
                select(Unit.id, Unit.code, Unit.name, Unit.kind, Unit.parent_id)
            )
        ]
    return UnitTree({n.id: n for n in nodes}, {n.code: n for n in nodes})


_TREE = TableCache(_load_tree, UNITS_TTL_SECONDS)


def unit_tree(session: Session) -> UnitTree:
    return _TREE.get(session)


def cached_unit(session: Session, unit_id: int) -> UnitNode:
    """The unit with this id, from the cache (read again once if it is not there yet)."""
    node = _TREE.get(session).by_id.get(unit_id)
    return node if node is not None else _TREE.get(session, reload=True).by_id[unit_id]


def cached_unit_by_code(session: Session, code: str, field: str = "unit") -> UnitNode:
    node = _TREE.get(session).by_code.get(code) or _TREE.get(session, reload=True).by_code.get(code)
    if node is None:
        raise InvalidData(f"unknown unit {code!r}", {field: [f"Đơn vị không tồn tại: {code}"]})
    return node
