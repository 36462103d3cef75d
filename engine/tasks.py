"""Working a task: claim it, complete it with form data; the workflow then opens the next ones."""

from __future__ import annotations

from sqlalchemy import select

from engine import forms
from engine.actors import Actor
from engine.actors import require_role_in
from engine.bpmn import runtime
from engine.bpmn import serializer
from engine.db import utcnow
from engine.errors import Conflict
from engine.events import event
from engine.models import Dossier
from engine.models import Task
from engine.models import Unit
from engine.models import WorkflowState
from engine.procedures import compiled_for
from engine.queries.task_views import task_views
from engine.status import status_after_step
from engine.status_changes import change_status
from engine.task_rows import sync_tasks
from engine.uow import UnitOfWork
from engine.views import TaskView
from engine.views import UnitRef

_TASK_WITH_DOSSIER = select(Task, Dossier).join(Dossier, Dossier.id == Task.dossier_id)


def _check_workable(task: Task, actor: Actor) -> None:
    require_role_in(actor, task.role, task.unit_id)
    if task.state != "open":
        raise Conflict("this task is already done", task_id=task.id, state=task.state)
    if task.assignee_id is not None and task.assignee_id != actor.user_id:
        raise Conflict("another user holds this task", task_id=task.id)


def claim(uow: UnitOfWork, actor: Actor, task_id: int) -> TaskView:
    """Take a task; claiming one's own task again changes nothing."""
    uow.begin_write()
    task, dossier = uow.lock_one(_TASK_WITH_DOSSIER.where(Task.id == task_id), "task", task_id)
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


def complete(uow: UnitOfWork, actor: Actor, task_id: int, data: object) -> list[TaskView]:
    """Validate the form, advance the workflow, and return the tasks it opened."""
    uow.begin_write()
    session = uow.session
    statement = (
        select(Task, Dossier, WorkflowState, Unit)
        .join(Dossier, Dossier.id == Task.dossier_id)
        .join(WorkflowState, WorkflowState.dossier_id == Dossier.id)
        .join(Unit, Unit.id == Dossier.competent_unit_id)
        .where(Task.id == task_id)
    )
    task, dossier, state, unit = uow.lock_one(statement, "task", task_id)
    _check_workable(task, actor)
    compiled = compiled_for(session, dossier.spec_key, dossier.procedure_version_id)
    cleaned = forms.validate(compiled.forms.get(task.form) if task.form else None, data)
    workflow = serializer.load(state.state, compiled)
    runtime.complete(workflow, task.spiff_task_id, cleaned)
    now = utcnow()
    state.state = serializer.dump(workflow)
    state.steps += 1
    task.state, task.completed_at, task.completed_by = "completed", now, actor.user_id
    task.assignee_id = task.assignee_id or actor.user_id
    session.add(
        event(
            dossier.id,
            "task_completed",
            now,
            actor_id=actor.user_id,
            unit_id=task.unit_id,
            task=task,
            detail={"data": cleaned},
        )
    )
    created = sync_tasks(
        session,
        dossier,
        runtime.ready_steps(workflow, compiled),
        actor_id=actor.user_id,
        from_unit_id=task.unit_id,
        now=now,
    )
    completed = runtime.is_completed(workflow)
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
    if completed:
        dossier.finished_at = now
    uow.commit()
    return task_views(
        session,
        created,
        dossiers={dossier.id: dossier},
        units={unit.id: UnitRef(unit.code, unit.name)},
    )
