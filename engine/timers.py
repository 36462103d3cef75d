"""BPMN timer events: which ones an instance waits on (a row each, kept in step after every
command), and firing them when due — one timer, one transaction, so a broken instance never holds
up the others; a failure is recorded on the row and retried later with backoff."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.backoff import retry_at
from engine.bpmn import runtime
from engine.bpmn import serializer
from engine.bpmn.runtime import Workflow
from engine.events import event
from engine.models import Dossier
from engine.models import Event
from engine.models import Timer
from engine.models import WorkflowState
from engine.procedures import compiled_for
from engine.status import STATUSES
from engine.status import status_after_step
from engine.status_changes import change_status
from engine.task_rows import sync_tasks
from engine.uow import UnitOfWork

DEFAULT_MAX_ATTEMPTS = 10
CANDIDATES = 20
"""Due timers looked at per claim: enough to get past dossiers other sweepers hold."""


@dataclass(frozen=True)
class FireOutcome:
    timer_id: int
    dossier_id: int
    fired: int
    """How many timers of the instance fired (all that were due, usually one)."""
    error: str | None = None


def schedule_waiting(session: Session, dossier: Dossier, workflow: Workflow, now: datetime) -> None:
    """Make the dossier's waiting timer rows match the workflow: add new ones, move changed due
    times, cancel the ones it no longer waits on. Call after every command that advanced it."""
    if not runtime.uses_timers(workflow):
        return
    by_task = {row.spiff_task_id: row for row in _waiting_rows(session, dossier.id)}
    for waiting in runtime.waiting_timers(workflow):
        row = by_task.pop(waiting.spiff_task_id, None)
        if row is None:
            session.add(
                Timer(
                    dossier_id=dossier.id,
                    spiff_task_id=waiting.spiff_task_id,
                    element_id=waiting.element_id,
                    name=waiting.name,
                    state="waiting",
                    due_at=waiting.due_at,
                    next_attempt_at=waiting.due_at,
                    attempts=0,
                    created_at=now,
                )
            )
        elif row.due_at != waiting.due_at:
            row.due_at = row.next_attempt_at = waiting.due_at
            row.attempts, row.last_error = 0, None
    for row in by_task.values():
        row.state = "cancelled"


def fire_next(
    uow: UnitOfWork, *, now: datetime, max_attempts: int = DEFAULT_MAX_ATTEMPTS
) -> FireOutcome | None:
    """Claim one due timer whose dossier nobody else holds, fire it, commit; None when there is
    nothing left to claim. Locks go dossier first, then timer, as in every command."""
    uow.begin_write()
    session = uow.session
    candidates = session.execute(
        select(Timer.id, Timer.dossier_id)
        .where(Timer.state == "waiting", Timer.next_attempt_at <= now)
        .order_by(Timer.next_attempt_at, Timer.id)
        .limit(CANDIDATES)
    ).all()
    for timer_id, dossier_id in candidates:
        dossier = session.scalars(
            select(Dossier).where(Dossier.id == dossier_id).with_for_update(skip_locked=True)
        ).one_or_none()
        if dossier is None:
            continue  # another sweeper or a user holds it: its timers wait for the next pass
        timer = session.scalars(
            select(Timer)
            .where(Timer.id == timer_id, Timer.state == "waiting", Timer.next_attempt_at <= now)
            .with_for_update()
        ).one_or_none()
        if timer is not None:
            return _fire(uow, dossier, timer, now, max_attempts)
    return None


def _fire(
    uow: UnitOfWork, dossier: Dossier, timer: Timer, now: datetime, max_attempts: int
) -> FireOutcome:
    session = uow.session
    try:
        with session.begin_nested():
            fired = _fire_instance(session, dossier, now)
            if timer.state == "waiting" and timer.next_attempt_at <= now:
                raise RuntimeError("the instance did not fire this timer although it is due")
    except Exception as exc:  # any failure stays on this timer; the sweep goes on
        timer.attempts += 1
        timer.last_error = f"{type(exc).__name__}: {exc}"[:4000]
        gave_up = timer.attempts >= max_attempts
        if gave_up:
            timer.state = "failed"
        else:
            timer.next_attempt_at = retry_at(now, timer.attempts)
        if gave_up or timer.attempts == 1:
            session.add(_failure_event(dossier, timer, now, will_retry=not gave_up))
        outcome = FireOutcome(timer.id, dossier.id, 0, timer.last_error)
        uow.commit()
        return outcome
    uow.commit()
    return FireOutcome(timer.id, dossier.id, fired)


def _failure_event(dossier: Dossier, timer: Timer, now: datetime, *, will_retry: bool) -> Event:
    """An incident on the instance's history: which timer, what went wrong, whether it retries."""
    record = event(
        dossier.id,
        "timer_failed",
        now,
        actor_id=None,
        unit_id=dossier.competent_unit_id,
        detail={"error": timer.last_error, "attempts": timer.attempts, "will_retry": will_retry},
    )
    record.element_id, record.step_name = timer.element_id, timer.name
    return record


def _fire_instance(session: Session, dossier: Dossier, now: datetime) -> int:
    """Fire every due timer of the dossier's workflow and bring the read tables in step."""
    if STATUSES[dossier.status].final:
        for row in _waiting_rows(session, dossier.id):
            row.state = "cancelled"
        return 0
    state = session.get_one(WorkflowState, dossier.id)
    compiled = compiled_for(session, dossier.spec_key, dossier.procedure_version_id)
    workflow = serializer.load(state.state, compiled)
    fired = runtime.fire_timers(workflow, now)
    if fired:
        state.state = serializer.dump(workflow)
        state.steps += 1
        rows = {row.spiff_task_id: row for row in _waiting_rows(session, dossier.id)}
        for timer in fired:
            row = rows.get(timer.spiff_task_id)
            if row is not None:
                row.state, row.fired_at = "fired", now
            record = event(
                dossier.id,
                "timer_fired",
                now,
                actor_id=None,
                unit_id=dossier.competent_unit_id,
                detail={"due_at": timer.due_at.isoformat()},
            )
            record.element_id, record.step_name = timer.element_id, timer.name
            session.add(record)
        sync_tasks(
            session,
            dossier,
            runtime.ready_steps(workflow, compiled),
            actor_id=None,
            from_unit_id=dossier.competent_unit_id,
            now=now,
        )
        _finish_if_completed(session, dossier, workflow, now)
    schedule_waiting(session, dossier, workflow, now)
    return len(fired)


def _finish_if_completed(
    session: Session, dossier: Dossier, workflow: Workflow, now: datetime
) -> None:
    """A timer may end the instance (an interrupting timer leading to an end event)."""
    if not runtime.is_completed(workflow):
        return
    status = status_after_step(
        dossier.status, workflow_completed=True, outcome=runtime.outcome(workflow)
    )
    change_status(session, dossier, status, actor_id=None, now=now)
    dossier.finished_at = now


def _waiting_rows(session: Session, dossier_id: int) -> list[Timer]:
    """Rows still waiting, as this transaction left them (changes not flushed yet count)."""
    with session.no_autoflush:
        rows = session.scalars(
            select(Timer).where(Timer.dossier_id == dossier_id, Timer.state == "waiting")
        )
        return [row for row in rows if row.state == "waiting"]


def fire_due(
    new_uow: Callable[[], UnitOfWork],
    *,
    now: datetime,
    limit: int = 500,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> list[FireOutcome]:
    """Fire due timers one transaction each until none is left to claim (or `limit` reached)."""
    outcomes = []
    for _ in range(limit):
        with new_uow() as uow:
            outcome = fire_next(uow, now=now, max_attempts=max_attempts)
        if outcome is None:
            break
        outcomes.append(outcome)
    return outcomes
