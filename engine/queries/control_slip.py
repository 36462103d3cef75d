"""Form 05, the process control slip: one row per hand-over, derived from the event log alone."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime
from typing import Any

from engine.rules.timeliness import classify
from engine.views import UnitRef
from engine.views import UserRef

HANDOVER_KINDS = frozenset(
    {
        "received",
        "task_created",
        "supplement_requested",
        "supplement_received",
        "refused",
        "withdrawn",
        "stopped",
        "result_returned",
    }
)
"""Events that move the dossier from one party to another; `task_claimed` and
`task_completed` fill in the receiving side of the row their task opened."""


@dataclass(frozen=True)
class TrailEvent:
    """One event row as the control slip needs it."""

    kind: str
    at: datetime
    actor: UserRef | None
    unit: UnitRef | None
    to_unit: UnitRef | None
    task_id: int | None
    step_name: str | None
    detail: Mapping[str, Any]


@dataclass(frozen=True)
class TaskState:
    state: str
    due_at: datetime | None


@dataclass(frozen=True)
class ControlRow:
    """`from_unit`/`to_unit` None means the applicant; `outcome` is a code the slip labels."""

    kind: str
    from_unit: UnitRef | None
    to_unit: UnitRef | None
    handed_at: datetime
    giver: str | None
    taken_at: datetime | None
    taker: str | None
    step_name: str | None
    outcome: str
    done_at: datetime | None
    timeliness: str | None
    """early, on_time or late for a finished step with a due time (engine.rules.timeliness)."""
    note: str | None
    method: str | None
    """Channel of receipt or way of return, as a code."""
    tracking_number: str | None


_TASK_PROGRESS = frozenset({"task_claimed", "task_completed", "task_cancelled"})
_TO_APPLICANT = frozenset({"supplement_requested", "refused", "stopped", "result_returned"})
_FROM_APPLICANT = frozenset({"supplement_received", "withdrawn"})


def control_rows(
    events: Sequence[TrailEvent],
    tasks: Mapping[int, TaskState],
    *,
    applicant_name: str | None,
) -> list[ControlRow]:
    """The rows in order of hand-over; a task's row shows who took it and when it was done."""
    rows: list[ControlRow] = []
    task_rows: dict[int, int] = {}
    for item in events:
        if item.kind == "task_created" and item.task_id is not None:
            task_rows[item.task_id] = len(rows)
            rows.append(_task_row(item, tasks.get(item.task_id)))
        elif item.kind in _TASK_PROGRESS and item.task_id in task_rows:
            index = task_rows[item.task_id]
            rows[index] = _taken(rows[index], item, tasks.get(item.task_id))
        elif item.kind in HANDOVER_KINDS:
            rows.append(_event_row(item, applicant_name))
    return rows


def _task_row(item: TrailEvent, task: TaskState | None) -> ControlRow:
    state = task.state if task else "open"
    return ControlRow(
        kind="task",
        from_unit=item.unit,
        to_unit=item.to_unit,
        handed_at=item.at,
        giver=item.actor.full_name if item.actor else None,
        taken_at=None,
        taker=None,
        step_name=item.step_name,
        outcome="processing" if state == "completed" else state,
        done_at=None,
        timeliness=None,
        note=None,
        method=None,
        tracking_number=None,
    )


def _taken(row: ControlRow, item: TrailEvent, task: TaskState | None) -> ControlRow:
    if item.kind == "task_cancelled":
        return replace(row, outcome="cancelled", done_at=item.at)
    who = item.actor.full_name if item.actor else None
    row = replace(row, taken_at=row.taken_at or item.at, taker=row.taker or who)
    if item.kind != "task_completed":
        return row
    due_at = task.due_at if task else None
    return replace(
        row,
        taker=who or row.taker,
        outcome="completed",
        done_at=item.at,
        timeliness=None
        if due_at is None
        else classify(due_at=due_at, finished_at=item.at, paused=False, now=item.at),
    )


def _event_row(item: TrailEvent, applicant_name: str | None) -> ControlRow:
    """A hand-over between the one-stop desk and the applicant, or the reception itself."""
    who = item.actor.full_name if item.actor else None
    from_applicant = item.kind in _FROM_APPLICANT
    to_applicant = item.kind in _TO_APPLICANT
    return ControlRow(
        kind=item.kind,
        from_unit=None if from_applicant else item.unit,
        to_unit=None if to_applicant else (item.to_unit or item.unit),
        handed_at=item.at,
        giver=applicant_name if from_applicant else who,
        taken_at=item.at,
        taker=applicant_name if to_applicant else (who if from_applicant else None),
        step_name=item.step_name,
        outcome=item.kind,
        done_at=item.at,
        timeliness=None,
        note=_note(item.detail),
        method=_text(item.detail.get("channel") or item.detail.get("method")),
        tracking_number=_text(item.detail.get("tracking_number")),
    )


def _note(detail: Mapping[str, Any]) -> str | None:
    parts = [str(detail[key]) for key in ("reason", "note") if detail.get(key)]
    items = detail.get("items")
    if isinstance(items, list) and items:
        parts.append("; ".join(str(entry) for entry in items))
    return " – ".join(parts) or None


def _text(value: Any) -> str | None:
    return str(value) if value else None
