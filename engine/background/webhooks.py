"""Interconnection: outside systems (the provincial portal, a sector's software) subscribe to
dossier status changes and receive each as a signed JSON POST, retried with backoff until a 2xx.

A delivery row per subscriber is written in the transaction of the status change; the dispatcher
claims due rows (`FOR UPDATE SKIP LOCKED`), posts with no transaction open, and records the result.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy import update

from engine.access.actors import Actor
from engine.access.actors import require_role_anywhere
from engine.background.senders import SendFailed
from engine.background.senders import webhook as http_post
from engine.errors import InvalidData
from engine.instance.webhook_queue import ACTIVE_SUBSCRIBERS
from engine.models import WebhookDelivery
from engine.models import WebhookSubscription
from engine.queries.webhooks import SubscriptionView
from engine.queries.webhooks import subscription_row
from engine.queries.webhooks import subscription_view
from engine.rules.backoff import retry_at
from engine.store.uow import UnitOfWork

DEFAULT_MAX_ATTEMPTS = 10
DEFAULT_TIMEOUT_SECONDS = 5.0
LEASE = timedelta(minutes=5)
MIN_SECRET_LENGTH = 16
PARALLEL_POSTS = 8


def create_subscription(
    uow: UnitOfWork, actor: Actor, *, url: str, secret: str | None = None, description: str = ""
) -> SubscriptionView:
    """Subscribe a URL to every status change; the secret signs each body (generated if absent)."""
    require_role_anywhere(actor, "admin")
    url = _checked_url(url)
    if secret is not None and len(secret) < MIN_SECRET_LENGTH:
        raise InvalidData(
            "the secret is too short",
            {"secret": [f"Khóa bí mật cần ít nhất {MIN_SECRET_LENGTH} ký tự."]},
        )
    uow.begin_write()
    row = WebhookSubscription(
        url=url,
        secret=secret or secrets.token_hex(32),
        description=description.strip(),
        active=True,
        created_by=actor.user_id,
    )
    uow.session.add(row)
    uow.commit()
    ACTIVE_SUBSCRIBERS.forget(uow.session)
    return subscription_view(row, actor.username, with_secret=True)


def _checked_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in http_post.SCHEMES or not parts.hostname or len(url) > 500:
        raise InvalidData(
            "the URL must be http or https",
            {"url": ["Địa chỉ nhận phải là URL http:// hoặc https:// (tối đa 500 ký tự)."]},
        )
    return url


def remove_subscription(uow: UnitOfWork, actor: Actor, subscription_id: int) -> None:
    """Stop sending: the subscription turns inactive (its delivery log stays), pending deliveries
    are cancelled."""
    require_role_anywhere(actor, "admin")
    uow.begin_write()
    row = subscription_row(uow.session, subscription_id, lock=True)
    row.active = False
    uow.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == row.id, WebhookDelivery.status == "pending")
        .values(status="cancelled")
    )
    uow.commit()
    ACTIVE_SUBSCRIBERS.forget(uow.session)


def body_of(payload: dict[str, Any]) -> bytes:
    """The exact bytes posted and signed: compact, keys sorted, UTF-8."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class _Claimed:
    id: int
    url: str
    secret: str
    event: str
    body: bytes


@dataclass(frozen=True)
class DeliveryReport:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0


def dispatch(
    new_uow: Callable[[], UnitOfWork],
    *,
    now: datetime,
    limit: int = 50,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> DeliveryReport:
    """Post what is due, a few subscribers at a time, then record each answer."""
    with new_uow() as uow:
        claimed = _claim(uow, now=now, limit=limit)
    if not claimed:
        return DeliveryReport()

    def post(item: _Claimed) -> tuple[int | None, str | None]:
        try:
            code = http_post.post(
                item.url,
                item.body,
                secret=item.secret,
                delivery_id=item.id,
                event=item.event,
                timeout=timeout,
            )
        except SendFailed as failure:
            return None, str(failure)
        return code, None if 200 <= code < 300 else f"HTTP {code}"

    with ThreadPoolExecutor(min(PARALLEL_POSTS, len(claimed))) as pool:
        answers = dict(zip((c.id for c in claimed), pool.map(post, claimed), strict=True))
    with new_uow() as uow:
        return _record(uow, answers, now=now, max_attempts=max_attempts)


def _claim(uow: UnitOfWork, *, now: datetime, limit: int) -> list[_Claimed]:
    uow.begin_write()
    rows = uow.session.execute(
        select(WebhookDelivery, WebhookSubscription.url, WebhookSubscription.secret)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= now,
            WebhookSubscription.active.is_(True),
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
        .with_for_update(key_share=True, skip_locked=True, of=WebhookDelivery)
    ).all()
    for delivery, _url, _secret in rows:
        delivery.attempts += 1
        delivery.next_attempt_at = now + LEASE
    uow.commit()
    return [
        _Claimed(delivery.id, url, secret, delivery.event, body_of(delivery.payload))
        for delivery, url, secret in rows
    ]


def _record(
    uow: UnitOfWork,
    answers: dict[int, tuple[int | None, str | None]],
    *,
    now: datetime,
    max_attempts: int,
) -> DeliveryReport:
    uow.begin_write()
    rows = uow.session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.id.in_(answers))
        .with_for_update(key_share=True)
    ).all()
    delivered = retrying = failed = 0
    for row in rows:
        code, error = answers[row.id]
        row.last_response_code, row.last_error = code, error
        if error is None:
            row.status, row.delivered_at = "delivered", now
            delivered += 1
        elif row.attempts >= max_attempts:
            row.status = "failed"
            failed += 1
        else:
            row.next_attempt_at = retry_at(now, row.attempts)
            retrying += 1
    uow.commit()
    return DeliveryReport(delivered=delivered, retrying=retrying, failed=failed)
