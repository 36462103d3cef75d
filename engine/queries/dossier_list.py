"""The dossier list: every dossier a user may see, finished ones too, found by a search (code,
name without accents, ID number, phone) and filters, in a sort order a clerk picks, a page at a
time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import SQLColumnExpression
from sqlalchemy import Subquery
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import union_all
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.access.units import cached_unit_by_code
from engine.access.units import unit_tree
from engine.access.visibility import visible_unit_ids
from engine.errors import Forbidden
from engine.errors import InvalidData
from engine.models import Dossier
from engine.models import Procedure
from engine.queries.dossiers import dossier_views
from engine.queries.search import dossier_matches
from engine.queries.search import dossier_search
from engine.rules.calendar import LOCAL_TZ
from engine.rules.status import STATUSES
from engine.views import DossierView
from engine.views import Page
from engine.views import UnitRef

DEFAULT_SORT = "-received_at"
SORT_KEYS = ("received_at", "due_at", "code", "status")
SORTS = tuple(f"{sign}{key}" for key in SORT_KEYS for sign in ("-", ""))
"""`key` ascending, `-key` descending; ties are broken by id in the same direction, so a page
never shows a row the next page shows again."""


@dataclass(frozen=True)
class DossierFilters:
    """What the clerk narrowed the list to; None is "any"."""

    q: str | None = None
    status: str | None = None
    procedure: str | None = None
    """A procedure code."""
    received_from: date | None = None
    received_to: date | None = None
    """Local (Vietnam) days, both included."""
    unit: str | None = None
    """A unit code: dossiers received there or handled there."""
    channel: str | None = None
    point: str | None = None
    """A reception point kind (engine.dossiers.receive.RECEPTION_POINT_KINDS)."""


def list_dossiers(
    session: Session,
    actor: Actor,
    filters: DossierFilters,
    *,
    sort: str = DEFAULT_SORT,
    offset: int,
    limit: int,
) -> Page[DossierView]:
    """The dossiers of the actor's units that pass `filters`, sorted by `sort` (one of SORTS);
    the page and the total come in one statement."""
    if sort not in SORTS:
        raise InvalidData(f"unknown sort {sort!r}", {"sort": [f"Chỉ nhận: {', '.join(SORTS)}."]})
    search = dossier_search(filters.q)
    params = {"pattern": search.pattern}
    conditions = _conditions(session, filters)
    branches = _branches(_scope(session, actor, filters.unit), conditions, search.kind)
    keys = union_all(*branches).subquery()
    rows = session.execute(
        select(keys.c.id, func.count().over().label("total"))
        .order_by(*_order(sort, keys))
        .offset(offset)
        .limit(limit),
        params,
    ).all()
    if rows:
        total = rows[0].total
    else:  # past the last page, or nothing at all
        total = session.scalar(select(func.count()).select_from(keys), params) if offset else 0
    ids = [row.id for row in rows]
    by_id = {d.id: d for d in session.scalars(select(Dossier).where(Dossier.id.in_(ids)))}
    return Page(dossier_views(session, [by_id[i] for i in ids], with_history=False), total or 0)


KEY_COLUMNS = (Dossier.id, Dossier.received_at, Dossier.due_at, Dossier.code, Dossier.status)
"""What the list sorts by: the rest of a dossier is read for the page's rows only."""


FEW_UNITS = 10
"""Up to this many units, a list is read from each unit's index range (a commune's clerk: some
thousand dossiers, a search checked on each); beyond, a search goes through its own index."""


def _branches(
    units: set[int] | None, conditions: list[ColumnElement[bool]], search: str
) -> list[Select[int, datetime, datetime | None, str, str]]:
    """Dossiers handled in the units, and those received there for another unit: two disjoint
    ranges, each read from its own covering index (ix_dossier_competent_list,
    ix_dossier_received_elsewhere) with the filters and the search checked on the index's
    copy of the columns, where one "handled or received there" condition would make
    PostgreSQL visit every row of the units in the table. Every unit, or many: the search's
    own index (trigrams, or the code's pattern index) finds the rows."""
    if units is None or len(units) > FEW_UNITS:
        scope = [] if units is None else [_of_units(units)]
        matches = [dossier_matches(search)] if search else []
        return [select(*KEY_COLUMNS).where(*scope, *conditions, *matches)]
    if search:
        conditions = [*conditions, dossier_matches(search, scanned=True)]
    return [
        select(*KEY_COLUMNS).where(Dossier.competent_unit_id.in_(units), *conditions),
        select(*KEY_COLUMNS).where(
            Dossier.receiving_unit_id.in_(units),
            Dossier.receiving_unit_id != Dossier.competent_unit_id,
            Dossier.competent_unit_id.not_in(units),
            *conditions,
        ),
    ]


def _of_units(units: set[int]) -> ColumnElement[bool]:
    return or_(Dossier.competent_unit_id.in_(units), Dossier.receiving_unit_id.in_(units))


def _conditions(session: Session, filters: DossierFilters) -> list[ColumnElement[bool]]:
    """Each filter given; a procedure that does not exist, or a period that ends before it
    starts, is refused rather than answered with an empty list."""
    conditions = []
    if filters.procedure:
        conditions.append(Dossier.procedure_id == _procedure_id(session, filters.procedure))
    conditions += _period(filters.received_from, filters.received_to)
    equal = {
        Dossier.status: filters.status,
        Dossier.channel: filters.channel,
        Dossier.reception_point_kind: filters.point,
    }
    conditions += [column == value for column, value in equal.items() if value]
    return conditions


def _scope(session: Session, actor: Actor, unit_code: str | None) -> set[int] | None:
    """The actor's units (None: every unit), or the one of them asked for (another unit's is
    refused, an unknown one too)."""
    units = visible_unit_ids(session, actor)
    if not unit_code:
        return units
    unit = cached_unit_by_code(session, unit_code)
    if units is not None and unit.id not in units:
        raise Forbidden("this unit's dossiers are not yours to see", unit=unit_code)
    return {unit.id}


def _period(start: date | None, end: date | None) -> list[ColumnElement[bool]]:
    if start and end and end < start:
        raise InvalidData(
            "the period ends before it starts",
            {
                "to": [
                    "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu "
                    "(the period ends before it starts)."
                ]
            },
        )
    period = []
    if start:
        period.append(Dossier.received_at >= _day_start(start))
    if end:
        period.append(Dossier.received_at < _day_start(end + timedelta(days=1)))
    return period


def _procedure_id(session: Session, code: str) -> int:
    found = session.scalar(select(Procedure.id).where(Procedure.code == code))
    if found is None:
        raise InvalidData(
            f"unknown procedure {code!r}", {"procedure": [f"Thủ tục không tồn tại: {code}"]}
        )
    return found


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, LOCAL_TZ)


def _order(sort: str, keys: Subquery) -> list[SQLColumnExpression[Any]]:
    """Dossiers without a due time come last either way; statuses sort in the national order
    (1 new ... 10 result returned), not by their slugs."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    column: SQLColumnExpression[Any] = (
        case(
            {slug: status.code for slug, status in STATUSES.items()},
            value=keys.c.status,
            else_=0,
        )
        if key == "status"
        else keys.c[key]
    )
    first = column.desc() if descending else column.asc()
    if key == "due_at":
        first = first.nulls_last()
    return [first, keys.c.id.desc() if descending else keys.c.id.asc()]


def filter_units(session: Session, actor: Actor) -> list[UnitRef]:
    """The units whose dossiers the actor sees, by code: the list's unit filter offers them
    (worth showing only when there are several)."""
    units = visible_unit_ids(session, actor)
    nodes = unit_tree(session).by_id.values()
    return [
        node.ref
        for node in sorted(nodes, key=lambda node: node.code)
        if units is None or node.id in units
    ]
