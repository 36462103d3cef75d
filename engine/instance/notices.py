"""What the platform tells people, in Vietnamese: the applicant at each status change of their
dossier (and on an apology), civil servants when a deadline nears or passes. Every notice is an
outbox row written in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.assignment import candidates
from engine.models import Dossier
from engine.models import Notification
from engine.models import Task
from engine.models import User
from engine.rules.calendar import LOCAL_TZ
from engine.store.write_behind import defer

CONTACT_CHANNELS = (("email", "email"), ("phone", "sms"), ("zalo", "zalo"))
"""Applicant field -> outbox channel: each contact the applicant gave gets the notice."""

CITIZEN_SUBJECTS = {
    "received": "Hồ sơ {code} đã được tiếp nhận",
    "supplement_requested": "Hồ sơ {code} cần bổ sung, hoàn thiện",
    "refused": "Hồ sơ {code} không được tiếp nhận, giải quyết",
    "processed": "Hồ sơ {code} đã có kết quả",
    "result_returned": "Hồ sơ {code} đã được trả kết quả",
    "withdrawn": "Hồ sơ {code} đã được rút theo đề nghị",
    "stopped": "Hồ sơ {code} bị dừng giải quyết",
    "apology": "Thư xin lỗi và hẹn lại ngày trả kết quả hồ sơ {code}",
}
CITIZEN_BODIES = {
    "received": "hồ sơ mã {code} đã được tiếp nhận lúc {at}. Thời hạn trả kết quả: {due}.",
    "supplement_requested": "hồ sơ mã {code} cần bổ sung, hoàn thiện. {reason}",
    "refused": "hồ sơ mã {code} không được tiếp nhận, giải quyết. {reason}",
    "processed": "hồ sơ mã {code} đã giải quyết xong; mời Ông/Bà nhận kết quả theo hẹn.",
    "result_returned": "hồ sơ mã {code} đã được trả kết quả lúc {at}.",
    "withdrawn": "hồ sơ mã {code} đã được rút theo đề nghị của Ông/Bà lúc {at}.",
    "stopped": "hồ sơ mã {code} bị dừng giải quyết. {reason}",
    "apology": (
        "cơ quan giải quyết chân thành xin lỗi vì hồ sơ mã {code} chưa có kết quả đúng hẹn. "
        "{reason} Thời hạn trả kết quả mới: {due}."
    ),
}


CHANNELS = ("email", "sms", "zalo")
_INSERT_NOTICE = insert(Notification.__table__)


def enqueue(
    session: Session,
    *,
    kind: str,
    channel: str,
    recipient: str,
    subject: str,
    body: str,
    now: datetime,
    dossier_id: int | None = None,
    user_id: int | None = None,
) -> None:
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    defer(
        session,
        _INSERT_NOTICE,
        {
            "dossier_id": dossier_id,
            "user_id": user_id,
            "kind": kind,
            "channel": channel,
            "recipient": recipient[:200],
            "subject": subject[:300],
            "body": body,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        },
    )


def local_time(moment: datetime | None) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%H:%M ngày %d/%m/%Y") if moment else "—"


def status_changed(
    session: Session, dossier: Dossier, *, now: datetime, reason: str | None = None
) -> None:
    """Tell the applicant their dossier reached its current status, if it is one they hear of."""
    if dossier.status in CITIZEN_SUBJECTS:
        to_applicant(session, dossier, dossier.status, now=now, reason=reason)


def to_applicant(
    session: Session,
    dossier: Dossier,
    kind: str,
    *,
    now: datetime,
    reason: str | None = None,
    due_at: datetime | None = None,
) -> None:
    """One notice per contact the applicant gave (e-mail, phone for SMS, Zalo); none without."""
    applicant = dossier.applicant or {}
    params = {
        "code": dossier.code,
        "at": local_time(now),
        "due": local_time(due_at or dossier.due_at),
        "reason": f"Lý do: {reason}." if reason else "",
    }
    name = str(applicant.get("full_name") or "Ông/Bà").strip()
    subject = CITIZEN_SUBJECTS[kind].format(**params)
    body = f"Kính gửi {name}: {CITIZEN_BODIES[kind].format(**params)}".strip()
    body += "\nTra cứu hồ sơ bằng mã hồ sơ tại Bộ phận Một cửa hoặc trên cổng dịch vụ công."
    for field, channel in CONTACT_CHANNELS:
        address = str(applicant.get(field) or "").strip()
        if address:
            enqueue(
                session,
                kind=kind,
                channel=channel,
                recipient=address,
                subject=subject,
                body=body,
                now=now,
                dossier_id=dossier.id,
            )


def to_users(
    session: Session,
    user_ids: Iterable[int],
    *,
    kind: str,
    subject: str,
    body: str,
    now: datetime,
    dossier_id: int | None,
) -> int:
    """One e-mail notice per active user; the account name stands in for an address until users
    have one (the SMTP sender then marks the notice failed, the log sender records it)."""
    ids = sorted(set(user_ids))
    if not ids:
        return 0
    users = session.execute(
        select(User.id, User.username).where(User.id.in_(ids), User.is_active.is_(True))
    ).all()
    for user_id, username in users:
        enqueue(
            session,
            kind=kind,
            channel="email",
            recipient=username,
            subject=subject,
            body=body,
            now=now,
            dossier_id=dossier_id,
            user_id=user_id,
        )
    return len(users)


def role_holders(session: Session, role: str, unit_id: int) -> list[int]:
    return list(session.scalars(candidates(role, unit_id)))


def task_workers(session: Session, task: Task) -> list[int]:
    """Who answers for an open task: its holder, or everyone who may claim it."""
    if task.assignee_id is not None:
        return [task.assignee_id]
    return role_holders(session, task.role, task.unit_id)
