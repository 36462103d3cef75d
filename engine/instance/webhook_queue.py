"""A delivery row per active webhook subscriber, written in the transaction of each status change
(the dispatcher in engine.background.webhooks sends them after the commit)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Dossier
from engine.models import WebhookDelivery
from engine.models import WebhookSubscription
from engine.rules.calendar import LOCAL_TZ
from engine.rules.status import STATUSES
from engine.store.table_cache import TableCache
from engine.store.write_behind import defer

EVENT = "dossier.status_changed"
SUBSCRIBERS_TTL_SECONDS = 5.0
"""A subscription made through another process starts receiving changes within this time."""

_INSERT_DELIVERIES = insert(WebhookDelivery.__table__)


def _active_ids(session: Session) -> tuple[int, ...]:
    with session.no_autoflush:  # a command's pending rows go out once, at its commit
        return tuple(
            session.scalars(
                select(WebhookSubscription.id).where(WebhookSubscription.active.is_(True))
            )
        )


ACTIVE_SUBSCRIBERS = TableCache(_active_ids, SUBSCRIBERS_TTL_SECONDS)
"""Most status changes have no subscriber: checking costs no statement."""


def status_changed(
    session: Session, dossier: Dossier, *, previous: str | None, now: datetime
) -> None:
    """Queue the change for every active subscriber, in the caller's transaction."""
    subscribers = ACTIVE_SUBSCRIBERS.get(session)
    if not subscribers:
        return
    status = STATUSES[dossier.status]
    payload = {
        "event": EVENT,
        "dossier_id": dossier.id,
        "code": dossier.code,
        "status": status.slug,
        "status_code": status.code,
        "previous_status": previous,
        "previous_status_code": STATUSES[previous].code if previous in STATUSES else None,
        "at": now.astimezone(LOCAL_TZ).isoformat(),
    }
    deliveries = [
        {
            "subscription_id": subscription_id,
            "dossier_id": dossier.id,
            "event": EVENT,
            "payload": payload,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for subscription_id in subscribers
    ]
    defer(session, _INSERT_DELIVERIES, deliveries)
