"""Rows of the append-only event log, always with every column set so a flush batches them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from engine.models import Event
from engine.models import Task
from engine.write_behind import defer

_INSERT = insert(Event.__table__)


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


def insert_events(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """One executemany (plain Core: the ORM's bulk insert would split rows by their NULLs),
    deferred to the transaction's next round trip: nothing in a command refers to its events."""
    if rows:
        defer(session, _INSERT, list(rows))
