"""The inbox: tasks a user holds, or may take in their roles and units."""

from __future__ import annotations

import operator
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from functools import reduce
from typing import Any
from typing import TypeVarTuple

from sqlalchemy import BindParameter
from sqlalchemy import ColumnElement
from sqlalchemy import CompoundSelect
from sqlalchemy import Integer
from sqlalchemy import Select
from sqlalchemy import SQLColumnExpression
from sqlalchemy import Subquery
from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import literal_column
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import union_all
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.access.actors import Grant
from engine.access.visibility import require_visible
from engine.errors import NotFound
from engine.models import Dossier
from engine.models import Event
from engine.models import Task
from engine.queries.search import dossier_matches
from engine.queries.search import dossier_search
from engine.queries.task_views import select_views
from engine.queries.task_views import task_views
from engine.queries.task_views import views_from_rows
from engine.rules import calendar
from engine.store.db import utcnow
from engine.views import Page
from engine.views import TaskView

SCOPES = ("mine", "candidate", "queue", "due_soon", "overdue", "unit", "escalated")
SORTS = ("due_at", "-due_at", "created_at", "-created_at")
MAX_GRANT_RANGES = 30
"""Beyond this many (role, unit) grants (admins), the queue is read as one OR condition rather
than one index range per grant: SQLite caps a compound select at 500 parts."""

Columns = TypeVarTuple("Columns")

Branch = list[ColumnElement[bool]]
"""Conditions on open tasks that one index range serves; a scope is the union of its branches,
which never overlap (mine: held by me; queue: held by nobody, one (role, unit) each)."""

OPEN: ColumnElement[bool] = Task.state == literal_column("'open'")
"""Inline, not a bound parameter: PostgreSQL uses a partial index (WHERE state = 'open') only
when the query's condition proves its predicate, which a parameter does not in a generic plan."""


def due_soon_limit(now: datetime) -> datetime:
    """ "Due soon" means due by the close of office on the next working day."""
    return calendar.due_at(now, 1)


def due_state(due_at: datetime | None, now: datetime) -> str | None:
    """`overdue`, `due_soon` or None (no due time counts as not due), as the scopes count."""
    if due_at is None:
        return None
    if due_at < now:
        return "overdue"
    return "due_soon" if due_at <= due_soon_limit(now) else None


def _grants(actor: Actor) -> list[Grant]:
    return sorted(actor.grants, key=lambda grant: (grant.unit_id, grant.role))


def _parameters(actor: Actor, now: datetime) -> dict[str, object]:
    """Values for the statements' parameters: the statements depend only on how many grants and
    led units there are, so they are built once and reused (building one costs ~4 ms)."""
    values: dict[str, object] = {"me": actor.user_id, "now": now, "soon": due_soon_limit(now)}
    for index, grant in enumerate(_grants(actor)):
        values[f"unit_{index}"], values[f"role_{index}"] = grant.unit_id, grant.role
    for index, unit_id in enumerate(actor.units_with("leader")):
        values[f"led_{index}"] = unit_id
    return values


def _mine() -> Branch:
    return [Task.assignee_id == bindparam("me")]


def _queue(grants: int) -> list[Branch]:
    """Held by nobody, in one of my (role, unit) pairs: one range of ix_task_queue_open each."""
    pairs: list[tuple[BindParameter[int], BindParameter[str]]] = [
        (bindparam(f"unit_{i}"), bindparam(f"role_{i}")) for i in range(grants)
    ]
    if grants > MAX_GRANT_RANGES:
        either = or_(*[and_(Task.unit_id == unit, Task.role == role) for unit, role in pairs])
        return [[Task.assignee_id.is_(None), either]]
    return [
        [Task.unit_id == unit, Task.role == role, Task.assignee_id.is_(None)]
        for unit, role in pairs
    ]


def _due_soon() -> Branch:
    return [Task.due_at >= bindparam("now"), Task.due_at <= bindparam("soon")]


def _overdue() -> Branch:
    return [Task.due_at < bindparam("now")]


def _led(led: int, *conditions: ColumnElement[bool]) -> list[Branch]:
    return [[Task.unit_id == bindparam(f"led_{i}"), *conditions] for i in range(led)]


def _branches(scope: str, grants: int, led: int) -> list[Branch]:
    """`mine`: held by me; `queue`: nobody holds it yet, in one of my (role, unit) pairs;
    `candidate`: both; `due_soon` / `overdue`: candidates by due time (no due time: not due);
    `unit`: every open task of the units I lead (to reassign); `escalated`: those of them the
    sweep flagged as overdue."""
    candidate = [_mine(), *_queue(grants)]
    if scope == "mine":
        return [_mine()]
    if scope == "queue":
        return _queue(grants)
    if scope in ("due_soon", "overdue"):
        due = _due_soon() if scope == "due_soon" else _overdue()
        return [[*branch, *due] for branch in candidate]
    if scope == "unit":
        return _led(led)
    if scope == "escalated":
        return _led(led, Task.escalated_at.is_not(None))
    return candidate


def _order(
    sort: str,
    due_at: SQLColumnExpression[datetime | None],
    created_at: SQLColumnExpression[datetime],
    id_: SQLColumnExpression[int],
) -> list[SQLColumnExpression[object]]:
    """Tasks without a due time come last whichever way the list is sorted; sorted by due time,
    the order is the one ix_task_queue_open and ix_task_unit_open are read in."""
    if sort.endswith("created_at"):
        by_created = created_at.desc() if sort.startswith("-") else created_at.asc()
        return [due_at.is_(None), by_created, id_]
    by_due = due_at.desc() if sort.startswith("-") else due_at.asc()
    return [by_due.nulls_last(), id_]


def _restricted(query: Select[*Columns], by_dossier: bool, search: str) -> Select[*Columns]:
    """`query` over open tasks, narrowed to one dossier or to a search (of this kind)."""
    if by_dossier:
        query = query.where(Task.dossier_id == bindparam("dossier_id"))
    if search:
        query = query.join(Dossier, Dossier.id == Task.dossier_id).where(dossier_matches(search))
    return query


def _united(selects: list[Select[*Columns]]) -> Select[*Columns] | CompoundSelect[*Columns]:
    return selects[0] if len(selects) == 1 else union_all(*selects)


def _total(branches: list[Branch], by_dossier: bool, search: str) -> ColumnElement[int]:
    """The scope's size: a sum of counts, each an index-only scan of one branch's range."""
    counts = [
        _restricted(select(func.count()).select_from(Task).where(OPEN, *branch), by_dossier, search)
        for branch in branches
    ]
    return reduce(operator.add, [count.scalar_subquery() for count in counts])


def _page(branches: list[Branch], sort: str, by_dossier: bool, search: str) -> Subquery:
    """Ids (with sort keys) of the page: each branch yields its first `offset + limit` tasks from
    its own index range and the page is taken from their union, so no statement visits a whole
    queue's rows."""
    firsts = []
    for branch in branches:
        query = select(Task.id, Task.due_at, Task.created_at).where(OPEN, *branch)
        ordered = _restricted(query, by_dossier, search).order_by(
            *_order(sort, Task.due_at, Task.created_at, Task.id)
        )
        firsts.append(select(ordered.limit(bindparam("first", type_=Integer)).subquery()))
    union = _united(firsts).subquery()
    return (
        select(union)
        .order_by(*_order(sort, union.c.due_at, union.c.created_at, union.c.id))
        .offset(bindparam("offset", type_=Integer))
        .limit(bindparam("limit", type_=Integer))
        .subquery()
    )


@lru_cache(maxsize=512)
def _list_statements(
    scope: str, grants: int, led: int, sort: str, by_dossier: bool, search: str
) -> tuple[Select[*tuple[Any, ...]], Select[int]] | None:
    """(the page with the total on each row, the total alone), or None for an empty scope."""
    branches = _branches(scope, grants, led)
    if not branches:
        return None
    total = _total(branches, by_dossier, search).label("total")
    page = _page(branches, sort, by_dossier, search)
    rows = (
        select_views()
        .add_columns(total)
        .join(page, page.c.id == Task.id)
        .order_by(*_order(sort, page.c.due_at, page.c.created_at, page.c.id))
    )
    return rows, select(total)


def list_tasks(
    session: Session,
    actor: Actor,
    *,
    scope: str,
    dossier_id: int | None,
    offset: int,
    limit: int,
    q: str | None = None,
    sort: str = "due_at",
    now: datetime | None = None,
) -> Page[TaskView]:
    """Open tasks in `scope` (see SCOPES), optionally on one dossier or matching a search; the
    page and the total come in one statement."""
    search = dossier_search(q)
    statements = _list_statements(
        scope,
        len(actor.grants),
        len(actor.units_with("leader")),
        sort,
        dossier_id is not None,
        search.kind,
    )
    if statements is None:
        return Page([], 0)
    values = _parameters(actor, now or utcnow())
    values.update(dossier_id=dossier_id, pattern=search.pattern)
    values.update(offset=offset, limit=limit, first=offset + limit)
    rows_statement, total_statement = statements
    rows = session.execute(rows_statement, values).all()
    if rows:
        return Page(views_from_rows(session, rows), rows[0].total)
    if offset == 0:
        return Page([], 0)
    return Page([], session.scalar(total_statement, values) or 0)  # past the last page


@lru_cache(maxsize=128)
def _count_statement(
    grants: int, led: int
) -> Select[str, int, int, int] | CompoundSelect[str, int, int, int]:
    """One row per branch of "mine", "queue", "unit" and "escalated": (kind, tasks, due soon,
    overdue), each counted on its index alone."""
    soon, over = and_(*_due_soon()), and_(*_overdue())
    parts: list[tuple[str, Branch]] = [("mine", _mine())]
    parts += [("queue", branch) for branch in _queue(grants)]
    parts += [("unit", branch) for branch in _branches("unit", grants, led)]
    parts += [("escalated", branch) for branch in _branches("escalated", grants, led)]
    return _united(
        [
            select(
                literal(kind).label("kind"),
                func.count().label("total"),
                func.count().filter(soon).label("soon"),
                func.count().filter(over).label("over"),
            ).where(OPEN, *branch)
            for kind, branch in parts
        ]
    )


def count_tasks(session: Session, actor: Actor, *, now: datetime | None = None) -> dict[str, int]:
    """How many open tasks each scope holds (the inbox tabs' badges), in one statement."""
    statement = _count_statement(len(actor.grants), len(actor.units_with("leader")))
    counts = dict.fromkeys(SCOPES, 0)
    for kind, total, due_soon, overdue in session.execute(
        statement, _parameters(actor, now or utcnow())
    ):
        counts[kind] += total
        if kind in ("mine", "queue"):
            counts["candidate"] += total
            counts["due_soon"] += due_soon
            counts["overdue"] += overdue
    return counts


def get_task(session: Session, actor: Actor, task_id: int) -> TaskView:
    """One task, for anyone who may see its dossier."""
    task, dossier = visible_task(session, actor, task_id)
    return task_view(session, task, dossier)


def visible_task(session: Session, actor: Actor, task_id: int) -> tuple[Task, Dossier]:
    """The task row and its dossier, if the actor may see the dossier."""
    row = session.execute(
        select(Task, Dossier).join(Dossier, Dossier.id == Task.dossier_id).where(Task.id == task_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"task {task_id} not found", what="task", id=task_id)
    task, dossier = row
    require_visible(session, actor, dossier)
    return task, dossier


def task_view(session: Session, task: Task, dossier: Dossier) -> TaskView:
    """One task's view, with the form data its step was completed with once done (from its
    `task_completed` event, found through the dossier's index), so a done step can be shown as
    it was filled in."""
    view = task_views(session, [task], dossiers={dossier.id: dossier})[0]
    if task.state != "completed":
        return view
    detail = session.scalar(
        select(Event.detail)
        .where(
            Event.dossier_id == task.dossier_id,
            Event.task_id == task.id,
            Event.kind == "task_completed",
        )
        .order_by(Event.id.desc())
        .limit(1)
    )
    data = (detail or {}).get("data")
    return replace(view, data=data) if isinstance(data, dict) else view
