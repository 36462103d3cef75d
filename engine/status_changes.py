"""The one place a dossier's status changes: the event row, and everything that follows from it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.events import event
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
    session.add(
        event(
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
    )
    dossier.status = status
