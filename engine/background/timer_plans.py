"""What firing one instance's due timers changes, worked out in memory before anything is written:
an instance that fails leaves nothing half-done behind, and a batch of instances is then written
with a few statements instead of a dozen per instance (see engine/timer_writes.py)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.bpmn import runtime
from engine.bpmn import script_output
from engine.bpmn import serializer
from engine.bpmn.runtime import ReadyStep
from engine.bpmn.runtime import WaitingTimer
from engine.bpmn.script_output import Printed
from engine.bpmn.versions import compiled_for
from engine.errors import WorkflowIncident
from engine.instance.awaited import Waits
from engine.instance.awaited import awaited_now
from engine.instance.task_rows import task_changes
from engine.instance.timers import timer_diff
from engine.rules.backoff import retry_at
from engine.rules.status import STATUSES


@dataclass(frozen=True)
class ClaimedDossier:
    """The columns of a dossier locked by a sweeper that firing needs."""

    id: int
    status: str
    spec_key: str
    version_id: int
    unit_id: int


@dataclass(frozen=True)
class TimerRow:
    """A waiting `timer` row as loaded; a changed copy of it is what gets written back."""

    id: int
    dossier_id: int
    spiff_task_id: str
    element_id: str
    name: str
    state: str
    due_at: datetime
    next_attempt_at: datetime
    attempts: int
    fired_at: datetime | None
    last_error: str | None


@dataclass
class Firing:
    """One instance's share of a batch: the rows to write, or the failure to record."""

    dossier: ClaimedDossier
    due: list[TimerRow]
    """The claimed rows: waiting and due when the batch loaded them."""
    fired: list[WaitingTimer] = field(default_factory=list)
    state: str | None = None
    """The new saved workflow state, when the instance moved."""
    timers: list[TimerRow] = field(default_factory=list)
    """Changed rows (fired, moved, cancelled, failed)."""
    new_timers: list[WaitingTimer] = field(default_factory=list)
    cancelled_tasks: list[int] = field(default_factory=list)
    new_tasks: list[ReadyStep] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    """Event rows (timer_fired, timer_failed) as column values; task_created ones come later."""
    completed: bool = False
    outcome: str | None = None
    error: str | None = None
    awaited: Waits | None = None
    """What the moved instance waits on now (engine.instance.awaited); None: unchanged."""


def plan_firing(
    session: Session,
    dossier: ClaimedDossier,
    *,
    waiting: list[TimerRow],
    state: str,
    open_tasks: list[tuple[int, str]],
    now: datetime,
) -> Firing:
    """Fire every due timer of the instance in memory; raises if the instance cannot fire the
    claimed ones. `open_tasks` are (id, spiff task id) of the dossier's open task rows."""
    due = [row for row in waiting if row.next_attempt_at <= now]
    firing = Firing(dossier, due)
    if STATUSES[dossier.status].final:
        firing.timers = [replace(row, state="cancelled") for row in waiting]
        return firing
    compiled = compiled_for(session, dossier.spec_key, dossier.version_id)
    workflow = serializer.load(state, compiled)
    firing.fired = runtime.fire_timers(workflow, now)
    if runtime.stalls(workflow, runtime.ready_steps(workflow, compiled)):
        raise WorkflowIncident("after the timer the workflow waits on nothing: no step is ready")
    changed: dict[int, TimerRow] = {}
    if firing.fired:
        firing.state = serializer.dump(workflow)
        fired_ids = {timer.spiff_task_id for timer in firing.fired}
        for row in waiting:
            if row.spiff_task_id in fired_ids:
                changed[row.id] = replace(row, state="fired", fired_at=now)
        firing.events = [_fired_event(dossier, timer, now) for timer in firing.fired]
        firing.events += [
            _printed_event(dossier, item, now) for item in script_output.take(workflow)
        ]
        changes = task_changes(open_tasks, runtime.ready_steps(workflow, compiled))
        firing.cancelled_tasks, firing.new_tasks = changes.cancelled, changes.opened
        firing.completed = runtime.is_completed(workflow)
        firing.outcome = runtime.outcome(workflow) if firing.completed else None
        firing.awaited = awaited_now(workflow)
    still_waiting = [row for row in waiting if row.id not in changed]
    diff = timer_diff(still_waiting, runtime.waiting_timers(workflow))
    firing.new_timers = diff.new
    for row, due_at in diff.moved:
        changed[row.id] = replace(
            row, due_at=due_at, next_attempt_at=due_at, attempts=0, last_error=None
        )
    for row in diff.cancelled:
        changed[row.id] = replace(row, state="cancelled")
    for row in due:
        current = changed.get(row.id, row)
        if current.state == "waiting" and current.next_attempt_at <= now:
            raise RuntimeError("the instance did not fire this timer although it is due")
    firing.timers = list(changed.values())
    return firing


def failed(
    dossier: ClaimedDossier, due: list[TimerRow], error: str, now: datetime, max_attempts: int
) -> Firing:
    """The failure stays on the claimed rows: retried later with backoff, given up after
    `max_attempts`; an incident event on the first failure and on giving up."""
    firing = Firing(dossier, due, error=error)
    for row in due:
        attempts = row.attempts + 1
        gave_up = attempts >= max_attempts
        updated = replace(
            row,
            attempts=attempts,
            last_error=error,
            state="failed" if gave_up else row.state,
            next_attempt_at=row.next_attempt_at if gave_up else retry_at(now, attempts),
        )
        firing.timers.append(updated)
        if gave_up or attempts == 1:
            firing.events.append(_failed_event(dossier, updated, now, will_retry=not gave_up))
    return firing


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:4000]


def event_values(
    dossier: ClaimedDossier,
    kind: str,
    now: datetime,
    *,
    element_id: str,
    step_name: str,
    detail: dict[str, Any],
    to_unit_id: int | None = None,
) -> dict[str, Any]:
    """An `event` row of the background (no actor), every column set but `task_id` (see
    engine/timer_writes.py) so the rows insert as one statement."""
    return {
        "dossier_id": dossier.id,
        "kind": kind,
        "at": now,
        "actor_id": None,
        "unit_id": dossier.unit_id,
        "to_unit_id": to_unit_id,
        "element_id": element_id,
        "step_name": step_name,
        "detail": detail,
    }


def _fired_event(dossier: ClaimedDossier, timer: WaitingTimer, now: datetime) -> dict[str, Any]:
    return event_values(
        dossier,
        "timer_fired",
        now,
        element_id=timer.element_id,
        step_name=timer.name,
        detail={"due_at": timer.due_at.isoformat()},
    )


def _printed_event(dossier: ClaimedDossier, item: Printed, now: datetime) -> dict[str, Any]:
    """What a script run after the timer printed, for the dossier's history (as a step's)."""
    return event_values(
        dossier,
        "script_printed",
        now,
        element_id=item.element_id,
        step_name=item.name,
        detail={"lines": list(item.lines)},
    )


def _failed_event(
    dossier: ClaimedDossier, row: TimerRow, now: datetime, *, will_retry: bool
) -> dict[str, Any]:
    return event_values(
        dossier,
        "timer_failed",
        now,
        element_id=row.element_id,
        step_name=row.name,
        detail={"error": row.last_error, "attempts": row.attempts, "will_retry": will_retry},
    )
