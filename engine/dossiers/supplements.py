"""Supplement requests (form 02): the dossier waits for the applicant with its clock paused; the
answer resumes it with the deadline moved by the working days it waited; no answer in time
refuses it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.access.dossier_access import locked_dossier
from engine.dossiers import pauses
from engine.dossiers.endings import end_instance
from engine.errors import Conflict
from engine.errors import InvalidData
from engine.instance.events import event
from engine.instance.status_changes import change_status
from engine.models import Dossier
from engine.models import ProcedureVersion
from engine.models import SupplementRequest
from engine.queries.dossiers import dossier_view
from engine.rules import calendar
from engine.rules.calendar import local_iso
from engine.rules.forms import required_text
from engine.rules.office_rules import DEFAULT_RULES
from engine.rules.office_rules import DEFAULT_SUPPLEMENT_DAYS
from engine.rules.office_rules import OfficeRules
from engine.store.db import utcnow
from engine.store.uow import UnitOfWork
from engine.store.uow import for_update
from engine.views import DossierView

EXPIRY_REASON = "Quá hạn bổ sung hồ sơ"
MAX_ITEMS = 50


def request_supplement(
    uow: UnitOfWork,
    actor: Actor,
    dossier_id: int,
    *,
    reason: str,
    items: list[str],
    rules: OfficeRules = DEFAULT_RULES,
    now: datetime | None = None,
) -> DossierView:
    """Ask the applicant for missing papers, at reception or during processing; the clock stops.
    How many times per dossier follows the office's rules (engine.rules.office_rules)."""
    reason = required_text(reason, "reason")
    items = _clean_items(items)
    uow.begin_write()
    session = uow.session
    dossier = locked_dossier(uow, actor, dossier_id, "request_supplement")
    _check_requests_left(session, dossier.id, rules)
    now = now or utcnow()
    days = session.scalar(
        select(ProcedureVersion.supplement_days).where(
            ProcedureVersion.id == dossier.procedure_version_id
        )
    )
    applicant_due_at = calendar.due_at(now, DEFAULT_SUPPLEMENT_DAYS if days is None else days)
    session.add(
        SupplementRequest(
            dossier_id=dossier.id,
            state="open",
            reason=reason,
            items=items,
            resume_status=dossier.status,
            requested_at=now,
            requested_by=actor.user_id,
            applicant_due_at=applicant_due_at,
            paused_days=0,
        )
    )
    session.add(
        event(
            dossier.id,
            "supplement_requested",
            now,
            actor_id=actor.user_id,
            unit_id=dossier.competent_unit_id,
            detail={
                "reason": reason,
                "items": items,
                "applicant_due_at": local_iso(applicant_due_at),
            },
        )
    )
    change_status(
        session, dossier, "supplement_requested", actor_id=actor.user_id, now=now, reason=reason
    )
    uow.commit()
    return dossier_view(session, dossier, with_history=False)


def _check_requests_left(session: Session, dossier_id: int, rules: OfficeRules) -> None:
    limit = rules.max_supplement_requests
    if limit <= 0:
        return
    asked = session.scalar(
        select(func.count(SupplementRequest.id)).where(SupplementRequest.dossier_id == dossier_id)
    )
    if (asked or 0) >= limit:
        raise Conflict(
            f"this dossier was already asked for a supplement {asked} time(s); {limit} allowed "
            "(đã yêu cầu bổ sung hồ sơ, không được yêu cầu thêm)",
            allowed=limit,
        )


def _clean_items(items: list[str]) -> list[str]:
    cleaned = [str(item).strip() for item in items or [] if str(item).strip()]
    if not cleaned or len(cleaned) > MAX_ITEMS:
        raise InvalidData(
            "list what the applicant must supplement",
            {"items": [f"Nêu từ 1 đến {MAX_ITEMS} giấy tờ, nội dung cần bổ sung."]},
        )
    return cleaned


def record_supplement(
    uow: UnitOfWork,
    actor: Actor,
    dossier_id: int,
    *,
    note: str,
    data: dict[str, Any],
    now: datetime | None = None,
) -> DossierView:
    """The applicant's answer (staff may record it for them): the dossier resumes where it was,
    its due time moved by the working days it waited."""
    uow.begin_write()
    session = uow.session
    dossier = locked_dossier(uow, actor, dossier_id, "record_supplement")
    now = now or utcnow()
    request = _open_request(session, dossier)
    paused = _pause(dossier, request, now)
    request.state, request.closed_at, request.closed_by = "answered", now, actor.user_id
    request.note, request.data = note, data
    session.add(
        event(
            dossier.id,
            "supplement_received",
            now,
            actor_id=actor.user_id,
            unit_id=dossier.receiving_unit_id,
            detail={"note": note, "data": data, "paused_working_days": paused},
        )
    )
    change_status(session, dossier, request.resume_status, actor_id=actor.user_id, now=now)
    uow.commit()
    return dossier_view(session, dossier, with_history=False)


def expire(uow: UnitOfWork, *, dossier_id: int, now: datetime) -> bool:
    """Refuse a dossier still waiting past the applicant's time limit; False when nothing was
    due (answered meanwhile, not yet late, gone), so a sweep may call it for any candidate."""
    uow.begin_write()
    session = uow.session
    dossier = session.execute(
        for_update(select(Dossier).where(Dossier.id == dossier_id))
    ).scalar_one_or_none()
    if dossier is None or dossier.status != "supplement_requested":
        return False
    request = _latest_open(session, dossier.id)
    if request is None or now <= request.applicant_due_at:
        return False
    _pause(dossier, request, now)
    request.state, request.closed_at = "expired", now
    end_instance(session, dossier, status="refused", reason=EXPIRY_REASON, actor_id=None, now=now)
    uow.commit()
    return True


def expiring(session: Session, *, now: datetime, limit: int = 100) -> list[int]:
    """Dossiers whose applicant time limit has passed without an answer, oldest first."""
    return list(
        session.scalars(
            select(SupplementRequest.dossier_id)
            .where(SupplementRequest.state == "open", SupplementRequest.applicant_due_at < now)
            .order_by(SupplementRequest.applicant_due_at)
            .limit(limit)
        )
    )


def _latest_open(session: Session, dossier_id: int) -> SupplementRequest | None:
    return session.scalars(
        select(SupplementRequest)
        .where(SupplementRequest.dossier_id == dossier_id, SupplementRequest.state == "open")
        .order_by(SupplementRequest.id.desc())
    ).first()


def _open_request(session: Session, dossier: Dossier) -> SupplementRequest:
    request = _latest_open(session, dossier.id)
    if request is None:
        raise Conflict("this dossier is not waiting for a supplement", dossier_id=dossier.id)
    return request


def _pause(dossier: Dossier, request: SupplementRequest, now: datetime) -> int:
    """Count the working days waited and push the due times back by them."""
    request.paused_days = pauses.resume(dossier, request.requested_at, now)
    return request.paused_days
