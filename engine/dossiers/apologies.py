"""The apology letter (form 04): a late dossier gets a new appointment, within the office rules."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select

from engine.access.actors import Actor
from engine.access.dossier_access import locked_dossier
from engine.errors import Conflict
from engine.errors import InvalidData
from engine.instance import notices
from engine.instance.events import event
from engine.models import Event
from engine.queries.dossiers import dossier_view
from engine.rules import calendar
from engine.rules.calendar import local_iso
from engine.rules.forms import required_text
from engine.rules.office_rules import DEFAULT_RULES
from engine.rules.office_rules import OfficeRules
from engine.store.db import utcnow
from engine.store.uow import UnitOfWork
from engine.views import DossierView


def issue_apology(
    uow: UnitOfWork,
    actor: Actor,
    dossier_id: int,
    *,
    reason: str,
    new_due_at: datetime,
    rules: OfficeRules = DEFAULT_RULES,
    now: datetime | None = None,
) -> DossierView:
    """Apology and a new return date (form 04): the due time moves, the statutory one stays.
    How many, and how early, follow the office's rules (engine.rules.office_rules)."""
    reason = required_text(reason, "reason")
    if new_due_at.tzinfo is None:
        raise InvalidData(
            "give the new date with its UTC offset", {"new_due_at": ["Thiếu múi giờ."]}
        )
    uow.begin_write()
    session = uow.session
    dossier = locked_dossier(uow, actor, dossier_id, "issue_apology")
    given = session.scalar(
        select(func.count(Event.id)).where(
            Event.dossier_id == dossier.id, Event.kind == "apology_issued"
        )
    )
    if (given or 0) >= rules.max_apologies:
        raise Conflict(
            f"this dossier already had {given} apology letter(s); {rules.max_apologies} allowed "
            "(đã hẹn lại ngày trả kết quả, không được hẹn lại thêm)",
            allowed=rules.max_apologies,
        )
    old_due = dossier.due_at
    _check_apology_in_time(old_due, rules, now or utcnow())
    if old_due is not None and new_due_at <= old_due:
        raise InvalidData(
            "the new date must be later than the current due date",
            {"new_due_at": ["Ngày hẹn mới phải sau ngày hẹn hiện tại."]},
        )
    dossier.original_due_at = dossier.original_due_at or old_due
    dossier.due_at = new_due_at
    session.add(
        event(
            dossier.id,
            "apology_issued",
            now or utcnow(),
            actor_id=actor.user_id,
            unit_id=dossier.competent_unit_id,
            detail={
                "reason": reason,
                "old_due_at": local_iso(old_due),
                "new_due_at": local_iso(new_due_at),
            },
        )
    )
    notices.to_applicant(
        session, dossier, "apology", now=now or utcnow(), reason=reason, due_at=new_due_at
    )
    uow.commit()
    return dossier_view(session, dossier, with_history=False)


def _check_apology_in_time(due_at: datetime | None, rules: OfficeRules, now: datetime) -> None:
    lead = rules.apology_working_days_before_due
    if lead <= 0 or due_at is None or calendar.working_days_between(now, due_at) >= lead:
        return
    raise Conflict(
        f"an apology must be issued at least {lead} working day(s) before the due time "
        f"(phiếu xin lỗi phải gửi trước hạn trả kết quả ít nhất {lead} ngày làm việc)",
        due_at=local_iso(due_at),
        working_days_before_due=lead,
    )
