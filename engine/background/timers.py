"""BPMN timer events: which ones an instance waits on (a row each, kept in step after every
command), and firing them when due. A sweeper claims a batch of due timers per transaction; each
instance fires on its own, so a broken one never holds up the others: its failure is recorded on
its rows and retried later with backoff."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.background.timer_plans import ClaimedDossier
from engine.background.timer_plans import Firing
from engine.background.timer_plans import TimerRow
from engine.background.timer_plans import describe
from engine.background.timer_plans import failed
from engine.background.timer_plans import plan_firing
from engine.background.timer_writes import write
from engine.instance.step import Mover
from engine.instance.step import move_status
from engine.models import Dossier
from engine.models import Task
from engine.models import Timer
from engine.models import WorkflowState
from engine.store.uow import UnitOfWork
from engine.store.uow import for_update
from engine.work.incidents import record_timer_failure

DEFAULT_MAX_ATTEMPTS = 10
BATCH_SIZE = 50
"""Due timers claimed per transaction: the claim, loads and commit are shared by the batch."""


@dataclass(frozen=True)
class FireOutcome:
    timer_id: int
    """The first claimed timer of the instance."""
    dossier_id: int
    fired: int
    """How many timers of the instance fired (all that were due, usually one)."""
    error: str | None = None


@dataclass(frozen=True)
class Batch:
    claimed: int
    """Dossiers locked; 0 when no due timer was left to claim."""
    outcomes: list[FireOutcome]


def fire_batch(
    uow: UnitOfWork,
    *,
    now: datetime,
    size: int = BATCH_SIZE,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> Batch:
    """Lock the dossiers of up to `size` due timers that nobody else holds (`FOR UPDATE OF dossier
    SKIP LOCKED` on PostgreSQL; SQLite's write lock serialises sweepers), fire each instance,
    write the batch, commit once."""
    uow.begin_write()
    session = uow.session
    dossiers = _claim(session, now, size)
    if not dossiers:
        return Batch(0, [])
    ids = [dossier.id for dossier in dossiers]
    waiting, states, open_tasks = _load(session, ids)
    firings = []
    for dossier in dossiers:
        rows = waiting.get(dossier.id, [])
        due = [row for row in rows if row.next_attempt_at <= now]
        if not due:
            continue  # fired by another sweeper that committed after our claim read the rows
        try:
            firings.append(
                plan_firing(
                    session,
                    dossier,
                    waiting=rows,
                    state=states[dossier.id],
                    open_tasks=open_tasks.get(dossier.id, []),
                    now=now,
                )
            )
        except Exception as exc:  # any failure stays on this instance's timers; the batch goes on
            firings.append(failed(dossier, due, describe(exc), now, max_attempts))
    written = _write_batch(session, firings, now, max_attempts)
    for firing in written:
        if firing.error is not None:  # admins see it in the incident list, with retry
            for row in firing.due:
                record_timer_failure(
                    session,
                    dossier_id=firing.dossier.id,
                    timer_id=row.id,
                    message=firing.error,
                    now=now,
                )
    uow.commit()
    return Batch(len(dossiers), [_outcome(firing) for firing in written])


def _claim(session: Session, now: datetime, size: int) -> list[ClaimedDossier]:
    """Locks go dossier first, as in every command; a dossier someone holds is skipped, and its
    timers wait for the next pass. Ordered by due time alone, which `ix_timer_due` serves, so the
    scan stops after `size` rows (a tie-break on id made PostgreSQL join and sort every due timer
    on each claim). The timer columns read here may be stale: `_load` rereads them."""
    rows = session.execute(
        for_update(
            select(
                Dossier.id,
                Dossier.status,
                Dossier.spec_key,
                Dossier.procedure_version_id,
                Dossier.competent_unit_id,
            )
            .join(Timer, Timer.dossier_id == Dossier.id)
            .where(Timer.state == "waiting", Timer.next_attempt_at <= now)
            .order_by(Timer.next_attempt_at)
            .limit(size),
            of=Dossier,
            skip_locked=True,
        )
    ).all()
    return list({row[0]: ClaimedDossier(*row) for row in rows}.values())


def _load(
    session: Session, ids: list[int]
) -> tuple[dict[int, list[TimerRow]], dict[int, str], dict[int, list[tuple[int, str]]]]:
    """The locked dossiers' waiting timers, saved states and open task rows, one query each;
    read after the locks, so another sweeper's committed work shows."""
    waiting: dict[int, list[TimerRow]] = {}
    for row in session.execute(
        select(
            Timer.id,
            Timer.dossier_id,
            Timer.spiff_task_id,
            Timer.element_id,
            Timer.name,
            Timer.state,
            Timer.due_at,
            Timer.next_attempt_at,
            Timer.attempts,
            Timer.fired_at,
            Timer.last_error,
        )
        .where(Timer.dossier_id.in_(ids), Timer.state == "waiting")
        .order_by(Timer.id)
    ):
        waiting.setdefault(row.dossier_id, []).append(TimerRow(*row))
    states: dict[int, str] = {
        dossier_id: state
        for dossier_id, state in session.execute(
            select(WorkflowState.dossier_id, WorkflowState.state).where(
                WorkflowState.dossier_id.in_(ids)
            )
        )
    }
    open_tasks: dict[int, list[tuple[int, str]]] = {}
    for task_id, dossier_id, spiff_task_id in session.execute(
        select(Task.id, Task.dossier_id, Task.spiff_task_id).where(
            Task.dossier_id.in_(ids), Task.state == "open"
        )
    ):
        open_tasks.setdefault(dossier_id, []).append((task_id, spiff_task_id))
    return waiting, states, open_tasks


def _write_batch(
    session: Session, firings: list[Firing], now: datetime, max_attempts: int
) -> list[Firing]:
    """Write the batch at once; if the database refuses it, each instance in its own savepoint,
    so only the instance whose rows it refuses gets a failure. An instance that ends goes alone,
    since ending writes through the ORM (status change, notices, webhooks)."""
    together = [firing for firing in firings if not firing.completed]
    alone = [firing for firing in firings if firing.completed]
    if together:
        try:
            with session.begin_nested():
                write(session, together, now)
        except Exception:  # a row was refused: find out whose, one instance at a time
            together, alone = [], together + alone
    return together + [_write_alone(session, firing, now, max_attempts) for firing in alone]


def _write_alone(session: Session, firing: Firing, now: datetime, max_attempts: int) -> Firing:
    try:
        with session.begin_nested():
            write(session, [firing], now)
            if firing.completed:
                _finish(session, firing, now)
        return firing
    except Exception as exc:  # this instance's failure, recorded on its timers
        failure = failed(firing.dossier, firing.due, describe(exc), now, max_attempts)
        write(session, [failure], now)
        return failure


def _finish(session: Session, firing: Firing, now: datetime) -> None:
    """A timer may end the instance (an interrupting timer leading to an end event)."""
    dossier = session.get_one(Dossier, firing.dossier.id)
    by = Mover(actor_id=None, from_unit_id=None, now=now)
    move_status(session, dossier, completed=True, outcome=firing.outcome, by=by)


def _outcome(firing: Firing) -> FireOutcome:
    return FireOutcome(firing.due[0].id, firing.dossier.id, len(firing.fired), firing.error)


def fire_due(
    new_uow: Callable[[], UnitOfWork],
    *,
    now: datetime,
    limit: int = 500,
    size: int = BATCH_SIZE,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> list[FireOutcome]:
    """Fire due timers, a batch per transaction, until none is left to claim (or about `limit`
    instances were handled)."""
    outcomes: list[FireOutcome] = []
    while len(outcomes) < limit:
        with new_uow() as uow:
            batch = fire_batch(uow, now=now, size=size, max_attempts=max_attempts)
        if not batch.claimed:
            break
        outcomes += batch.outcomes
    return outcomes
