"""The timer rows a dossier waits on, kept in step with its workflow after every command that
advances it (the sweep in engine.background.timers fires them when due)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from typing import Generic
from typing import Protocol
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn import runtime
from engine.bpmn.runtime import WaitingTimer
from engine.bpmn.runtime import Workflow
from engine.models import Dossier
from engine.models import Timer


class ScheduledTimer(Protocol):
    """A timer row as the rescheduling sees it: an ORM `Timer` or a loaded `TimerRow`."""

    @property
    def spiff_task_id(self) -> str: ...

    @property
    def due_at(self) -> datetime: ...


RowT = TypeVar("RowT", bound=ScheduledTimer)


@dataclass(frozen=True)
class TimerDiff(Generic[RowT]):
    """How a dossier's waiting timer rows must change to match what its workflow waits on."""

    new: list[WaitingTimer]
    moved: list[tuple[RowT, datetime]]
    cancelled: list[RowT]


def timer_diff(rows: list[RowT], waiting: list[WaitingTimer]) -> TimerDiff[RowT]:
    """The rescheduling rule, shared by commands (ORM rows) and the sweep (rows it loaded)."""
    by_task = {row.spiff_task_id: row for row in rows}
    new, moved = [], []
    for timer in waiting:
        row = by_task.pop(timer.spiff_task_id, None)
        if row is None:
            new.append(timer)
        elif row.due_at != timer.due_at:
            moved.append((row, timer.due_at))
    return TimerDiff(new, moved, list(by_task.values()))


def schedule_waiting(
    session: Session, dossier: Dossier, workflow: Workflow, now: datetime, *, rebound: bool = False
) -> None:
    """Make the dossier's waiting timer rows match the workflow: add new ones, move changed due
    times, cancel the ones it no longer waits on. Call after every command that advanced it.
    A diagram without timers has no rows to read, unless the instance was just `rebound` to a
    new version (its old version's timers go)."""
    if not rebound and not runtime.uses_timers(workflow):
        return
    with session.no_autoflush:
        rows = session.scalars(
            select(Timer).where(Timer.dossier_id == dossier.id, Timer.state == "waiting")
        ).all()
    diff = timer_diff(list(rows), runtime.waiting_timers(workflow))
    for waiting in diff.new:
        session.add(Timer(**new_timer_values(dossier.id, waiting, now)))
    for row, due_at in diff.moved:
        row.due_at = row.next_attempt_at = due_at
        row.attempts, row.last_error = 0, None
    for row in diff.cancelled:
        row.state = "cancelled"


def new_timer_values(dossier_id: int, waiting: WaitingTimer, now: datetime) -> dict[str, Any]:
    """The columns of a new waiting timer row: a command's step and the sweep's batch write
    them alike."""
    return {
        "dossier_id": dossier_id,
        "spiff_task_id": waiting.spiff_task_id,
        "element_id": waiting.element_id,
        "name": waiting.name,
        "state": "waiting",
        "due_at": waiting.due_at,
        "next_attempt_at": waiting.due_at,
        "attempts": 0,
        "created_at": now,
    }
