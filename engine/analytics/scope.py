"""Which dossiers a figure counts: a unit (a province with its communes), a field, a procedure,
a period [from, to) in Vietnam time; and who may ask (leaders of the unit, administrators)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time

from sqlalchemy import ColumnElement
from sqlalchemy import select
from sqlalchemy import true
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.errors import BadQuery
from engine.errors import Forbidden
from engine.models import Dossier
from engine.models import Procedure
from engine.models import ProcedureVersion
from engine.models import Unit
from engine.rules.calendar import LOCAL_TZ

LEADER = "leader"


@dataclass(frozen=True)
class Scope:
    """What the caller asked for; None means every one the caller may see, or all time."""

    unit: str | None = None
    field: str | None = None
    procedure: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    """Exclusive: the period is [date_from, date_to) in Vietnam time."""


@dataclass(frozen=True)
class Resolved:
    """A scope checked against the caller and turned into what the SQL needs."""

    scope: Scope
    unit_ids: frozenset[int] | None
    """None: every unit (an administrator without a unit filter)."""
    start: datetime | None
    end: datetime | None

    def base(self) -> ColumnElement[bool]:
        """Unit, field and procedure: the dossiers the scope covers whatever the period."""
        clauses: list[ColumnElement[bool]] = []
        if self.unit_ids is not None:
            clauses.append(Dossier.competent_unit_id.in_(sorted(self.unit_ids)))
        if self.scope.procedure is not None:
            clauses.append(
                Dossier.procedure_id.in_(
                    select(Procedure.id).where(Procedure.code == self.scope.procedure)
                )
            )
        if self.scope.field is not None:
            clauses.append(
                Dossier.procedure_version_id.in_(
                    select(ProcedureVersion.id).where(ProcedureVersion.field == self.scope.field)
                )
            )
        return _all(clauses)

    def within(
        self, column: InstrumentedAttribute[datetime] | InstrumentedAttribute[datetime | None]
    ) -> ColumnElement[bool]:
        """`column` falls in the period (no bound on a side left open)."""
        clauses: list[ColumnElement[bool]] = []
        if self.start is not None:
            clauses.append(column >= self.start)
        if self.end is not None:
            clauses.append(column < self.end)
        return _all(clauses)

    def before_end(
        self, column: InstrumentedAttribute[datetime] | InstrumentedAttribute[datetime | None]
    ) -> ColumnElement[bool]:
        return _all([] if self.end is None else [column < self.end])


def _all(clauses: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    result: ColumnElement[bool] = true()
    for clause in clauses:
        result = result & clause
    return result


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=LOCAL_TZ).astimezone(UTC)


def require_analytics(actor: Actor) -> None:
    """Figures are for leaders and administrators; casework roles and designers see none."""
    if actor.is_admin or actor.holds_anywhere(LEADER):
        return
    raise Forbidden("figures are for leaders and administrators", roles=[LEADER, "admin"])


def resolve(session: Session, actor: Actor, scope: Scope) -> Resolved:
    """Check the caller may see the scope's unit and that every code names something."""
    require_analytics(actor)
    if scope.date_from and scope.date_to and scope.date_to <= scope.date_from:
        raise BadQuery(
            "the period ends before it starts", {"to": ["Ngày kết thúc phải sau ngày bắt đầu."]}
        )
    _check_codes(session, scope)
    led = None if actor.is_admin else _with_children(session, actor.units_with(LEADER))
    if scope.unit is None:
        unit_ids = led
    else:
        unit = session.scalars(select(Unit).where(Unit.code == scope.unit)).one_or_none()
        if unit is None:
            raise BadQuery(
                f"unknown unit {scope.unit!r}", {"unit": [f"Đơn vị không tồn tại: {scope.unit}"]}
            )
        unit_ids = _with_children(session, [unit.id])
        if led is not None and not unit_ids <= led:
            raise Forbidden("the figures of another unit", unit=scope.unit)
    return Resolved(
        scope=scope,
        unit_ids=unit_ids,
        start=None if scope.date_from is None else local_midnight(scope.date_from),
        end=None if scope.date_to is None else local_midnight(scope.date_to),
    )


def _check_codes(session: Session, scope: Scope) -> None:
    if scope.procedure is not None and not session.scalar(
        select(Procedure.id).where(Procedure.code == scope.procedure)
    ):
        raise BadQuery(
            f"unknown procedure {scope.procedure!r}",
            {"procedure": [f"Thủ tục không tồn tại: {scope.procedure}"]},
        )
    if scope.field is not None and not session.scalar(
        select(ProcedureVersion.id).where(ProcedureVersion.field == scope.field).limit(1)
    ):
        raise BadQuery(
            f"unknown field {scope.field!r}", {"field": [f"Lĩnh vực không tồn tại: {scope.field}"]}
        )


def _with_children(session: Session, unit_ids: list[int]) -> frozenset[int]:
    """A province's figures include its communes."""
    if not unit_ids:
        return frozenset()
    children = session.scalars(select(Unit.id).where(Unit.parent_id.in_(unit_ids))).all()
    return frozenset(unit_ids) | frozenset(children)


@dataclass(frozen=True)
class Choice:
    code: str
    name: str


@dataclass(frozen=True)
class Choices:
    """What the dashboard's filters offer the caller."""

    units: list[Choice]
    fields: list[str]
    procedures: list[Choice]


def choices(session: Session, actor: Actor) -> Choices:
    require_analytics(actor)
    led = None if actor.is_admin else _with_children(session, actor.units_with(LEADER))
    units = select(Unit.code, Unit.name).order_by(Unit.kind.desc(), Unit.code)
    if led is not None:
        units = units.where(Unit.id.in_(sorted(led)))
    procedures = session.execute(
        select(Procedure.code, ProcedureVersion.name_vi, ProcedureVersion.field)
        .join(ProcedureVersion, ProcedureVersion.id == Procedure.current_version_id)
        .order_by(ProcedureVersion.name_vi)
    ).all()
    return Choices(
        units=[Choice(code, name) for code, name in session.execute(units).all()],
        fields=sorted({row.field for row in procedures}),
        procedures=[Choice(row.code, row.name_vi) for row in procedures],
    )
