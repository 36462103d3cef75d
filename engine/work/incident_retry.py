"""Retrying an incident: move the dossier to the procedure's newest version when the designer
published one, then run the failed command again with the stored data, as the user who first
submitted it. Success resolves the incident; a new failure keeps it open and counts it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.accounts import load_actor
from engine.access.actors import Actor
from engine.dossiers.receive import Submission
from engine.dossiers.receive import submit
from engine.errors import Conflict
from engine.errors import DomainError
from engine.errors import NotFound
from engine.errors import WorkflowIncident
from engine.models import AwaitedEvent
from engine.models import Dossier
from engine.models import Incident
from engine.models import Task
from engine.models import Timer
from engine.queries.incidents import IncidentView
from engine.queries.incidents import get_incident
from engine.queries.incidents import require_admin
from engine.queries.stalls import stalled_dossiers
from engine.store.db import utcnow
from engine.store.uow import UnitOfWork
from engine.store.uow import for_update
from engine.work import tasks
from engine.work.incidents import failure_message
from engine.work.incidents import refresh
from engine.work.incidents import resolve
from engine.work.messages import Message
from engine.work.messages import deliver_to
from engine.work.versions import move_to_current

Locked = TypeVar("Locked", Dossier, Incident)

Command = Callable[[UnitOfWork, Actor], int | None]
"""Runs the failed command again as its original user; returns the dossier id it touched."""


def retry(new_uow: Callable[[], UnitOfWork], actor: Actor, incident_id: int) -> IncidentView:
    """Run the incident's command again; the incident as it stands afterwards."""
    require_admin(actor)
    with new_uow() as uow:
        command = _prepare(uow, actor, incident_id)
    if command is not None:
        _run(new_uow, actor, incident_id, command)
    with new_uow() as uow:
        return get_incident(uow.session, actor, incident_id)


def _prepare(uow: UnitOfWork, actor: Actor, incident_id: int) -> Command | None:
    """Lock the dossier, then the incident; move the instance to a newer version; commit. The
    command to run next, or None when the incident was settled here."""
    uow.begin_write()
    session = uow.session
    dossier_id = session.scalar(select(Incident.dossier_id).where(Incident.id == incident_id))
    dossier = _lock(session, Dossier, dossier_id) if dossier_id else None
    incident = _lock(session, Incident, incident_id)
    if incident is None:
        raise NotFound(f"incident {incident_id} not found", what="incident", id=incident_id)
    if incident.resolved_at is not None:
        raise Conflict("this incident is already resolved", incident_id=incident_id)
    now = utcnow()
    if dossier is not None:
        move_to_current(session, dossier, actor_id=actor.user_id, now=now)
    command: Command | None = None
    if incident.kind == "timer":
        _rearm(session, actor, incident, now)
    elif incident.kind == "stalled":
        _recheck(session, actor, incident, now)
    elif incident.kind == "start":
        command = _start_command(dict(incident.data))
    elif incident.kind == "message":
        if dossier is None or not _still_awaited(session, dossier.id, incident.data["name"]):
            resolve(session, incident, actor, now, "task_closed")
        else:
            command = _deliver_command(dossier.id, dict(incident.data))
    else:
        task = session.get(Task, incident.task_id) if incident.task_id else None
        if task is None or task.state != "open":
            resolve(session, incident, actor, now, "task_closed")
        else:
            command = _complete_command(task.id, dict(incident.data))
    uow.commit()
    return command


def _lock(session: Session, model: type[Locked], ident: int) -> Locked | None:
    row: Locked | None = session.scalars(
        for_update(select(model).where(model.id == ident))
    ).one_or_none()
    return row


def _rearm(session: Session, actor: Actor, incident: Incident, now: datetime) -> None:
    """Hand the timer back to the sweep, due again, with its retries reset (a new failure opens a
    new incident): the sweep fires it in its own transaction, as any timer."""
    timer = session.get(Timer, incident.timer_id) if incident.timer_id else None
    if timer is None or timer.state in ("fired", "cancelled"):
        resolve(session, incident, actor, now, "task_closed")
        return
    timer.state, timer.attempts, timer.last_error = "waiting", 0, None
    timer.next_attempt_at = timer.due_at  # due already: the next sweep claims it
    resolve(session, incident, actor, now, "timer_rearmed")


def _recheck(session: Session, actor: Actor, incident: Incident, now: datetime) -> None:
    """A stalled dossier that waits on something again (handled by hand, or its new version
    opened a step) is settled; one still waiting on nothing stays open, counted once more."""
    dossier_id = incident.dossier_id or 0  # a stall is always a dossier's
    if stalled_dossiers(session, limit=1, dossier_id=dossier_id):
        refresh(incident, incident.message, now)
    else:
        resolve(session, incident, actor, now, "moving")


def _complete_command(task_id: int, data: dict[str, Any]) -> Command:
    def run(uow: UnitOfWork, original: Actor) -> int | None:
        tasks.complete(uow, original, task_id, data)
        return None

    return run


def _still_awaited(session: Session, dossier_id: int, name: str) -> bool:
    awaited = select(AwaitedEvent.id).where(
        AwaitedEvent.dossier_id == dossier_id, AwaitedEvent.name == name
    )
    return session.scalar(awaited.limit(1)) is not None


def _deliver_command(dossier_id: int, data: dict[str, Any]) -> Command:
    """Deliver the kept message again, as its sender."""

    def run(uow: UnitOfWork, original: Actor) -> int | None:
        if not deliver_to(uow, original, dossier_id, Message(**data), settles=False):
            raise Conflict("the dossier no longer waits for this message")
        return dossier_id

    return run


def _start_command(data: dict[str, Any]) -> Command:
    def run(uow: UnitOfWork, original: Actor) -> int | None:
        return submit(uow, original, Submission(**data)).id

    return run


def _run(
    new_uow: Callable[[], UnitOfWork], actor: Actor, incident_id: int, command: Command
) -> None:
    try:
        with new_uow() as uow:
            actor_id = uow.session.get_one(Incident, incident_id).actor_id
            if actor_id is None:
                raise Conflict("the incident names no user to act as")
            original = load_actor(uow.session, actor_id)
        with new_uow() as uow:
            dossier_id = command(uow, original)
    except DomainError as exc:  # a workflow failure again; or the fixed form asks for more
        message = (
            failure_message(exc)
            if isinstance(exc, WorkflowIncident)
            else f"{exc.code}: {exc.detail}"
        )
        _settle(new_uow, incident_id, lambda s, i: refresh(i, message, utcnow()))
        return
    _settle(
        new_uow,
        incident_id,
        lambda s, i: resolve(s, i, actor, utcnow(), "retried", dossier_id=dossier_id),
    )


def _settle(
    new_uow: Callable[[], UnitOfWork],
    incident_id: int,
    change: Callable[[Session, Incident], None],
) -> None:
    """Apply `change` to the incident if it is still open (a concurrent retry may have won)."""
    with new_uow() as uow:
        uow.begin_write()
        incident = _lock(uow.session, Incident, incident_id)
        if incident is not None and incident.resolved_at is None:
            change(uow.session, incident)
            uow.commit()
