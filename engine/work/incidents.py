"""Incidents: when a designer's script or condition fails, the command is rolled back (the dossier
stays as it was) and the failure is kept in its own transaction, with the submitted data, so an
administrator can run it again once the diagram is fixed. This module records them; commands that
may fail are wrapped in engine/incident_commands.py, retried by engine/incident_retry.py."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.dossiers.receive import Submission
from engine.errors import WorkflowIncident
from engine.instance.events import event
from engine.models import AwaitedEvent
from engine.models import Dossier
from engine.models import Incident
from engine.models import Procedure
from engine.models import Task
from engine.models import Timer
from engine.models import Unit
from engine.store.db import utcnow
from engine.store.uow import UnitOfWork

MAX_MESSAGE = 4000


def failure_message(exc: WorkflowIncident) -> str:
    """The engine's message, plus the root cause it wraps (a time limit, a missing name) when
    the message does not already say it: that is what the designer needs to read."""
    root: BaseException = exc
    while (cause := root.__cause__ or root.__context__) is not None:
        root = cause
    reason = f"{type(root).__name__}: {root}"
    return exc.detail if root is exc or str(root) in exc.detail else f"{exc.detail} ({reason})"


class IncidentRecorded(WorkflowIncident):
    """The command failed in the workflow and nothing changed; `incident_id` names the record."""

    def __init__(self, detail: str, incident_id: int) -> None:
        super().__init__(detail, incident_id=incident_id)
        self.incident_id = incident_id


def record_task_failure(
    uow: UnitOfWork, actor: Actor, task_id: int, data: dict[str, Any], message: str
) -> int:
    """Open an incident on the task (or count one more failure on the open one); commit."""
    uow.begin_write()
    session = uow.session
    task, dossier = session.execute(
        select(Task, Dossier).join(Dossier, Dossier.id == Task.dossier_id).where(Task.id == task_id)
    ).one()
    now = utcnow()
    incident = _open_incident(session, Incident.task_id == task_id)
    if incident is None:
        incident = _new_incident(
            "task_completion", dossier, message, now, actor_id=actor.user_id, data=data
        )
        incident.task_id = task.id
        incident.element_id, incident.step_name = task.element_id, task.name
        _opened(session, incident, dossier, now, task=task)
    else:
        incident.data, incident.actor_id = data, actor.user_id
        refresh(incident, message, now)
    uow.commit()
    return incident.id


def record_start_failure(
    uow: UnitOfWork, actor: Actor, submission: Submission, message: str
) -> int:
    """A dossier whose workflow failed at start was not created: keep the whole submission."""
    uow.begin_write()
    session = uow.session
    procedure = session.scalars(
        select(Procedure).where(Procedure.code == submission.procedure_code)
    ).one()
    unit_id = session.scalar(select(Unit.id).where(Unit.code == submission.unit))
    receiving = actor.units_with("reception")
    now = utcnow()
    incident = Incident(
        kind="start",
        procedure_id=procedure.id,
        procedure_version_id=procedure.current_version_id,
        unit_id=unit_id or (receiving[0] if receiving else None),
        actor_id=actor.user_id,
        data=asdict(submission),
        message=message[:MAX_MESSAGE],
        attempts=1,
        created_at=now,
        last_failed_at=now,
    )
    session.add(incident)
    uow.commit()
    return incident.id


def record_timer_failure(
    session: Session, *, dossier_id: int, timer_id: int, message: str, now: datetime
) -> None:
    """Open (or refresh) the incident of a timer that failed to fire, in the sweep's transaction,
    beside its `timer_failed` event; the sweep commits."""
    incident = _open_incident(session, Incident.timer_id == timer_id)
    if incident is not None:
        refresh(incident, message, now)
        return
    dossier = session.get_one(Dossier, dossier_id)
    timer = session.get_one(Timer, timer_id)
    incident = _new_incident("timer", dossier, message, now, actor_id=None, data={})
    incident.timer_id = timer.id
    incident.element_id, incident.step_name = timer.element_id, timer.name
    _opened(session, incident, dossier, now, task=None)


def record_message_failure(
    uow: UnitOfWork, actor: Actor, dossier_id: int, message: dict[str, Any], reason: str
) -> int:
    """A message from another system the dossier's workflow could not take (nothing moved): keep
    it, with who sent it, to deliver again once the diagram is fixed; commit. One open incident
    per dossier and message name: a new failure counts on it."""
    uow.begin_write()
    session = uow.session
    dossier = session.get_one(Dossier, dossier_id)
    now = utcnow()
    incident = _open_incident(session, _message_incident(dossier_id, message["name"]))
    if incident is None:
        incident = _new_incident(
            "message", dossier, reason, now, actor_id=actor.user_id, data=message
        )
        incident.element_id = session.scalar(
            select(AwaitedEvent.element_id)
            .where(AwaitedEvent.dossier_id == dossier_id, AwaitedEvent.name == message["name"])
            .order_by(AwaitedEvent.id)
            .limit(1)
        )
        incident.step_name = message["name"]
        _opened(session, incident, dossier, now, task=None)
    else:
        incident.data, incident.actor_id = message, actor.user_id
        refresh(incident, reason, now)
    uow.commit()
    return incident.id


def open_message_incident(session: Session, dossier_id: int, name: str) -> Incident | None:
    """The open incident of a message of that name the dossier could not take, if any."""
    return _open_incident(session, _message_incident(dossier_id, name))


def _message_incident(dossier_id: int, name: str) -> ColumnElement[bool]:
    return and_(
        Incident.dossier_id == dossier_id,
        Incident.kind == "message",
        Incident.step_name == name,
    )


def resolve(
    session: Session,
    incident: Incident,
    actor: Actor,
    now: datetime,
    resolution: str,
    *,
    dossier_id: int | None = None,
) -> None:
    incident.resolved_at, incident.resolved_by, incident.resolution = now, actor.user_id, resolution
    incident.dossier_id = incident.dossier_id or dossier_id
    if incident.dossier_id is None:
        return
    dossier = session.get_one(Dossier, incident.dossier_id)
    record = event(
        dossier.id,
        "incident_resolved",
        now,
        actor_id=actor.user_id,
        unit_id=dossier.competent_unit_id,
        detail={"incident_id": incident.id, "kind": incident.kind, "resolution": resolution},
    )
    record.element_id, record.step_name = incident.element_id, incident.step_name
    session.add(record)


STALLED_MESSAGE = (
    "Hồ sơ đang giải quyết nhưng quy trình không chờ gì: không có bước nào mở, không hẹn giờ, "
    "không chờ thông điệp. Sửa sơ đồ và công bố lại, rồi chạy lại; hoặc xử lý hồ sơ bằng tay "
    "(the dossier is in progress but its workflow waits on nothing)."
)


def record_stall(session: Session, *, dossier_id: int, now: datetime) -> bool:
    """Open the incident of a dossier the periodic check found waiting on nothing, unless one is
    open already; whether one was opened. The sweep commits."""
    if _open_incident(session, Incident.dossier_id == dossier_id) is not None:
        return False
    dossier = session.get_one(Dossier, dossier_id)
    incident = _new_incident("stalled", dossier, STALLED_MESSAGE, now, actor_id=None, data={})
    _opened(session, incident, dossier, now, task=None)
    return True


def refresh(incident: Incident, message: str, now: datetime) -> None:
    """One more failed run: the newest message replaces the old."""
    incident.attempts += 1
    incident.message = message[:MAX_MESSAGE]
    incident.last_failed_at = now


def _open_incident(session: Session, criterion: ColumnElement[bool]) -> Incident | None:
    return session.scalars(
        select(Incident).where(criterion, Incident.resolved_at.is_(None)).order_by(Incident.id)
    ).first()


def _new_incident(
    kind: str,
    dossier: Dossier,
    message: str,
    now: datetime,
    *,
    actor_id: int | None,
    data: dict[str, Any],
) -> Incident:
    return Incident(
        kind=kind,
        dossier_id=dossier.id,
        procedure_id=dossier.procedure_id,
        procedure_version_id=dossier.procedure_version_id,
        unit_id=dossier.competent_unit_id,
        actor_id=actor_id,
        data=data,
        message=message[:MAX_MESSAGE],
        attempts=1,
        created_at=now,
        last_failed_at=now,
    )


def _opened(
    session: Session, incident: Incident, dossier: Dossier, now: datetime, *, task: Task | None
) -> None:
    session.add(incident)
    session.flush()
    record = event(
        dossier.id,
        "incident_opened",
        now,
        actor_id=incident.actor_id,
        unit_id=dossier.competent_unit_id,
        task=task,
        detail={"incident_id": incident.id, "kind": incident.kind, "message": incident.message},
    )
    record.element_id, record.step_name = incident.element_id, incident.step_name
    session.add(record)
