"""Receiving a dossier: code it, start its procedure's workflow, open the first tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import calendar
from engine import fees
from engine import timers
from engine.actors import Actor
from engine.bpmn import runtime
from engine.bpmn import serializer
from engine.db import utcnow
from engine.dossier_actions import fee_event
from engine.errors import Forbidden
from engine.errors import InvalidData
from engine.errors import NotFound
from engine.events import event
from engine.lookup import new_lookup_key
from engine.models import Dossier
from engine.models import DossierCounter
from engine.models import Event
from engine.models import Procedure
from engine.models import ProcedureVersion
from engine.models import Unit
from engine.models import WorkflowState
from engine.procedures import compiled_for
from engine.procedures import spec_key_of
from engine.queries.dossiers import dossier_view
from engine.status_changes import announce
from engine.task_rows import sync_tasks
from engine.units import province_of
from engine.units import unit_by_code
from engine.uow import UnitOfWork
from engine.views import DossierView

CHANNELS = ("in_person", "online", "postal")
RECEPTION_POINT_KINDS = ("counter", "mobile", "health_facility")
"""Where a dossier was taken in: the center's counter, a mobile reception point (a hamlet's
People's Committee on fixed weekdays, weekend sessions) or a health facility (newborn bundle)."""


@dataclass(frozen=True)
class Submission:
    procedure_code: str
    applicant: dict[str, Any]
    channel: str
    data: dict[str, Any]
    unit: str | None = None
    reception_point: dict[str, Any] | None = None


def submit(uow: UnitOfWork, actor: Actor, submission: Submission) -> DossierView:
    """Receive a dossier at the actor's reception unit and route it to the competent unit."""
    check_submission(submission)
    uow.begin_write()
    dossier = receive(uow.session, actor, submission, now=utcnow())
    uow.commit()
    return dossier_view(uow.session, dossier, with_history=False)


def check_submission(submission: Submission) -> None:
    """Input rules that need no database; raised before any lock is taken."""
    if submission.channel not in CHANNELS:
        raise InvalidData("unknown channel", {"channel": [f"Chỉ nhận: {', '.join(CHANNELS)}."]})
    point = submission.reception_point or {}
    kind = point.get("kind", "counter")
    if kind not in RECEPTION_POINT_KINDS:
        raise InvalidData(
            "unknown reception point",
            {"reception_point.kind": [f"Chỉ nhận: {', '.join(RECEPTION_POINT_KINDS)}."]},
        )
    if kind != "counter" and not str(point.get("name") or "").strip():
        raise InvalidData(
            "name the reception point",
            {"reception_point.name": ["Nhập tên điểm tiếp nhận (thôn, cơ sở y tế...)."]},
        )


def receive(
    session: Session,
    actor: Actor,
    submission: Submission,
    *,
    now: datetime,
    extra_event_detail: dict[str, Any] | None = None,
) -> Dossier:
    """Code the dossier, start its workflow and open the first tasks, inside the caller's write
    transaction; the caller commits."""
    receiving = _receiving_unit(session, actor, submission.unit)
    competent = _competent_unit(session, receiving, submission.unit)
    version = _current_version(session, submission.procedure_code)
    compiled = compiled_for(session, spec_key_of(version), version.id)
    point = submission.reception_point or {}
    due = calendar.limit_due_at(now, version.time_limit_days, version.time_limit_unit)
    dossier = Dossier(
        code=_next_code(session, receiving, now),
        lookup_key=new_lookup_key(session),
        procedure_id=version.procedure_id,
        procedure_version_id=version.id,
        spec_key=spec_key_of(version),
        status="received",
        channel=submission.channel,
        applicant=submission.applicant,
        data=submission.data,
        receiving_unit_id=receiving.id,
        competent_unit_id=competent.id,
        reception_point_kind=point.get("kind", "counter"),
        reception_point_name=str(point.get("name") or "").strip() or receiving.name,
        received_at=now,
        due_at=due,
        original_due_at=due,
        paused_days=0,
        fee_amount=fees.amount_due(version.fee_rule, submission.data),
        fee_paid=False,
        created_by=actor.user_id,
    )
    session.add(dossier)
    session.flush()
    workflow = runtime.start(
        compiled,
        {"applicant": submission.applicant, "channel": submission.channel, **submission.data},
    )
    session.add(
        WorkflowState(
            dossier_id=dossier.id,
            serializer_version=serializer.SERIALIZER_VERSION,
            state=serializer.dump(workflow),
        )
    )
    session.add(_received_event(dossier, version, actor, now, extra_event_detail or {}))
    if dossier.fee_amount:
        session.add(fee_event(dossier, actor.user_id, now))
    sync_tasks(
        session,
        dossier,
        runtime.ready_steps(workflow, compiled),
        actor_id=actor.user_id,
        from_unit_id=receiving.id,
        now=now,
    )
    timers.schedule_waiting(session, dossier, workflow, now)
    announce(session, dossier, previous=None, now=now)
    return dossier


def _received_event(
    dossier: Dossier,
    version: ProcedureVersion,
    actor: Actor,
    now: datetime,
    extra: dict[str, Any],
) -> Event:
    return event(
        dossier.id,
        "received",
        now,
        actor_id=actor.user_id,
        unit_id=dossier.receiving_unit_id,
        to_unit_id=dossier.competent_unit_id,
        detail={
            "channel": dossier.channel,
            "procedure_version": version.number,
            "reception_point": {
                "kind": dossier.reception_point_kind,
                "name": dossier.reception_point_name,
            },
            **extra,
        },
    )


def _receiving_unit(session: Session, actor: Actor, competent_code: str | None) -> Unit:
    """The actor's reception desk: the competent unit itself if they serve there, else a commune."""
    unit_ids = actor.units_with("reception")
    if not unit_ids:
        raise Forbidden("only reception staff may receive dossiers", role="reception")
    desks = session.scalars(select(Unit).where(Unit.id.in_(unit_ids)).order_by(Unit.id)).all()
    for desk in desks:
        if desk.code == competent_code:
            return desk
    return next((desk for desk in desks if desk.kind != "province"), desks[0])


def _competent_unit(session: Session, receiving: Unit, code: str | None) -> Unit:
    """Any commune or ward of the receiving unit's province: no administrative boundaries."""
    if code is None:
        if receiving.kind == "province":
            raise InvalidData("name the competent unit", {"unit": ["Chọn đơn vị có thẩm quyền."]})
        return receiving
    unit = unit_by_code(session, code)
    if unit.kind == "province" or province_of(session, unit) != province_of(session, receiving):
        raise InvalidData(
            "the competent unit must be a commune or ward of the same province",
            {"unit": ["Đơn vị phải là xã/phường cùng tỉnh."]},
        )
    return unit


def _current_version(session: Session, code: str) -> ProcedureVersion:
    row = session.execute(
        select(ProcedureVersion)
        .join(Procedure, Procedure.current_version_id == ProcedureVersion.id)
        .where(Procedure.code == code)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"procedure {code!r} not found", what="procedure", code=code)
    return row


def _next_code(session: Session, unit: Unit, now: datetime) -> str:
    """`<unit>-<YYMMDD>-<NNNN>`: a daily sequence per receiving unit, under the write lock."""
    day = now.astimezone(calendar.LOCAL_TZ).strftime("%y%m%d")
    counter = session.scalars(
        select(DossierCounter)
        .where(DossierCounter.unit_id == unit.id, DossierCounter.day == day)
        .with_for_update()
    ).one_or_none()
    if counter is None:
        counter = DossierCounter(unit_id=unit.id, day=day, last=0)
        session.add(counter)
    counter.last += 1
    return f"{unit.code}-{day}-{counter.last:04d}"
