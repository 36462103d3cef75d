"""Form 06, the dossier register (sổ theo dõi hồ sơ): every dossier a unit received, numbered
in order of receipt within the year, with its due and finish times and how it ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.access.units import unit_by_code
from engine.access.visibility import visible_unit_ids
from engine.errors import Forbidden
from engine.errors import InvalidData
from engine.models import Dossier
from engine.models import ProcedureVersion
from engine.models import Unit
from engine.queries.refs import unit_refs
from engine.rules.calendar import LOCAL_TZ
from engine.rules.status import STATUSES
from engine.rules.timeliness import classify
from engine.store.db import utcnow
from engine.views import UnitRef

MAX_PERIOD_DAYS = 366


@dataclass(frozen=True)
class RegisterLine:
    number: int
    """Order of receipt at the unit within the (local) year: the register's entry number."""
    dossier_id: int
    code: str
    applicant_name: str | None
    applicant_address: str | None
    procedure_name: str
    received_at: datetime
    due_at: datetime | None
    finished_at: datetime | None
    status: str
    status_label: str
    timeliness: str | None
    """engine.rules.timeliness classes: early, on_time, late once settled; within_limit, due_soon,
    overdue while open; None for withdrawn dossiers."""


@dataclass(frozen=True)
class Register:
    unit: UnitRef
    date_from: date
    date_to: date
    lines: list[RegisterLine]


def unit_register(
    session: Session, actor: Actor, *, unit_code: str, date_from: date, date_to: date
) -> Register:
    """The unit's register for a period of at most a year; staff of the unit or its province."""
    if date_to < date_from:
        raise InvalidData(
            "the period ends before it starts", {"to": ["Ngày kết thúc trước ngày bắt đầu."]}
        )
    if (date_to - date_from).days >= MAX_PERIOD_DAYS:
        raise InvalidData(
            "the period is longer than a year", {"to": ["Kỳ theo dõi không quá một năm."]}
        )
    unit = unit_by_code(session, unit_code)
    visible = visible_unit_ids(session, actor)
    if visible is not None and unit.id not in visible:
        raise Forbidden("the register belongs to another unit", unit=unit_code)
    start, end = _local_midnight(date_from), _local_midnight(date_to + timedelta(days=1))
    numbers = _numbers(session, unit.id, _local_midnight(date(date_from.year, 1, 1)), end)
    rows = session.execute(
        select(Dossier, ProcedureVersion.name_vi)
        .join(ProcedureVersion, ProcedureVersion.id == Dossier.procedure_version_id)
        .where(
            Dossier.receiving_unit_id == unit.id,
            Dossier.received_at >= start,
            Dossier.received_at < end,
        )
        .order_by(Dossier.received_at, Dossier.id)
    ).all()
    now = utcnow()
    lines = [_line(numbers[dossier.id], dossier, name, now) for dossier, name in rows]
    return Register(UnitRef(unit.code, unit.name), date_from, date_to, lines)


def dossier_register(session: Session, dossier: Dossier) -> Register:
    """The register of the dossier's receiving unit on its day of receipt, with its line only."""
    day = dossier.received_at.astimezone(LOCAL_TZ).date()
    unit = session.get_one(Unit, dossier.receiving_unit_id)
    number = session.scalar(
        select(func.count(Dossier.id)).where(
            Dossier.receiving_unit_id == unit.id,
            Dossier.received_at >= _local_midnight(date(day.year, 1, 1)),
            or_(
                Dossier.received_at < dossier.received_at,
                and_(Dossier.received_at == dossier.received_at, Dossier.id <= dossier.id),
            ),
        )
    )
    name = session.scalar(
        select(ProcedureVersion.name_vi).where(ProcedureVersion.id == dossier.procedure_version_id)
    )
    line = _line(number or 1, dossier, name or "", utcnow())
    return Register(unit_refs(session, [unit.id])[unit.id], day, day, [line])


def _numbers(session: Session, unit_id: int, since: datetime, end: datetime) -> dict[int, int]:
    """Entry numbers restart each local year; ties in receipt time go by id."""
    rows = session.execute(
        select(Dossier.id, Dossier.received_at)
        .where(
            Dossier.receiving_unit_id == unit_id,
            Dossier.received_at >= since,
            Dossier.received_at < end,
        )
        .order_by(Dossier.received_at, Dossier.id)
    ).all()
    numbers: dict[int, int] = {}
    year, count = None, 0
    for dossier_id, received_at in rows:
        local_year = received_at.astimezone(LOCAL_TZ).year
        if local_year != year:
            year, count = local_year, 0
        count += 1
        numbers[dossier_id] = count
    return numbers


def _line(number: int, dossier: Dossier, procedure_name: str, now: datetime) -> RegisterLine:
    applicant = dossier.applicant or {}
    status = STATUSES.get(dossier.status)
    return RegisterLine(
        number=number,
        dossier_id=dossier.id,
        code=dossier.code,
        applicant_name=applicant.get("full_name"),
        applicant_address=applicant.get("address"),
        procedure_name=procedure_name,
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        finished_at=dossier.finished_at,
        status=dossier.status,
        status_label=status.label_vi if status else dossier.status,
        timeliness=_timeliness(dossier, now),
    )


def _timeliness(dossier: Dossier, now: datetime) -> str | None:
    """The report's buckets; withdrawn dossiers are not classed."""
    if dossier.status == "withdrawn":
        return None
    return classify(
        due_at=dossier.due_at,
        finished_at=dossier.finished_at,
        paused=dossier.status == "supplement_requested",
        now=now,
    )


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=LOCAL_TZ).astimezone(UTC)
