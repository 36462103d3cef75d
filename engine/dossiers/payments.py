"""Fees and charges: asking for them pauses the deadline (status 6), paying resumes it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.access.dossier_access import locked_dossier
from engine.dossiers import pauses
from engine.errors import Conflict
from engine.errors import InvalidData
from engine.instance.events import event_values
from engine.instance.events import insert_events
from engine.instance.status_changes import change_status
from engine.models import Dossier
from engine.models import Event
from engine.queries.dossiers import dossier_view
from engine.store.db import utcnow
from engine.store.uow import UnitOfWork
from engine.views import DossierView

FEE_REASON = "Đề nghị nộp phí, lệ phí trước khi tiếp tục giải quyết"


FEE_PAID_REASON = "Đã nộp phí, lệ phí"


def record_fee(
    uow: UnitOfWork,
    actor: Actor,
    dossier_id: int,
    *,
    paid: bool,
    receipt_number: str | None = None,
    now: datetime | None = None,
) -> DossierView:
    """Record that the fee computed at receipt was paid (with its receipt number), or not."""
    receipt_number = (receipt_number or "").strip() or None
    if paid and receipt_number is None:
        raise InvalidData(
            "a paid fee needs its receipt number", {"receipt_number": ["Nhập số biên lai."]}
        )
    uow.begin_write()
    dossier = locked_dossier(uow, actor, dossier_id, "record_fee")
    if not dossier.fee_amount:
        raise Conflict("this dossier has no fee to pay (hồ sơ không phải nộp phí, lệ phí)")
    now = now or utcnow()
    dossier.fee_paid = paid
    dossier.fee_receipt_number = receipt_number if paid else None
    insert_events(uow.session, [fee_event(dossier, actor.user_id, now)])
    if paid and dossier.status == "financial_obligation":
        _resume_after_payment(uow.session, dossier, actor, now)
    uow.commit()
    return dossier_view(uow.session, dossier, with_history=False)


def request_fee(
    uow: UnitOfWork,
    actor: Actor,
    dossier_id: int,
    *,
    reason: str | None = None,
    now: datetime | None = None,
) -> DossierView:
    """Ask the applicant to pay before processing goes on (status 6); the clock pauses until
    the payment is recorded."""
    uow.begin_write()
    dossier = locked_dossier(uow, actor, dossier_id, "request_fee")
    if not dossier.fee_amount or dossier.fee_paid:
        raise Conflict("this dossier has no unpaid fee (không có phí, lệ phí chưa nộp)")
    change_status(
        uow.session,
        dossier,
        "financial_obligation",
        actor_id=actor.user_id,
        now=now or utcnow(),
        reason=(reason or "").strip() or FEE_REASON,
        resume=dossier.status,
    )
    uow.commit()
    return dossier_view(uow.session, dossier, with_history=False)


def _resume_after_payment(session: Session, dossier: Dossier, actor: Actor, now: datetime) -> None:
    """Back to the status before the request, due times moved by the working days waited."""
    request = session.scalars(
        select(Event)
        .where(Event.dossier_id == dossier.id, Event.kind == "status_changed")
        .order_by(Event.id.desc())
        .limit(1)
    ).one()
    paused = pauses.resume(dossier, request.at, now)
    change_status(
        session,
        dossier,
        request.detail.get("resume", "processing"),
        actor_id=actor.user_id,
        now=now,
        reason=FEE_PAID_REASON,
        paused_working_days=paused,
    )


def fee_event(dossier: Dossier, actor_id: int | None, now: datetime) -> dict[str, Any]:
    """The `fee_recorded` event's values, for `insert_events`."""
    return event_values(
        dossier.id,
        "fee_recorded",
        now,
        actor_id=actor_id,
        unit_id=dossier.receiving_unit_id,
        detail={
            "amount": dossier.fee_amount,
            "paid": dossier.fee_paid,
            "receipt_number": dossier.fee_receipt_number,
        },
    )
