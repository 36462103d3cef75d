"""The background passes the scheduler runs in every API process (and `flask sweep` runs once):
the sweep (timers, deadline warnings, escalation, supplement expiry) and the dispatch (outbox
notices and webhook deliveries). Each part commits on its own and a failing part is logged, not
allowed to stop the others."""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from engine.background import escalations
from engine.background import outbox
from engine.background import reminders
from engine.background import stalls
from engine.background import timers
from engine.background import webhooks
from engine.background.senders import Sender
from engine.dossiers import supplements
from engine.store.uow import UnitOfWork

logger = logging.getLogger(__name__)

NewUow = Callable[[], UnitOfWork]


@dataclass(frozen=True)
class SweepReport:
    timers_fired: int = 0
    timer_failures: int = 0
    warned: int = 0
    escalated: int = 0
    supplements_expired: int = 0
    stalled: int = 0
    """Dossiers in progress found waiting on nothing, each given an incident."""
    errors: int = 0


@dataclass(frozen=True)
class DispatchSettings:
    notice_max_attempts: int = outbox.DEFAULT_MAX_ATTEMPTS
    webhook_max_attempts: int = webhooks.DEFAULT_MAX_ATTEMPTS
    webhook_timeout: float = webhooks.DEFAULT_TIMEOUT_SECONDS


@dataclass(frozen=True)
class DispatchReport:
    notices: outbox.DispatchReport
    webhooks: webhooks.DeliveryReport


def sweep(
    new_uow: NewUow, *, now: datetime, due_soon_hours: float = reminders.DEFAULT_DUE_SOON_HOURS
) -> SweepReport:
    errors = 0
    fired = failures = warned = escalated = expired = 0
    try:
        outcomes = timers.fire_due(new_uow, now=now)
        fired = sum(outcome.fired for outcome in outcomes)
        failures = sum(1 for outcome in outcomes if outcome.error)
    except Exception:
        errors += 1
        logger.exception("firing timers failed")
    try:
        with new_uow() as uow:
            warned = reminders.warn_due_soon(uow, now=now, hours=due_soon_hours)
    except Exception:
        errors += 1
        logger.exception("deadline warnings failed")
    try:
        with new_uow() as uow:
            escalated = escalations.escalate_overdue(uow, now=now)
    except Exception:
        errors += 1
        logger.exception("escalation failed")
    expired, expiry_errors = _expire_supplements(new_uow, now)
    stalled = 0
    try:
        with new_uow() as uow:
            stalled = stalls.report_stalled(uow, now=now)
    except Exception:
        errors += 1
        logger.exception("checking for stalled dossiers failed")
    return SweepReport(fired, failures, warned, escalated, expired, stalled, errors + expiry_errors)


def _expire_supplements(new_uow: NewUow, now: datetime) -> tuple[int, int]:
    """Refuse, one transaction each, the dossiers whose applicant did not supplement in time."""
    try:
        with new_uow() as uow:
            candidates = supplements.expiring(uow.session, now=now)
    except Exception:
        logger.exception("listing expired supplement requests failed")
        return 0, 1
    expired = errors = 0
    for dossier_id in candidates:
        try:
            with new_uow() as uow:
                expired += supplements.expire(uow, dossier_id=dossier_id, now=now)
        except Exception:
            errors += 1
            logger.exception("supplement expiry of dossier %s failed", dossier_id)
    return expired, errors


def dispatch(
    new_uow: NewUow,
    senders: Mapping[str, Sender],
    *,
    now: datetime,
    settings: DispatchSettings | None = None,
) -> DispatchReport:
    """Send due outbox notices, then post due webhook deliveries."""
    settings = settings or DispatchSettings()
    notices = outbox.dispatch(new_uow, senders, now=now, max_attempts=settings.notice_max_attempts)
    deliveries = webhooks.dispatch(
        new_uow,
        now=now,
        timeout=settings.webhook_timeout,
        max_attempts=settings.webhook_max_attempts,
    )
    return DispatchReport(notices, deliveries)
