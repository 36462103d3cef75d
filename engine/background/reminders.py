"""Deadline warnings: a task or a dossier about to fall due gets one notice to whoever answers
for it, recorded (`warned_at`) so the next sweep does not send it again."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from engine.instance import notices
from engine.instance.events import event
from engine.models import Dossier
from engine.models import Task
from engine.rules import calendar
from engine.store.uow import UnitOfWork

DEFAULT_DUE_SOON_HOURS = 8.0
"""One working day of office time."""
WATCHED_STATUSES = ("received", "processing")
"""Dossiers whose clock runs (a supplement request or a fee pauses it; a processed one is done)."""


def warn_due_soon(
    uow: UnitOfWork, *, now: datetime, hours: float = DEFAULT_DUE_SOON_HOURS, limit: int = 200
) -> int:
    """Warn about tasks and dossiers due within `hours` working hours; returns how many."""
    threshold = calendar.due_in_hours(now, hours)
    uow.begin_write()
    warned = _warn_tasks(uow.session, now, threshold, limit)
    warned += _warn_dossiers(uow.session, now, threshold, limit)
    uow.commit()
    return warned


def _warn_tasks(session: Session, now: datetime, threshold: datetime, limit: int) -> int:
    rows = session.execute(
        select(Task, Dossier.code)
        .join(Dossier, Dossier.id == Task.dossier_id)
        .where(
            Task.state == "open",
            Task.warned_at.is_(None),
            Task.due_at > now,
            Task.due_at <= threshold,
        )
        .order_by(Task.due_at, Task.id)
        .limit(limit)
        .with_for_update(key_share=True, skip_locked=True, of=Task)
    ).all()
    for task, code in rows:
        task.warned_at = now
        due = notices.local_time(task.due_at)
        sent = notices.to_users(
            session,
            notices.task_workers(session, task),
            kind="task_due_soon",
            subject=f"Sắp đến hạn: {task.name} – hồ sơ {code}",
            body=f"Bước “{task.name}” của hồ sơ {code} phải xong trước {due}.",
            now=now,
            dossier_id=task.dossier_id,
        )
        session.add(
            event(
                task.dossier_id,
                "task_due_soon",
                now,
                actor_id=None,
                unit_id=task.unit_id,
                task=task,
                detail={
                    "due_at": task.due_at.isoformat() if task.due_at else None,
                    "notified": sent,
                },
            )
        )
    return len(rows)


def _warn_dossiers(session: Session, now: datetime, threshold: datetime, limit: int) -> int:
    rows = session.execute(
        select(Dossier.id, Dossier.code, Dossier.due_at, Dossier.competent_unit_id)
        .where(
            Dossier.status.in_(WATCHED_STATUSES),
            Dossier.warned_at.is_(None),
            Dossier.due_at > now,
            Dossier.due_at <= threshold,
        )
        .order_by(Dossier.due_at, Dossier.id)
        .limit(limit)
        .with_for_update(key_share=True, skip_locked=True)
    ).all()
    for dossier_id, code, due, unit_id in rows:
        due_at = cast(datetime, due)  # the WHERE clause above leaves no NULL
        # a plain UPDATE: a warning is not an edit, so the row's version (409 guard) stays
        session.execute(update(Dossier).where(Dossier.id == dossier_id).values(warned_at=now))
        sent = notices.to_users(
            session,
            _answerable(session, dossier_id, unit_id),
            kind="dossier_due_soon",
            subject=f"Hồ sơ {code} sắp đến hạn trả kết quả",
            body=f"Hồ sơ {code} phải có kết quả trước {notices.local_time(due_at)}.",
            now=now,
            dossier_id=dossier_id,
        )
        session.add(
            event(
                dossier_id,
                "dossier_due_soon",
                now,
                actor_id=None,
                unit_id=unit_id,
                detail={"due_at": due_at.isoformat(), "notified": sent},
            )
        )
    return len(rows)


def _answerable(session: Session, dossier_id: int, unit_id: int) -> list[int]:
    """Who works the dossier's open tasks; its unit's leaders when no task is open."""
    tasks = session.scalars(
        select(Task).where(Task.dossier_id == dossier_id, Task.state == "open")
    ).all()
    users = [user for task in tasks for user in notices.task_workers(session, task)]
    return users or notices.role_holders(session, "leader", unit_id)
