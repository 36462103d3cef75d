"""What dossiers wait for, from the plain rows kept in step with their workflows: the awaited
messages, signals and conditions, and the waiting timers."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import AwaitedEvent
from engine.models import Timer
from engine.views import WaitView


def waiting_for(session: Session, dossier_ids: Sequence[int]) -> dict[int, list[WaitView]]:
    """Per dossier, what it waits on: events first (in the order they began), then timers by
    due time; one query each."""
    if not dossier_ids:
        return {}
    waits: dict[int, list[WaitView]] = {}
    awaited = AwaitedEvent.__table__.c
    for dossier_id, kind, name, element_id in session.execute(
        select(awaited.dossier_id, awaited.kind, awaited.name, awaited.element_id)
        .where(awaited.dossier_id.in_(dossier_ids))
        .order_by(awaited.id)
    ):
        waits.setdefault(dossier_id, []).append(WaitView(kind, name, element_id))
    for dossier_id, name, element_id, due_at in session.execute(
        select(Timer.dossier_id, Timer.name, Timer.element_id, Timer.due_at)
        .where(Timer.dossier_id.in_(dossier_ids), Timer.state == "waiting")
        .order_by(Timer.due_at, Timer.id)
    ):
        waits.setdefault(dossier_id, []).append(WaitView("timer", name, element_id, due_at))
    return waits
