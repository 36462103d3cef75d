"""Keeps the `task` read table and the event log in step with the workflow after each command."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import insert
from sqlalchemy import update
from sqlalchemy.orm import Session

from engine.access.assignment import step_place
from engine.bpmn.compiler import CompiledProcedure
from engine.bpmn.compiler import HumanStep
from engine.bpmn.runtime import ReadyStep
from engine.instance.events import new_task_event_values
from engine.models import Dossier
from engine.models import Task
from engine.rules import calendar
from engine.store.write_behind import defer

_TASKS = Task.__table__
_INSERT_TASKS = insert(_TASKS).returning(_TASKS.c.spiff_task_id, _TASKS.c.id)
CANCEL_ROW = (
    update(_TASKS)
    .where(_TASKS.c.id == bindparam("task_id"))
    .values(state="cancelled", completed_at=bindparam("now"))
)
"""Cancels the open row `task_id` (its step is no longer ready): every writer of task rows."""


@dataclass(frozen=True)
class TaskChanges:
    cancelled: list[int]
    """Ids of open rows whose step is no longer ready."""
    opened: list[ReadyStep]
    """Ready steps that have no row yet."""


def task_changes(
    open_rows: Iterable[tuple[int, str]], ready: list[ReadyStep], *, done: int | None = None
) -> TaskChanges:
    """Compare the rows open in the database (id, spiff task id) with the steps the workflow has
    ready; `done` is the row this command just completed, open in the database until it writes."""
    rows = list(open_rows)
    ready_ids = {item.spiff_task_id for item in ready}
    known = {spiff_task_id for _, spiff_task_id in rows}
    return TaskChanges(
        cancelled=[i for i, spiff_task_id in rows if spiff_task_id not in ready_ids and i != done],
        opened=[item for item in ready if item.spiff_task_id not in known],
    )


def write_task_changes(
    session: Session,
    dossier: Dossier,
    changes: TaskChanges,
    *,
    actor_id: int | None,
    from_unit_id: int | None,
    now: datetime,
) -> tuple[list[Task], list[dict[str, Any]]]:
    """Open a row for each newly ready step and cancel the rows whose step is no longer ready,
    both deferred (see engine.store.write_behind); the new rows (detached) and their `task_created`
    event values, for the caller to insert with its other events. The new rows' ids are set
    once the INSERT … RETURNING is back: read them after the commit."""
    if changes.cancelled:
        defer(session, CANCEL_ROW, [{"task_id": i, "now": now} for i in changes.cancelled])
    if not changes.opened:
        return [], []
    values = [
        new_row_values(dossier.id, dossier.competent_unit_id, item, now) for item in changes.opened
    ]
    created = [Task(**row) for row in values]

    def set_ids(rows: list[tuple[Any, ...]]) -> None:
        ids = dict(rows)
        for task in created:
            task.id = ids[task.spiff_task_id]

    defer(session, _INSERT_TASKS, values, on_rows=set_ids)
    events = [
        new_task_event_values(
            dossier.id, "task_created", now, **_created(row, actor_id, from_unit_id)
        )
        for row in created
    ]
    return created, events


def _created(row: Task, actor_id: int | None, from_unit_id: int | None) -> dict[str, Any]:
    """What a `task_created` event says: who opened the task from where, for which role where."""
    return {
        "actor_id": actor_id,
        "unit_id": from_unit_id,
        "to_unit_id": row.unit_id,
        "task": row,
        "detail": {"role": row.role},
    }


def new_row_values(
    dossier_id: int, competent_unit_id: int, item: ReadyStep, now: datetime
) -> dict[str, Any]:
    """The columns of the open task row for a newly ready step: every writer of task rows (a
    command's step, the timer sweep's batch) opens them with these, where the assignment rule
    (engine.access.assignment) places them."""
    role, unit_id = step_place(item.step.role, competent_unit_id)
    return {
        "dossier_id": dossier_id,
        "spiff_task_id": item.spiff_task_id,
        "element_id": item.step.element_id,
        "name": item.step.name,
        "role": role,
        "unit_id": unit_id,
        "form": item.step.form,
        "due_at": step_due_at(item.step, now),
        "created_at": now,
        "state": "open",
        "item": item.item,
    }


def step_due_at(step: HumanStep, opened_at: datetime) -> datetime | None:
    """When the step's own limit (BPMN `time_limit` property) runs out, counted from opening."""
    if step.time_limit is None:
        return None
    return calendar.limit_due_at(opened_at, step.time_limit.amount, step.time_limit.unit)


def form_schema(compiled: CompiledProcedure, form_name: str | None) -> dict[str, object] | None:
    return None if form_name is None else compiled.form_schemas.get(form_name)
