"""Writes the planned changes of a batch of fired instances with one Core statement per table and
kind (executemany): the ORM unit of work cost more than the workflows themselves."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import bindparam
from sqlalchemy import insert
from sqlalchemy import update
from sqlalchemy.orm import Session

from engine.background.timer_plans import Firing
from engine.background.timer_plans import TimerRow
from engine.background.timer_plans import event_values
from engine.instance.awaited import write_awaited
from engine.instance.events import INSERT_FINDING_TASK
from engine.instance.step import SAVE_STATE
from engine.instance.task_rows import CANCEL_ROW
from engine.instance.task_rows import new_row_values
from engine.instance.timers import new_timer_values
from engine.models import Task
from engine.models import Timer

_UPDATE_TIMER = update(Timer).where(Timer.id == bindparam("row_id"))


def write(session: Session, firings: Sequence[Firing], now: datetime) -> None:
    """Timer rows, task rows, saved states, awaited events, then the events in each instance's
    order."""
    connection = session.connection()
    timers = [_timer_values(row) for firing in firings for row in firing.timers]
    if timers:
        connection.execute(_UPDATE_TIMER, timers)
    new_timers = [
        new_timer_values(firing.dossier.id, timer, now)
        for firing in firings
        for timer in firing.new_timers
    ]
    if new_timers:
        connection.execute(insert(Timer), new_timers)
    cancelled = [{"task_id": task_id, "now": now} for f in firings for task_id in f.cancelled_tasks]
    if cancelled:
        connection.execute(CANCEL_ROW, cancelled)
    _insert_tasks(connection, firings, now)
    states = [{"of_dossier": f.dossier.id, "new_state": f.state} for f in firings if f.state]
    if states:
        connection.execute(SAVE_STATE, states)
    for firing in firings:  # only instances whose diagram catches messages or signals
        write_awaited(session, firing.dossier.id, firing.awaited)
    events = _events(firings, now)
    if events:
        connection.execute(INSERT_FINDING_TASK, events)  # task rows need not come back


def _timer_values(row: TimerRow) -> dict[str, Any]:
    return {
        "row_id": row.id,
        "state": row.state,
        "due_at": row.due_at,
        "next_attempt_at": row.next_attempt_at,
        "attempts": row.attempts,
        "fired_at": row.fired_at,
        "last_error": row.last_error,
    }


def _insert_tasks(connection: Connection, firings: Sequence[Firing], now: datetime) -> None:
    rows = [
        new_row_values(firing.dossier.id, firing.dossier.unit_id, item, now)
        for firing in firings
        for item in firing.new_tasks
    ]
    if rows:
        connection.execute(insert(Task), rows)


def _events(firings: Sequence[Firing], now: datetime) -> list[dict[str, Any]]:
    """Each instance's timer events, then a `task_created` event per task it opened (its row
    found by `INSERT_FINDING_TASK` from the dossier and spiff task ids)."""
    events: list[dict[str, Any]] = []
    for firing in firings:
        events.extend(
            {**values, "task_dossier": None, "task_spiff": None} for values in firing.events
        )
        for item in firing.new_tasks:
            values = event_values(
                firing.dossier,
                "task_created",
                now,
                element_id=item.step.element_id,
                step_name=item.step.name,
                detail={"role": item.step.role},
                to_unit_id=firing.dossier.unit_id,
            )
            events.append(
                {**values, "task_dossier": firing.dossier.id, "task_spiff": item.spiff_task_id}
            )
    return events
