"""The notices sent to a dossier's applicant, read from the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.access.visibility import require_visible
from engine.errors import NotFound
from engine.models import Dossier
from engine.models import Notification


@dataclass(frozen=True)
class NoticeView:
    id: int
    kind: str
    channel: str
    recipient: str
    subject: str
    body: str
    status: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None


def dossier_notices(session: Session, actor: Actor, dossier_id: int) -> list[NoticeView]:
    """Every notice to the applicant (not those to civil servants), oldest first."""
    dossier = session.get(Dossier, dossier_id)
    if dossier is None:
        raise NotFound(f"dossier {dossier_id} not found", what="dossier", id=dossier_id)
    require_visible(session, actor, dossier)
    rows = session.scalars(
        select(Notification)
        .where(Notification.dossier_id == dossier_id, Notification.user_id.is_(None))
        .order_by(Notification.id)
    ).all()
    return [
        NoticeView(
            id=row.id,
            kind=row.kind,
            channel=row.channel,
            recipient=row.recipient,
            subject=row.subject,
            body=row.body,
            status=row.status,
            attempts=row.attempts,
            created_at=row.created_at,
            sent_at=row.sent_at,
            last_error=row.last_error,
        )
        for row in rows
    ]
