"""Rows of the append-only event log, always with every column set so a flush batches them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Event
from engine.models import Task
from engine.store.write_behind import defer

_INSERT = insert(Event.__table__)
INSERT_FINDING_TASK = insert(Event.__table__).values(
    task_id=select(Task.id)
    .where(
        Task.dossier_id == bindparam("task_dossier"),
        Task.spiff_task_id == bindparam("task_spiff"),
        Task.state == "open",
    )
    .order_by(Task.id.desc())
    .limit(1)
    .scalar_subquery()
)
"""Inserts events about task rows whose ids the command does not know yet (their INSERT went
out in the same round trip, or in the same executemany batch): the row is found by its
dossier and spiff task id. `task_dossier` and `task_spiff` NULL: an event about no task."""


def event(
    dossier_id: int,
    kind: str,
    at: datetime,
    *,
    actor_id: int | None,
    unit_id: int | None,
    to_unit_id: int | None = None,
    task: Task | None = None,
    detail: dict[str, Any] | None = None,
) -> Event:
    """The `event_values` row as an ORM object, for commands that add it to their session."""
    return Event(
        **event_values(
            dossier_id,
            kind,
            at,
            actor_id=actor_id,
            unit_id=unit_id,
            to_unit_id=to_unit_id,
            task=task,
            detail=detail,
        )
    )


def event_values(
    dossier_id: int,
    kind: str,
    at: datetime,
    *,
    actor_id: int | None,
    unit_id: int | None,
    task: Task | None = None,
    to_unit_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One row of the event log, about a task already written (if any), as values for
    `insert_events`."""
    return {
        "dossier_id": dossier_id,
        "kind": kind,
        "at": at,
        "actor_id": actor_id,
        "unit_id": unit_id,
        "to_unit_id": to_unit_id,
        "task_id": task.id if task else None,
        "element_id": task.element_id if task else None,
        "step_name": task.name if task else None,
        "detail": detail or {},
    }


def new_task_event_values(
    dossier_id: int,
    kind: str,
    at: datetime,
    *,
    actor_id: int | None,
    unit_id: int | None,
    task: Task,
    to_unit_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """`event_values` about a task row written in this transaction whose id is not known yet;
    `insert_events` has the row found by INSERT_FINDING_TASK."""
    values = event_values(
        dossier_id,
        kind,
        at,
        actor_id=actor_id,
        unit_id=unit_id,
        task=task,
        to_unit_id=to_unit_id,
        detail=detail,
    )
    del values["task_id"]
    return {**values, "task_dossier": task.dossier_id, "task_spiff": task.spiff_task_id}


def insert_events(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Executemany (plain Core: the ORM's bulk insert would split rows by their NULLs),
    deferred to the transaction's next round trip: nothing in a command refers to its events.
    Rows about known tasks go first, then those from `new_task_event_values`."""
    known = [row for row in rows if "task_spiff" not in row]
    finding = [row for row in rows if "task_spiff" in row]
    if known:
        defer(session, _INSERT, known)
    if finding:
        defer(session, INSERT_FINDING_TASK, finding)
