"""Webhook subscriptions and their delivery log, as administrators list them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.access.actors import require_role_anywhere
from engine.errors import NotFound
from engine.models import User
from engine.models import WebhookDelivery
from engine.models import WebhookSubscription
from engine.views import Page


@dataclass(frozen=True)
class SubscriptionView:
    id: int
    url: str
    description: str
    active: bool
    created_at: datetime
    created_by: str | None
    secret: str | None = None
    """Shown once, in the answer to the creation; never listed."""


@dataclass(frozen=True)
class DeliveryView:
    id: int
    event: str
    dossier_id: int | None
    payload: dict[str, Any]
    status: str
    attempts: int
    last_response_code: int | None
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None


def list_subscriptions(session: Session, actor: Actor) -> list[SubscriptionView]:
    require_role_anywhere(actor, "admin")
    rows = session.execute(
        select(WebhookSubscription, User.username)
        .outerjoin(User, User.id == WebhookSubscription.created_by)
        .order_by(WebhookSubscription.id)
    ).all()
    return [subscription_view(row, username) for row, username in rows]


def list_deliveries(
    session: Session, actor: Actor, subscription_id: int, *, offset: int, limit: int
) -> Page[DeliveryView]:
    """The delivery log of one subscription, newest first."""
    require_role_anywhere(actor, "admin")
    subscription_row(session, subscription_id)
    where = WebhookDelivery.subscription_id == subscription_id
    total = session.scalar(select(func.count()).where(where)) or 0
    rows = session.scalars(
        select(WebhookDelivery)
        .where(where)
        .order_by(WebhookDelivery.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return Page([_delivery_view(row) for row in rows], total)


def subscription_row(
    session: Session, subscription_id: int, *, lock: bool = False
) -> WebhookSubscription:
    """The subscription or NotFound; `lock` for the command that changes it."""
    query = select(WebhookSubscription).where(WebhookSubscription.id == subscription_id)
    row = session.scalars(query.with_for_update(key_share=True) if lock else query).one_or_none()
    if row is None:
        raise NotFound(
            f"webhook subscription {subscription_id} not found",
            what="webhook subscription",
            id=subscription_id,
        )
    return row


def subscription_view(
    row: WebhookSubscription, username: str | None, *, with_secret: bool = False
) -> SubscriptionView:
    return SubscriptionView(
        id=row.id,
        url=row.url,
        description=row.description,
        active=row.active,
        created_at=row.created_at,
        created_by=username,
        secret=row.secret if with_secret else None,
    )


def _delivery_view(row: WebhookDelivery) -> DeliveryView:
    return DeliveryView(
        id=row.id,
        event=row.event,
        dossier_id=row.dossier_id,
        payload=row.payload,
        status=row.status,
        attempts=row.attempts,
        last_response_code=row.last_response_code,
        last_error=row.last_error,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at if row.status == "pending" else None,
        delivered_at=row.delivered_at,
    )
