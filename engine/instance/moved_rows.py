"""The rows a version move rewrites (engine.work.versions): the saved state, the open task
rows as the target draws them, the dossier's own columns; written with the commit's round trip
(the dossier is locked by the move's caller), as the step sequence writes its own."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Dossier
from engine.models import Task
from engine.models import WorkflowState
from engine.store.uow import for_update
from engine.store.write_behind import defer
from engine.store.write_behind import defer_row_changes

_TASKS = Task.__table__
_OPEN_ROWS = select(
    _TASKS.c.id,
    _TASKS.c.element_id,
    _TASKS.c.name,
    _TASKS.c.role,
    _TASKS.c.form,
    _TASKS.c.assignee_id,
    _TASKS.c.due_at,
    _TASKS.c.created_at,
).where(_TASKS.c.dossier_id == bindparam("of_dossier"), _TASKS.c.state == "open")
_RENAME_TASK = (
    _TASKS.update()
    .where(_TASKS.c.id == bindparam("task_id"))
    .values(
        element_id=bindparam("element_id"),
        name=bindparam("name"),
        role=bindparam("role"),
        form=bindparam("form"),
        assignee_id=bindparam("assignee_id"),
        due_at=bindparam("due_at"),
    )
)
_STATES = WorkflowState.__table__
_STATE = for_update(select(_STATES.c.state).where(_STATES.c.dossier_id == bindparam("of_dossier")))
_SAVE_STATE = (
    _STATES.update()
    .where(_STATES.c.dossier_id == bindparam("of_dossier"))
    .values(state=bindparam("new_state"))
)


def saved_state(session: Session, dossier_id: int) -> str:
    """The instance's saved state, locked (after its dossier)."""
    return str(session.execute(_STATE, {"of_dossier": dossier_id}).scalar_one())


def open_task_rows(session: Session, dossier_id: int) -> list[Any]:
    return list(session.execute(_OPEN_ROWS, {"of_dossier": dossier_id}).all())


def save_moved(session: Session, dossier: Dossier, state: str) -> None:
    """The rebound state and the dossier's changed columns (its version), with the commit."""
    defer(session, _SAVE_STATE, {"of_dossier": dossier.id, "new_state": state})
    defer_row_changes(session, dossier)


def rename_task(session: Session, task_id: int, values: dict[str, Any]) -> None:
    defer(session, _RENAME_TASK, {**values, "task_id": task_id})
