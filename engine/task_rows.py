"""Keeps the `task` read table and the event log in step with the workflow after each command."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import calendar
from engine.bpmn.compiler import CompiledProcedure
from engine.bpmn.compiler import HumanStep
from engine.bpmn.runtime import ReadyStep
from engine.events import event
from engine.models import Dossier
from engine.models import Task


def sync_tasks(
    session: Session,
    dossier: Dossier,
    ready: list[ReadyStep],
    *,
    actor_id: int | None,
    from_unit_id: int | None,
    now: datetime,
) -> list[Task]:
    """Open a row for each newly ready step; cancel rows whose step is no longer ready."""
    with session.no_autoflush:  # the step's own writes go out with the new rows, in one flush
        open_rows = session.scalars(
            select(Task).where(Task.dossier_id == dossier.id, Task.state == "open")
        ).all()
    ready_ids = {item.spiff_task_id for item in ready}
    for row in open_rows:
        # the completed step is still "open" in the database (no autoflush), not in memory
        if row.state == "open" and row.spiff_task_id not in ready_ids:
            row.state = "cancelled"
            row.completed_at = now
    known = {row.spiff_task_id for row in open_rows}
    created = []
    for item in ready:
        if item.spiff_task_id in known:
            continue
        row = Task(
            dossier_id=dossier.id,
            spiff_task_id=item.spiff_task_id,
            element_id=item.step.element_id,
            name=item.step.name,
            role=item.step.role,
            unit_id=dossier.competent_unit_id,
            form=item.step.form,
            due_at=step_due_at(item.step, now),
            created_at=now,
        )
        session.add(row)
        created.append(row)
    session.add_all(
        event(
            dossier.id,
            "task_created",
            now,
            actor_id=actor_id,
            unit_id=from_unit_id,
            to_unit_id=row.unit_id,
            task=row,
            detail={"role": row.role},
        )
        for row in created
    )
    return created


def step_due_at(step: HumanStep, opened_at: datetime) -> datetime | None:
    """When the step's own limit (BPMN `time_limit` property) runs out, counted from opening."""
    if step.time_limit is None:
        return None
    return calendar.limit_due_at(opened_at, step.time_limit.amount, step.time_limit.unit)


def form_schema(compiled: CompiledProcedure, form_name: str | None) -> dict[str, object] | None:
    return None if form_name is None else compiled.form_schemas.get(form_name)
