"""Lifecycle actions on a received dossier: end it (refuse, withdraw, stop), apologise with a new
date, hand over the result, record the fee. Each writes the event the slips are rendered from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.access.dossier_access import locked_dossier
from engine.bpmn import runtime
from engine.bpmn import serializer
from engine.bpmn.versions import compiled_for
from engine.dossiers import pauses
from engine.errors import Conflict
from engine.errors import InvalidData
from engine.instance import notices
from engine.instance import timers
from engine.instance.events import event
from engine.instance.events import event_values
from engine.instance.events import insert_events
from engine.instance.status_changes import change_status
from engine.models import Dossier
from engine.models import Event
from engine.models import SupplementRequest
from engine.models import Task
from engine.models import WorkflowState
from engine.queries.dossiers import dossier_view
from engine.rules import calendar
from engine.rules.calendar import LOCAL_TZ
from engine.rules.office_rules import DEFAULT_RULES
from engine.rules.office_rules import OfficeRules
from engine.store.db import utcnow
from engine.store.uow import UnitOfWork
from engine.views import DossierView

DELIVERY_METHODS = ("in_person", "postal", "electronic")
FEE_REASON = "Đề nghị nộp phí, lệ phí trước khi tiếp tục giải quyết"
FEE_PAID_REASON = "Đã nộp phí, lệ phí"


def refuse(
    uow: UnitOfWork, actor: Actor, dossier_id: int, *, reason: str, now: datetime | None = None
) -> DossierView:
    """Not received / refused with reasons (form 03): the instance ends, its tasks are cancelled."""
    return _end(uow, actor, dossier_id, "refuse", "refused", reason, now)


def withdraw(
    uow: UnitOfWork, actor: Actor, dossier_id: int, *, reason: str, now: datetime | None = None
) -> DossierView:
    """The applicant takes the dossier back."""
    return _end(uow, actor, dossier_id, "withdraw", "withdrawn", reason, now)


def stop(
    uow: UnitOfWork, actor: Actor, dossier_id: int, *, reason: str, now: datetime | None = None
) -> DossierView:
    """The competent authority stops processing (notice of stopping)."""
    return _end(uow, actor, dossier_id, "stop", "stopped", reason, now)


def _end(
    uow: UnitOfWork,
    actor: Actor,
    dossier_id: int,
    action: str,
    status: str,
    reason: str,
    now: datetime | None,
) -> DossierView:
    reason = required_text(reason, "reason")
    uow.begin_write()
    dossier = locked_dossier(uow, actor, dossier_id, action)
    end_instance(
        uow.session, dossier, status=status, reason=reason, actor_id=actor.user_id, now=now
    )
    uow.commit()
    return dossier_view(uow.session, dossier, with_history=False)


def end_instance(
    session: Session,
    dossier: Dossier,
    *,
    status: str,
    reason: str,
    actor_id: int | None,
    now: datetime | None = None,
) -> None:
    """Cancel the workflow and every open task, close a pending supplement request, record the
    ending (event kind = the status: refused, withdrawn, stopped) and set finished_at."""
    now = now or utcnow()
    state = session.get(WorkflowState, dossier.id)
    if state is not None:
        compiled = compiled_for(session, dossier.spec_key, dossier.procedure_version_id)
        workflow = serializer.load(state.state, compiled)
        runtime.cancel(workflow)
        state.state = serializer.dump(workflow)
        timers.schedule_waiting(session, dossier, workflow, now)
    tasks = session.scalars(
        select(Task).where(Task.dossier_id == dossier.id, Task.state == "open")
    ).all()
    for task in tasks:
        task.state, task.completed_at = "cancelled", now
    session.add_all(
        event(dossier.id, "task_cancelled", now, actor_id=actor_id, unit_id=t.unit_id, task=t)
        for t in tasks
    )
    for request in session.scalars(
        select(SupplementRequest).where(
            SupplementRequest.dossier_id == dossier.id, SupplementRequest.state == "open"
        )
    ):
        request.state, request.closed_at, request.closed_by = "closed", now, actor_id
    session.add(
        event(
            dossier.id,
            status,
            now,
            actor_id=actor_id,
            unit_id=dossier.competent_unit_id,
            detail={"reason": reason},
        )
    )
    change_status(session, dossier, status, actor_id=actor_id, now=now, reason=reason)
    dossier.finished_at = now


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


def return_result(
    uow: UnitOfWork,
    actor: Actor,
    dossier_id: int,
    *,
    method: str,
    tracking_number: str | None = None,
    address: str | None = None,
    now: datetime | None = None,
) -> DossierView:
    """Hand over the result of a processed dossier: in person, by public post, or electronically."""
    _check_delivery(method, address)
    uow.begin_write()
    dossier = locked_dossier(uow, actor, dossier_id, "return_result")
    record_delivery(
        uow.session,
        dossier,
        method=method,
        tracking_number=tracking_number,
        address=address,
        actor_id=actor.user_id,
        now=now or utcnow(),
    )
    uow.commit()
    return dossier_view(uow.session, dossier, with_history=False)


def _check_delivery(method: str, address: str | None) -> None:
    if method not in DELIVERY_METHODS:
        raise InvalidData(
            "unknown delivery method", {"method": [f"Chỉ nhận: {', '.join(DELIVERY_METHODS)}."]}
        )
    if method == "postal" and not (address or "").strip():
        raise InvalidData(
            "postal delivery needs an address", {"address": ["Nhập địa chỉ nhận qua bưu chính."]}
        )


def record_delivery(
    session: Session,
    dossier: Dossier,
    *,
    method: str,
    tracking_number: str | None,
    address: str | None,
    actor_id: int | None,
    now: datetime,
) -> None:
    """The result is handed over: delivery on the dossier, the event, status result_returned."""
    dossier.delivery_method = method
    dossier.delivery_tracking_number = tracking_number or None
    dossier.delivery_address = address or None
    dossier.returned_at = now
    dossier.finished_at = dossier.finished_at or now
    session.add(
        event(
            dossier.id,
            "result_returned",
            now,
            actor_id=actor_id,
            unit_id=dossier.receiving_unit_id,
            detail={"method": method, "tracking_number": tracking_number, "address": address},
        )
    )
    change_status(session, dossier, "result_returned", actor_id=actor_id, now=now)


def delivery_from_step(
    session: Session, dossier: Dossier, data: dict[str, Any], *, actor_id: int, now: datetime
) -> None:
    """A diagram that ends on its own return step: copy that step's delivery onto the dossier.

    Called after the completing step moved the dossier to result_returned.
    """
    method = str(data.get("delivery_method") or data.get("method") or "in_person")
    tracking = data.get("tracking_number")
    address = data.get("postal_address") or data.get("address")
    dossier.delivery_method = method
    dossier.delivery_tracking_number = str(tracking) if tracking else None
    dossier.delivery_address = str(address) if address else None
    dossier.returned_at = now
    returned = event_values(
        dossier.id,
        "result_returned",
        now,
        actor_id=actor_id,
        unit_id=dossier.receiving_unit_id,
        detail={
            "method": method,
            "tracking_number": dossier.delivery_tracking_number,
            "address": dossier.delivery_address,
        },
    )
    insert_events(session, [returned])


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


def required_text(value: str, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidData(f"{field} is required", {field: ["Trường này là bắt buộc."]})
    return text


def local_iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(LOCAL_TZ).isoformat()
