"""Working a task: claim it, complete it with form data; the workflow then opens the next ones."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.access.actors import require_role_in
from engine.access.units import cached_unit
from engine.bpmn import runtime
from engine.bpmn import serializer
from engine.bpmn.runtime import Workflow
from engine.bpmn.versions import compiled_for
from engine.dossiers.actions import delivery_from_step
from engine.errors import Conflict
from engine.errors import InvalidData
from engine.instance import timers
from engine.instance.events import event
from engine.instance.events import event_values
from engine.instance.events import insert_events
from engine.instance.status_changes import change_status
from engine.instance.task_rows import task_changes
from engine.instance.task_rows import write_task_changes
from engine.models import Dossier
from engine.models import Task
from engine.models import User
from engine.models import UserRole
from engine.models import WorkflowState
from engine.queries.task_views import task_views
from engine.rules import forms
from engine.rules.status import require_allowed
from engine.rules.status import status_after_step
from engine.store import loaded_rows
from engine.store.db import utcnow
from engine.store.uow import UnitOfWork
from engine.store.uow import for_update
from engine.store.write_behind import defer
from engine.store.write_behind import defer_row_changes
from engine.store.write_behind import read_with_next
from engine.store.write_behind import send_ahead
from engine.views import TaskView

_TASK_AND_DOSSIER = (
    select(Task, Dossier)
    .select_from(Dossier)
    .join(Task, Task.dossier_id == Dossier.id)
    .where(Task.id == bindparam("task_id"))
)
"""PostgreSQL locks a join's rows in FROM order: the dossier first, as every command does, so
a command on the dossier (a refusal) and one on its task queue up instead of deadlocking."""
_TASK_COLUMNS = loaded_rows.columns(Task)
_DOSSIER_COLUMNS = loaded_rows.columns(Dossier)
_STEP_ROW = for_update(
    select(*_TASK_COLUMNS, *_DOSSIER_COLUMNS, WorkflowState.state)
    .select_from(Dossier)
    .join(Task, Task.dossier_id == Dossier.id)
    .join(WorkflowState, WorkflowState.dossier_id == Dossier.id)
    .where(Task.id == bindparam("task_id"))
)
"""Locks the dossier (first, as above), the task and the workflow state, never a row shared
with other dossiers, and reads their columns, which engine.store.loaded_rows turns into the Task and
Dossier objects. Built once, with bind parameters (see UnitOfWork.lock_columns)."""
_TASKS = Task.__table__
_OPEN_ROWS_BESIDE = select(_TASKS.c.id, _TASKS.c.spiff_task_id).where(
    _TASKS.c.dossier_id
    == select(_TASKS.c.dossier_id).where(_TASKS.c.id == bindparam("task_id")).scalar_subquery(),
    _TASKS.c.state == "open",
)
"""The open rows of a task's dossier, read right after the read that locks that dossier."""
_COMPLETE_ROW = (
    _TASKS.update()
    .where(_TASKS.c.id == bindparam("task_id"))
    .values(
        state="completed",
        completed_at=bindparam("now"),
        completed_by=bindparam("user_id"),
        assignee_id=bindparam("assignee_id"),
    )
)
_STATES = WorkflowState.__table__
_SAVE_STATE = (
    _STATES.update()
    .where(_STATES.c.dossier_id == bindparam("of_dossier"))
    .values(state=bindparam("new_state"), steps=_STATES.c.steps + 1)
)


def _check_workable(task: Task, actor: Actor) -> None:
    require_role_in(actor, task.role, task.unit_id)
    if task.state != "open":
        raise Conflict("this task is already done", task_id=task.id, state=task.state)
    if task.assignee_id is not None and task.assignee_id != actor.user_id:
        raise Conflict("another user holds this task", task_id=task.id)


def claim(uow: UnitOfWork, actor: Actor, task_id: int) -> TaskView:
    """Take a task; claiming one's own task again changes nothing."""
    uow.begin_write()
    task, dossier = uow.lock_one(_TASK_AND_DOSSIER, "task", task_id, {"task_id": task_id})
    _check_workable(task, actor)
    if task.assignee_id is None:
        task.assignee_id = actor.user_id
        uow.session.add(
            event(
                dossier.id,
                "task_claimed",
                utcnow(),
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
    _check_workable(task, actor)
    if task.assignee_id is not None:
        _give_back(uow.session, task, dossier, actor, note)
        uow.commit()
    return task_views(uow.session, [task], dossiers={dossier.id: dossier})[0]


_OPEN_HELD_BY = (
    select(Task.id)
    .where(Task.assignee_id == bindparam("user_id"), Task.state == "open")
    .order_by(Task.id)
)


def release_held_by(uow: UnitOfWork, actor: Actor, user_id: int, *, note: str) -> int:
    """Give every open task `user_id` holds back to its role's queue, each with a
    `task_released` event by `actor`: an account being disabled leaves no task waiting on
    someone who can no longer log in. Runs in the caller's write transaction; returns how
    many tasks went back."""
    released = 0
    for task_id in uow.session.scalars(_OPEN_HELD_BY, {"user_id": user_id}).all():
        task, dossier = uow.lock_one(_TASK_AND_DOSSIER, "task", task_id, {"task_id": task_id})
        if task.assignee_id != user_id or task.state != "open":
            continue  # completed or handed on while we waited for the lock
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
    _check_may_hand_on(task, actor)
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


def _check_may_hand_on(task: Task, actor: Actor) -> None:
    """A leader of the task's unit reassigns; its holder delegates. Someone of the task's role
    who does not hold it (never claimed it, or lost it to a colleague or a reassignment a
    moment ago) is refused by the task's state, 409, not by their rights: claiming it first
    would let them. Anyone else lacks the right: 403."""
    if task.assignee_id is not None and task.assignee_id == actor.user_id:
        return
    if actor.is_admin or actor.holds("leader", task.unit_id):
        return
    require_role_in(actor, task.role, task.unit_id)
    raise Conflict(
        "only the task's holder or a leader of its unit may hand it on; you do not hold it",
        task_id=task.id,
    )


def _colleague(session: Session, username: str, task: Task) -> User:
    """The user named `username`, who must be active and hold the task's role in its unit."""
    user = session.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None or not user.is_active:
        raise InvalidData(
            f"no active user {username!r}",
            {"assignee": [f"Không có người dùng “{username}” (no such user)."]},
        )
    holds = session.scalar(
        select(UserRole.id).where(
            UserRole.user_id == user.id,
            UserRole.role == task.role,
            UserRole.unit_id == task.unit_id,
        )
    )
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


def complete(uow: UnitOfWork, actor: Actor, task_id: int, data: object) -> list[TaskView]:
    """Validate the form, advance the workflow, and return the tasks it opened.

    The hot path of the platform, two round trips on PostgreSQL: the locking read with the
    dossier's open task rows, then the step's writes with the COMMIT. Rows are read through the
    ORM but the writes (task rows, state, events, the dossier's changed columns) go out as plain
    statements, deferred to the commit's round trip (see engine.store.write_behind).
    """
    uow.begin_write()
    session = uow.session
    open_rows = read_with_next(session, _OPEN_ROWS_BESIDE, {"task_id": task_id})
    row = uow.lock_columns(_STEP_ROW, "task", task_id, {"task_id": task_id})
    task = loaded_rows.attach(session, Task, row[: len(_TASK_COLUMNS)])
    dossier = loaded_rows.attach(session, Dossier, row[len(_TASK_COLUMNS) : -1])
    state = row[-1]
    _check_workable(task, actor)
    require_allowed("complete_task", dossier.status)
    compiled = compiled_for(session, dossier.spec_key, dossier.procedure_version_id)
    cleaned = forms.validate(compiled.forms.get(task.form) if task.form else None, data)
    workflow = serializer.load(state, compiled)
    runtime.complete(workflow, task.spiff_task_id, cleaned)
    now = utcnow()
    changes = task_changes(open_rows.rows(), runtime.ready_steps(workflow, compiled), done=task.id)
    created, created_events = write_task_changes(
        session, dossier, changes, actor_id=actor.user_id, from_unit_id=task.unit_id, now=now
    )
    completed_event = event_values(
        dossier.id,
        "task_completed",
        now,
        actor_id=actor.user_id,
        unit_id=task.unit_id,
        task=task,
        detail={"data": cleaned},
    )
    insert_events(session, [completed_event, *created_events])
    _write_step(session, task, actor.user_id, workflow, now)
    timers.schedule_waiting(session, dossier, workflow, now)
    completed = runtime.is_completed(workflow)
    if completed:
        dossier.finished_at = now  # before the status change, so the row is written once
    change_status(
        session,
        dossier,
        status_after_step(
            dossier.status,
            workflow_completed=completed,
            outcome=runtime.outcome(workflow) if completed else None,
        ),
        actor_id=actor.user_id,
        now=now,
    )
    if completed and dossier.status == "result_returned":
        delivery_from_step(session, dossier, cleaned, actor_id=actor.user_id, now=now)
    defer_row_changes(session, dossier)  # the dossier is locked: no ORM flush needed
    uow.commit()
    unit = cached_unit(session, dossier.competent_unit_id)
    return task_views(session, created, dossiers={dossier.id: dossier}, units={unit.id: unit.ref})


def _write_step(
    session: Session, task: Task, user_id: int, workflow: Workflow, now: datetime
) -> None:
    """The completed task row and the new workflow state (the dossier row is locked). What
    waits goes ahead, so that the server writes those rows while the state is serialized."""
    assignee_id = task.assignee_id or user_id
    defer(
        session,
        _COMPLETE_ROW,
        {"task_id": task.id, "now": now, "user_id": user_id, "assignee_id": assignee_id},
    )
    send_ahead(session)
    state = serializer.dump(workflow)
    defer(session, _SAVE_STATE, {"of_dossier": task.dossier_id, "new_state": state})
