"""The one place a dossier's status changes: the event row, and everything that follows from it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.instance import notices
from engine.instance import webhook_queue
from engine.instance.events import event_values
from engine.instance.events import insert_events
from engine.models import Dossier


def change_status(
    session: Session,
    dossier: Dossier,
    status: str,
    *,
    actor_id: int | None,
    now: datetime,
    reason: str | None = None,
    **detail: Any,
) -> None:
    """Move the dossier to `status` and record who, when and why; no-op when unchanged."""
    if status == dossier.status:
        return
    status_event = event_values(
        dossier.id,
        "status_changed",
        now,
        actor_id=actor_id,
        unit_id=dossier.competent_unit_id,
        detail={
            "from": dossier.status,
            "to": status,
            **({"reason": reason} if reason else {}),
            **detail,
        },
    )
    insert_events(session, [status_event])
    previous, dossier.status = dossier.status, status
    announce(session, dossier, previous=previous, now=now, reason=reason)


def announce(
    session: Session,
    dossier: Dossier,
    *,
    previous: str | None,
    now: datetime,
    reason: str | None = None,
) -> None:
    """Tell the applicant and every webhook subscriber the dossier's status, in the transaction
    of the change; a new dossier calls it once for its first status, which no change precedes."""
    notices.status_changed(session, dossier, now=now, reason=reason)
    webhook_queue.status_changed(session, dossier, previous=previous, now=now)
