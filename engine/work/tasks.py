"""Working a task: claim it, complete it with form data; the workflow then opens the next ones."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.access.assignment import candidates
from engine.access.assignment import check_may_hand_on
from engine.access.assignment import check_workable
from engine.access.units import cached_unit
from engine.bpmn import runtime
from engine.bpmn.versions import compiled_for
from engine.dossiers.delivery import delivery_from_step
from engine.errors import Conflict
from engine.errors import InvalidData
from engine.instance.events import event
from engine.instance.events import event_values
from engine.instance.step import Advanced
from engine.instance.step import Mover
from engine.instance.step import advance
from engine.instance.step import lock_task_step
from engine.models import Dossier
from engine.models import Task
from engine.models import User
from engine.models import UserRole
from engine.queries.task_views import task_views
from engine.rules import forms
from engine.rules.status import require_allowed
from engine.store.db import utcnow
from engine.store.uow import UnitOfWork
from engine.views import TaskView

_TASK_AND_DOSSIER = (
    select(Task, Dossier)
    .select_from(Dossier)
    .join(Task, Task.dossier_id == Dossier.id)
    .where(Task.id == bindparam("task_id"))
)
"""PostgreSQL locks a join's rows in FROM order: the dossier first, as every command does, so
a command on the dossier (a refusal) and one on its task queue up instead of deadlocking."""


def claim(uow: UnitOfWork, actor: Actor, task_id: int, *, now: datetime | None = None) -> TaskView:
    """Take a task; claiming one's own task again changes nothing. `now` is for replaying a
    past day (engine.demo); live calls leave it to the clock."""
    uow.begin_write()
    task, dossier = uow.lock_one(_TASK_AND_DOSSIER, "task", task_id, {"task_id": task_id})
    check_workable(task, actor)
    if task.assignee_id is None:
        task.assignee_id = actor.user_id
        uow.session.add(
            event(
                dossier.id,
                "task_claimed",
                now or utcnow(),
                actor_id=actor.user_id,
                unit_id=task.unit_id,
                task=task,
            )
        )
        uow.commit()
    return task_views(uow.session, [task], dossiers={dossier.id: dossier})[0]


def release(uow: UnitOfWork, actor: Actor, task_id: int, *, note: str = "") -> TaskView:
    """Give a held task back to its role's queue; only its holder may."""
    uow.begin_write()
    task, dossier = uow.lock_one(_TASK_AND_DOSSIER, "task", task_id, {"task_id": task_id})
    check_workable(task, actor)
    if task.assignee_id is not None:
        _give_back(uow.session, task, dossier, actor, note)
        uow.commit()
    return task_views(uow.session, [task], dossiers={dossier.id: dossier})[0]


_OPEN_HELD_BY = (
    select(Task.id)
    .where(Task.assignee_id == bindparam("user_id"), Task.state == "open")
    .order_by(Task.id)
)


def release_held_by(
    uow: UnitOfWork,
    actor: Actor,
    user_id: int,
    *,
    note: str,
    keeping: frozenset[tuple[str, int]] = frozenset(),
) -> int:
    """Give every open task `user_id` holds back to its role's queue, each with a
    `task_released` event by `actor`: an account being disabled (or losing a role) leaves no
    task waiting on someone who can no longer do it. Tasks of a (role, unit id) in `keeping`
    stay held. Runs in the caller's write transaction; returns how many tasks went back."""
    released = 0
    for task_id in uow.session.scalars(_OPEN_HELD_BY, {"user_id": user_id}).all():
        task, dossier = uow.lock_one(_TASK_AND_DOSSIER, "task", task_id, {"task_id": task_id})
        if task.assignee_id != user_id or task.state != "open":
            continue  # completed or handed on while we waited for the lock
        if (task.role, task.unit_id) in keeping:
            continue
        _give_back(uow.session, task, dossier, actor, note)
        released += 1
    return released


def _give_back(session: Session, task: Task, dossier: Dossier, actor: Actor, note: str) -> None:
    """The task back in its role's queue, and the `task_released` event that says by whom."""
    task.assignee_id = None
    detail = {"note": note} if note else {}
    session.add(
        event(
            dossier.id,
            "task_released",
            utcnow(),
            actor_id=actor.user_id,
            unit_id=task.unit_id,
            task=task,
            detail=detail,
        )
    )


def reassign(
    uow: UnitOfWork, actor: Actor, task_id: int, *, assignee: str, note: str = ""
) -> TaskView:
    """Hand a task to a named colleague of its role and unit: a leader of the task's unit may
    (reassignment), and so may the task's holder (delegation)."""
    uow.begin_write()
    session = uow.session
    task, dossier = uow.lock_one(_TASK_AND_DOSSIER, "task", task_id, {"task_id": task_id})
    check_may_hand_on(task, actor)
    if task.state != "open":
        raise Conflict("this task is already done", task_id=task.id, state=task.state)
    target = _colleague(session, assignee, task)
    if target.id != task.assignee_id:
        previous = session.get(User, task.assignee_id) if task.assignee_id else None
        task.assignee_id = target.id
        session.add(
            event(
                dossier.id,
                "task_reassigned",
                utcnow(),
                actor_id=actor.user_id,
                unit_id=task.unit_id,
                task=task,
                detail={
                    "from": previous.username if previous else None,
                    "to": target.username,
                    "note": note,
                },
            )
        )
        uow.commit()
    return task_views(session, [task], dossiers={dossier.id: dossier})[0]


def _colleague(session: Session, username: str, task: Task) -> User:
    """The user named `username`, who must be active and hold the task's role in its unit."""
    user = session.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None or not user.is_active:
        raise InvalidData(
            f"no active user {username!r}",
            {"assignee": [f"Không có người dùng “{username}” (no such user)."]},
        )
    holds = session.scalar(candidates(task.role, task.unit_id).where(UserRole.user_id == user.id))
    if holds is None:
        raise InvalidData(
            f"{username!r} does not hold the role {task.role!r} in the task's unit",
            {
                "assignee": [
                    "Người này không giữ vai trò của bước trong đơn vị (wrong role or unit)."
                ]
            },
        )
    return user


def complete(
    uow: UnitOfWork, actor: Actor, task_id: int, data: object, *, now: datetime | None = None
) -> list[TaskView]:
    """Validate the form, advance the workflow, and return the tasks it opened (`now`: as claim).

    The hot path of the platform, two round trips on PostgreSQL: the locking read with the
    dossier's open task rows, then the step's writes with the COMMIT (engine.instance.step)."""
    uow.begin_write()
    locked = lock_task_step(uow, task_id)
    task, dossier = locked.task, locked.dossier
    check_workable(task, actor)
    require_allowed("complete_task", dossier.status)
    compiled = compiled_for(uow.session, dossier.spec_key, dossier.procedure_version_id)
    cleaned = forms.validate(compiled.forms.get(task.form) if task.form else None, data)
    by = Mover(actor.user_id, task.unit_id, now or utcnow())
    completed_event = event_values(
        dossier.id,
        "task_completed",
        by.now,
        actor_id=actor.user_id,
        unit_id=task.unit_id,
        task=task,
        detail={"data": cleaned},
    )

    def deliver(advanced: Advanced) -> None:
        if advanced.completed and dossier.status == "result_returned":
            delivery_from_step(uow.session, dossier, cleaned, actor_id=actor.user_id, now=by.now)

    advanced = advance(
        uow.session,
        dossier,
        lambda workflow: runtime.complete(workflow, task.spiff_task_id, cleaned),
        state=locked.state,
        open_rows=locked.open_rows,
        by=by,
        completing=task,
        events=[completed_event],
        compiled=compiled,
        then=deliver,
    )
    uow.commit()
    unit = cached_unit(uow.session, dossier.competent_unit_id)
    return task_views(
        uow.session, advanced.created, dossiers={dossier.id: dossier}, units={unit.id: unit.ref}
    )
