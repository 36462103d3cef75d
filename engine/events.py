"""Rows of the append-only event log, always with every column set so a flush batches them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.models import Event
from engine.models import Task


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
    return Event(
        dossier_id=dossier_id,
        kind=kind,
        at=at,
        actor_id=actor_id,
        unit_id=unit_id,
        to_unit_id=to_unit_id,
        task=task,
        element_id=task.element_id if task else None,
        step_name=task.name if task else None,
        detail=detail or {},
    )
