"""Background work in every API process: APScheduler runs the sweep (timers, deadline warnings,
escalation, supplement expiry) and the dispatch (outbox notices, webhooks) on intervals.

Several processes on several hosts may run it at once: workers claim rows with
`FOR UPDATE SKIP LOCKED`, so each piece of work is done once. The first sweep runs at start-up,
so a timer that fell due while the platform was down fires straight away.
"""

from __future__ import annotations

import atexit
import dataclasses
import logging
import os
from collections.abc import Callable
from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from api.database import EXTENSION_KEY
from engine.background import sweep
from engine.background.senders import SmtpSettings
from engine.background.senders import build_senders
from engine.store.db import utcnow
from engine.store.uow import UnitOfWork
from engine.work import migrations

SCHEDULER_KEY = "mot_cua_scheduler"
logger = logging.getLogger(__name__)


def should_start(app: Flask) -> bool:
    """Serving processes only: not under tests, not when turned off, not for `flask` commands
    (`flask prepare` migrates while a sweep would query tables not made yet)."""
    return (
        bool(app.config["SCHEDULER_ENABLED"])
        and not app.config.get("TESTING")
        and os.environ.get("FLASK_RUN_FROM_CLI") != "true"
    )


def smtp_settings(config: Mapping[str, Any]) -> SmtpSettings | None:
    if not config["SMTP_HOST"]:
        return None
    return SmtpSettings(
        host=config["SMTP_HOST"],
        port=int(config["SMTP_PORT"]),
        user=config["SMTP_USER"] or None,
        password=config["SMTP_PASSWORD"] or None,
        sender=config["SMTP_FROM"],
        security=config["SMTP_SECURITY"],
    )


def dispatch_settings(config: Mapping[str, Any]) -> sweep.DispatchSettings:
    return sweep.DispatchSettings(
        notice_max_attempts=int(config["NOTIFY_MAX_ATTEMPTS"]),
        webhook_max_attempts=int(config["WEBHOOK_MAX_ATTEMPTS"]),
        webhook_timeout=float(config["WEBHOOK_TIMEOUT_SECONDS"]),
    )


def jobs(app: Flask, *, clock: Callable[[], datetime] = utcnow) -> dict[str, Callable[[], Any]]:
    """The two jobs, each on its own units of work from the app's session factory."""
    factory = app.extensions[EXTENSION_KEY]
    config = app.config
    senders = build_senders(smtp_settings(config))
    settings = dispatch_settings(config)

    def new_uow() -> UnitOfWork:
        return UnitOfWork(factory)

    def run_sweep() -> sweep.SweepReport:
        report = sweep.sweep(new_uow, now=clock(), due_soon_hours=float(config["DUE_SOON_HOURS"]))
        if report != sweep.SweepReport():
            logger.info("sweep: %s", describe(report))
        return report

    def run_dispatch() -> sweep.DispatchReport:
        return sweep.dispatch(new_uow, senders, now=clock(), settings=settings)

    def run_migrations() -> int:
        """Version moves in bulk: queued jobs, and running ones (joined, or left by a worker
        that died)."""
        return migrations.run_due(new_uow)

    return {"sweep": run_sweep, "dispatch": run_dispatch, "migrations": run_migrations}


def start(app: Flask, *, clock: Callable[[], datetime] = utcnow) -> BackgroundScheduler:
    """Start both jobs now and then on their intervals; stopped when the process exits."""
    scheduler = BackgroundScheduler(
        timezone=UTC,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    work = jobs(app, clock=clock)
    first = datetime.now(UTC)
    intervals = {
        "sweep": app.config["SWEEP_INTERVAL_SECONDS"],
        "dispatch": app.config["DISPATCH_INTERVAL_SECONDS"],
        "migrations": app.config["MIGRATION_INTERVAL_SECONDS"],
    }
    for name, job in work.items():
        scheduler.add_job(
            job, "interval", seconds=float(intervals[name]), next_run_time=first, id=name
        )
    scheduler.start()
    app.extensions[SCHEDULER_KEY] = scheduler
    atexit.register(stop, scheduler)
    return scheduler


def run_migrations_soon(app: Flask) -> None:
    """A job just requested starts now: on the scheduler when it runs (the request answers at
    once), else in the request itself (tests, `SCHEDULER_ENABLED=false`)."""
    running = app.extensions.get(SCHEDULER_KEY)
    if running is not None and running.running:
        running.modify_job("migrations", next_run_time=datetime.now(UTC))
        return
    jobs(app)["migrations"]()


def stop(scheduler: BackgroundScheduler, *, wait: bool = False) -> None:
    """At exit nothing waits for a running job: its transaction rolls back, its rows stay due."""
    if scheduler.running:
        scheduler.shutdown(wait=wait)


def describe(report: Any) -> str:
    """`timers_fired=1 warned=0 …` for a report, nested ones prefixed (`notices.sent=2`)."""
    parts = []
    for name, value in dataclasses.asdict(report).items():
        if isinstance(value, dict):
            parts.extend(f"{name}.{key}={item}" for key, item in value.items())
        else:
            parts.append(f"{name}={value}")
    return " ".join(parts)
