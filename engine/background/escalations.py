"""Escalation: a task still open past its step's time limit is flagged once (`escalated_at`), its
unit's leaders are told, and it shows in their `escalated` view until someone completes it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from engine.instance import notices
from engine.instance.events import event
from engine.models import Dossier
from engine.models import Task
from engine.models import User
from engine.store.uow import UnitOfWork


def escalate_overdue(uow: UnitOfWork, *, now: datetime, limit: int = 200) -> int:
    """Flag open tasks whose due time has passed; returns how many were escalated."""
    uow.begin_write()
    session = uow.session
    rows = session.execute(
        select(Task, Dossier.code, User.full_name)
        .join(Dossier, Dossier.id == Task.dossier_id)
        .outerjoin(User, User.id == Task.assignee_id)
        .where(Task.state == "open", Task.escalated_at.is_(None), Task.due_at < now)
        .order_by(Task.due_at, Task.id)
        .limit(limit)
        .with_for_update(key_share=True, skip_locked=True, of=Task)
    ).all()
    for task, code, holder in rows:
        task.escalated_at = now
        due = notices.local_time(task.due_at)
        who = f"đang do {holder} xử lý" if holder else "chưa có người nhận xử lý"
        leaders = notices.role_holders(session, "leader", task.unit_id)
        sent = notices.to_users(
            session,
            leaders,
            kind="task_escalated",
            subject=f"Quá hạn: {task.name} – hồ sơ {code}",
            body=f"Bước “{task.name}” của hồ sơ {code} quá hạn từ {due}, {who}.",
            now=now,
            dossier_id=task.dossier_id,
        )
        session.add(
            event(
                task.dossier_id,
                "task_escalated",
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
    uow.commit()
    return len(rows)
