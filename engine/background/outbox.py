"""The notification outbox: rows written in the transaction of the change that causes them, sent
after it commits by the dispatcher, retried with backoff; a message is never lost to a rollback
and never sent for a change that was rolled back."""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from sqlalchemy import select

from engine.background.senders import Message
from engine.background.senders import Sender
from engine.background.senders import SendFailed
from engine.models import Notification
from engine.rules.backoff import retry_at
from engine.store.uow import UnitOfWork

LEASE = timedelta(minutes=5)
"""A claimed message is due again after this long if its sender never reported back (crash)."""
DEFAULT_MAX_ATTEMPTS = 8

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DispatchReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def dispatch(
    new_uow: Callable[[], UnitOfWork],
    senders: Mapping[str, Sender],
    *,
    now: datetime,
    limit: int = 100,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> DispatchReport:
    """Send what is due: claim (short transaction), send with no transaction open, record."""
    with new_uow() as uow:
        messages = _claim(uow, now=now, limit=limit)
    if not messages:
        return DispatchReport()
    results = {message.id: _send(senders, message) for message in messages}
    with new_uow() as uow:
        return _record(uow, results, now=now, max_attempts=max_attempts)


def _claim(uow: UnitOfWork, *, now: datetime, limit: int) -> list[Message]:
    uow.begin_write()
    rows = uow.session.scalars(
        select(Notification)
        .where(Notification.status == "pending", Notification.next_attempt_at <= now)
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
        .with_for_update(key_share=True, skip_locked=True)
    ).all()
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + LEASE
    uow.commit()
    return [Message(r.id, r.channel, r.recipient, r.subject, r.body) for r in rows]


def _send(senders: Mapping[str, Sender], message: Message) -> SendFailed | None:
    sender = senders.get(message.channel)
    if sender is None:
        return SendFailed(f"no sender for channel {message.channel!r}", permanent=True)
    try:
        sender.send(message)
    except SendFailed as failure:
        return failure
    except Exception as exc:  # a broken sender must not stop the other messages
        logger.exception("sender %s failed on notice %s", message.channel, message.id)
        return SendFailed(f"{type(exc).__name__}: {exc}")
    return None


def _record(
    uow: UnitOfWork,
    results: dict[int, SendFailed | None],
    *,
    now: datetime,
    max_attempts: int,
) -> DispatchReport:
    uow.begin_write()
    rows = uow.session.scalars(
        select(Notification).where(Notification.id.in_(results)).with_for_update(key_share=True)
    ).all()
    sent = retrying = failed = 0
    for row in rows:
        failure = results[row.id]
        if failure is None:
            row.status, row.sent_at, row.last_error = "sent", now, None
            sent += 1
        elif failure.permanent or row.attempts >= max_attempts:
            row.status, row.last_error = "failed", str(failure)
            failed += 1
        else:
            row.next_attempt_at, row.last_error = retry_at(now, row.attempts), str(failure)
            retrying += 1
    uow.commit()
    return DispatchReport(sent=sent, retrying=retrying, failed=failed)
