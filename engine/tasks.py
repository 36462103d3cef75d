"""Working a task: claim it, complete it with form data; the workflow then opens the next ones."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine import forms
from engine.actors import Actor
from engine.actors import require_role_in
from engine.bpmn import runtime
from engine.bpmn import serializer
from engine.db import utcnow
from engine.errors import Conflict
from engine.errors import NotFound
from engine.models import Dossier
from engine.models import Event
from engine.models import ProcedureVersion
from engine.models import Task
from engine.models import WorkflowState
from engine.procedures import compiled_for
from engine.queries.task_views import task_views
from engine.status import status_after_step
from engine.task_rows import sync_tasks
from engine.uow import UnitOfWork
from engine.views import TaskView


def _locked_task(uow: UnitOfWork, task_id: int) -> tuple[Task, Dossier]:
    """Lock the task's dossier first, then read the task, so its state is the latest committed."""
    dossier_id = uow.session.scalar(select(Task.dossier_id).where(Task.id == task_id))
    if dossier_id is None:
        raise NotFound(f"task {task_id} not found", what="task", id=task_id)
    dossier = uow.lock(Dossier, dossier_id, "dossier")
    task = uow.session.get_one(Task, task_id, populate_existing=True)
    return task, dossier


def _check_workable(task: Task, actor: Actor) -> None:
    require_role_in(actor, task.role, task.unit_id)
    if task.state != "open":
        raise Conflict("this task is already done", task_id=task.id, state=task.state)
    if task.assignee_id is not None and task.assignee_id != actor.user_id:
        raise Conflict("another user holds this task", task_id=task.id)


def claim(uow: UnitOfWork, actor: Actor, task_id: int) -> TaskView:
    """Take a task; claiming one's own task again changes nothing."""
    uow.begin_write()
    task, dossier = _locked_task(uow, task_id)
    _check_workable(task, actor)
    if task.assignee_id is None:
        task.assignee_id = actor.user_id
        uow.session.add(
            Event(
                dossier_id=dossier.id,
                kind="task_claimed",
                actor_id=actor.user_id,
                unit_id=task.unit_id,
                task_id=task.id,
                element_id=task.element_id,
                step_name=task.name,
                detail={},
            )
        )
        uow.commit()
    return task_views(uow.session, [task])[0]


def complete(uow: UnitOfWork, actor: Actor, task_id: int, data: Any) -> list[TaskView]:
    """Validate the form, advance the workflow, and return the tasks it opened."""
    uow.begin_write()
    session = uow.session
    task, dossier = _locked_task(uow, task_id)
    _check_workable(task, actor)
    version = session.get_one(ProcedureVersion, dossier.procedure_version_id)
    compiled = compiled_for(version)
    cleaned = forms.validate(compiled.forms.get(task.form) if task.form else None, data)
    state = session.get_one(WorkflowState, dossier.id)
    workflow = serializer.load(state.state, compiled)
    runtime.complete(workflow, task.spiff_task_id, cleaned)
    now = utcnow()
    state.state = serializer.dump(workflow)
    state.steps += 1
    task.state, task.completed_at, task.completed_by = "completed", now, actor.user_id
    task.assignee_id = task.assignee_id or actor.user_id
    session.add(
        Event(
            dossier_id=dossier.id,
            kind="task_completed",
            at=now,
            actor_id=actor.user_id,
            unit_id=task.unit_id,
            task_id=task.id,
            element_id=task.element_id,
            step_name=task.name,
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
    _update_dossier(dossier, workflow, now, session, actor)
    uow.commit()
    return task_views(session, created)


def _update_dossier(dossier: Dossier, workflow: Any, now: Any, session: Any, actor: Actor) -> None:
    completed = runtime.is_completed(workflow)
    new_status = status_after_step(
        dossier.status,
        workflow_completed=completed,
        outcome=runtime.outcome(workflow) if completed else None,
    )
    if new_status != dossier.status:
        session.add(
            Event(
                dossier_id=dossier.id,
                kind="status_changed",
                at=now,
                actor_id=actor.user_id,
                unit_id=dossier.competent_unit_id,
                detail={"from": dossier.status, "to": new_status},
            )
        )
        dossier.status = new_status
    if completed:
        dossier.finished_at = now
