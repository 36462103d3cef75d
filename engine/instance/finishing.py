"""The one place a dossier finishes: its end time and what the leaders' figures read of it."""

from __future__ import annotations

from datetime import datetime

from engine.models import Dossier
from engine.rules.timeliness import finished_record


def finish(dossier: Dossier, now: datetime) -> None:
    """Set finished_at with the dossier's timeliness and office hours from receipt to `now`
    (every ending path calls this: a workflow's end, an ending command, a result handed over)."""
    dossier.finished_at = now
    dossier.timeliness, dossier.working_hours = finished_record(
        received_at=dossier.received_at,
        due_at=dossier.original_due_at or dossier.due_at,
        finished_at=now,
    )
