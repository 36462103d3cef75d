"""The inbox: tasks a user holds, or may take in their roles and units."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import case
from sqlalchemy import exists
from sqlalchemy import false
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import calendar
from engine.actors import Actor
from engine.db import utcnow
from engine.errors import NotFound
from engine.models import Dossier
from engine.models import Task
from engine.models import UserRole
from engine.queries.task_views import task_views
from engine.views import Page
from engine.views import TaskView
from engine.visibility import require_visible

SCOPES = ("mine", "candidate", "queue", "due_soon", "overdue", "unit", "escalated")
SORTS = ("due_at", "-due_at", "created_at", "-created_at")
MAX_QUERY_LENGTH = 100


def _in_my_queue(actor: Actor) -> ColumnElement[bool]:
    return exists().where(
        UserRole.user_id == actor.user_id,
        UserRole.role == Task.role,
        UserRole.unit_id == Task.unit_id,
    )


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


def _scope_condition(actor: Actor, scope: str, now: datetime) -> ColumnElement[bool]:
    """`mine`: held by me; `queue`: nobody holds it yet, in one of my (role, unit) pairs;
    `candidate`: both; `due_soon` / `overdue`: candidates by due time (no due time: not due);
    `unit`: every open task of the units I lead (to reassign); `escalated`: those of them the
    sweep flagged as overdue."""
    mine = Task.assignee_id == actor.user_id
    queue = and_(Task.assignee_id.is_(None), _in_my_queue(actor))
    candidate = or_(mine, queue)
    if scope == "mine":
        return mine
    if scope == "queue":
        return queue
    if scope == "due_soon":
        return and_(candidate, Task.due_at >= now, Task.due_at <= due_soon_limit(now))
    if scope == "overdue":
        return and_(candidate, Task.due_at < now)
    if scope == "unit":
        led = actor.units_with("leader")
        return Task.unit_id.in_(led) if led else false()
    if scope == "escalated":  # flagged overdue by the sweep, in the units I lead
        led = actor.units_with("leader")
        return and_(Task.escalated_at.is_not(None), Task.unit_id.in_(led)) if led else false()
    return candidate


def _matches(q: str) -> ColumnElement[bool]:
    """Dossier code or applicant name contains `q` (case-insensitive)."""
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(
        Dossier.code.ilike(pattern, escape="\\"),
        Dossier.applicant["full_name"].as_string().ilike(pattern, escape="\\"),
    )


def _order(sort: str) -> list[ColumnElement[object]]:
    """Tasks without a due time come last whichever way due times are sorted."""
    column = Task.created_at if sort.endswith("created_at") else Task.due_at
    direction = column.desc() if sort.startswith("-") else column.asc()
    return [Task.due_at.is_(None), direction, Task.id]


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
    """Open tasks in `scope` (see SCOPES), optionally on one dossier or matching a search."""
    now = now or utcnow()
    query = select(Task).where(Task.state == "open", _scope_condition(actor, scope, now))
    if dossier_id is not None:
        query = query.where(Task.dossier_id == dossier_id)
    if q and q.strip():
        query = query.join(Dossier, Dossier.id == Task.dossier_id).where(
            _matches(q.strip()[:MAX_QUERY_LENGTH])
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(*_order(sort)).offset(offset).limit(limit)).all()
    return Page(task_views(session, rows), total)


def count_tasks(session: Session, actor: Actor, *, now: datetime | None = None) -> dict[str, int]:
    """How many open tasks each scope holds, in one query (the inbox tabs' badges)."""
    now = now or utcnow()
    columns = [
        func.coalesce(func.sum(case((_scope_condition(actor, scope, now), 1), else_=0)), 0)
        for scope in SCOPES
    ]
    row = session.execute(select(*columns).where(Task.state == "open")).one()
    return {scope: int(value) for scope, value in zip(SCOPES, row, strict=True)}


def get_task(session: Session, actor: Actor, task_id: int) -> TaskView:
    """One task, for anyone who may see its dossier."""
    row = session.execute(
        select(Task, Dossier).join(Dossier, Dossier.id == Task.dossier_id).where(Task.id == task_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"task {task_id} not found", what="task", id=task_id)
    task, dossier = row
    require_visible(session, actor, dossier)
    return task_views(session, [task], dossiers={dossier.id: dossier})[0]
