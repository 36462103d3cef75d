"""The one rule for a paused clock (supplement, financial obligation): the working days waited
push the dossier's due times back."""

from __future__ import annotations

from datetime import datetime

from engine.models import Dossier
from engine.rules import calendar


def resume(dossier: Dossier, paused_since: datetime, now: datetime) -> int:
    """Count the working days waited since `paused_since`, move the due times, return the count."""
    paused = calendar.working_days_between(paused_since, now) if now > paused_since else 0
    dossier.paused_days = (dossier.paused_days or 0) + paused
    if paused:
        if dossier.due_at is not None:
            dossier.due_at = calendar.extend(dossier.due_at, paused)
        if dossier.original_due_at is not None:
            dossier.original_due_at = calendar.extend(dossier.original_due_at, paused)
    return paused
