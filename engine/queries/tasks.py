"""The inbox: tasks a user holds, or may take in their roles and units."""

from __future__ import annotations

from sqlalchemy import and_
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actors import Actor
from engine.models import Task
from engine.models import UserRole
from engine.queries.task_views import task_views
from engine.views import Page
from engine.views import TaskView

SCOPES = ("mine", "candidate")


def list_tasks(
    session: Session, actor: Actor, *, scope: str, dossier_id: int | None, offset: int, limit: int
) -> Page[TaskView]:
    """`mine`: open tasks assigned to me; `candidate`: those plus unassigned ones in my roles."""
    mine = Task.assignee_id == actor.user_id
    if scope == "mine":
        condition = mine
    else:
        in_my_queue = exists().where(
            UserRole.user_id == actor.user_id,
            UserRole.role == Task.role,
            UserRole.unit_id == Task.unit_id,
        )
        condition = or_(mine, and_(Task.assignee_id.is_(None), in_my_queue))
    query = select(Task).where(Task.state == "open", condition)
    if dossier_id is not None:
        query = query.where(Task.dossier_id == dossier_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Task.due_at.is_(None), Task.due_at, Task.id).offset(offset).limit(limit)
    ).all()
    return Page(task_views(session, rows), total)
