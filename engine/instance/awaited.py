"""The messages, signals and conditions a dossier's workflow waits on, as rows kept in step after
every move (as engine.instance.timers keeps its timers): a message from outside finds the
dossiers it is for, and a dossier shows what it waits for, from plain tables."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn import runtime
from engine.bpmn.runtime import Workflow
from engine.models import AwaitedEvent
from engine.store.db import utcnow

_ROWS = AwaitedEvent.__table__
_CURRENT = select(
    _ROWS.c.id,
    _ROWS.c.spiff_task_id,
    _ROWS.c.element_id,
    _ROWS.c.kind,
    _ROWS.c.name,
    _ROWS.c.correlation_key,
)

Waits = list[runtime.AwaitedEvent]
NAME_LENGTH = 300
"""The column's size, as a message's name in the API is at most."""


def correlation_key(values: Mapping[str, Any] | None) -> str | None:
    """Correlation values as one short comparable text (the digest of their JSON, keys sorted),
    so matching is an index lookup whatever their size; None for no values."""
    if not values:
        return None
    text = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def awaited_now(workflow: Workflow) -> Waits | None:
    """What the workflow waits on, or None when its diagram catches no message, signal or
    condition at all (most do not: their dossiers need no rows)."""
    if not runtime.uses_events(workflow):
        return None
    return runtime.awaited_events(workflow)


def keep_in_step(session: Session, dossier_id: int, workflow: Workflow) -> None:
    """Make the dossier's rows match what its workflow waits on; after every move."""
    write_awaited(session, dossier_id, awaited_now(workflow))


def write_awaited(session: Session, dossier_id: int, waits: Waits | None) -> None:
    """Add the new waits, remove those that ended; rows that still hold stay as they are.
    `waits` None: the diagram has none, nothing to read or write."""
    if waits is None:
        return
    wanted = {_identity(wait): wait for wait in waits}
    stale = []
    for row in session.execute(_CURRENT.where(_ROWS.c.dossier_id == dossier_id)):
        if wanted.pop(tuple(row[1:]), None) is None:
            stale.append(row.id)
    if stale:
        session.execute(delete(_ROWS).where(_ROWS.c.id.in_(stale)))
    if wanted:
        now = utcnow()
        session.execute(
            insert(_ROWS),
            [
                {
                    "dossier_id": dossier_id,
                    "spiff_task_id": wait.spiff_task_id,
                    "element_id": wait.element_id,
                    "kind": wait.kind,
                    "name": wait.name[:NAME_LENGTH],
                    "correlation_key": correlation_key(wait.correlation),
                    "created_at": now,
                }
                for wait in wanted.values()
            ],
        )


def _identity(wait: runtime.AwaitedEvent) -> tuple[Any, ...]:
    return (
        wait.spiff_task_id,
        wait.element_id,
        wait.kind,
        wait.name[:NAME_LENGTH],
        correlation_key(wait.correlation),
    )
