"""Dossiers in progress that wait on nothing: no open task, no waiting timer, no awaited event.
Read from the plain tables alone (the step sequence keeps them in step with the workflows)."""

from __future__ import annotations

from sqlalchemy import exists
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import AwaitedEvent
from engine.models import Dossier
from engine.models import Task
from engine.models import Timer

IN_PROGRESS = ("received", "processing")
"""The statuses in which the workflow must be moving (a paused clock waits on staff)."""


def stalled_dossiers(session: Session, *, limit: int, dossier_id: int | None = None) -> list[int]:
    """Ids of dossiers in progress waiting on nothing, oldest first (only `dossier_id`'s, if
    given)."""
    query = select(Dossier.id).where(
        Dossier.status.in_(IN_PROGRESS),
        Dossier.finished_at.is_(None),
        ~exists().where(Task.dossier_id == Dossier.id, Task.state == "open"),
        ~exists().where(Timer.dossier_id == Dossier.id, Timer.state == "waiting"),
        ~exists().where(AwaitedEvent.dossier_id == Dossier.id),
    )
    if dossier_id is not None:
        query = query.where(Dossier.id == dossier_id)
    return list(session.scalars(query.order_by(Dossier.id).limit(limit)))
