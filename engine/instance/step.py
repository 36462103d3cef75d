"""The one step sequence. Every command that moves a dossier's workflow (receive, complete a task,
end a dossier) calls `advance`, which owns the order: load (or start) the instance, act on it,
sync the task rows with the steps now ready, save the state, keep the waiting timers and the
awaited messages and signals in step, then move the dossier's status. The sweep fires timers
for many dossiers at once and writes them in batches (engine.background.timers), with the same
task rows, timer rule and status rule.

Why one place: the order carries invariants a new command would otherwise have to learn (the
completed row and the state go out while the state is serialized; the dossier's changed columns
are written once, after its status; an ended instance has no open row and no waiting timer).
Round trips are the store's business: the writes here wait on the connection and go out with
the commit (engine.store.write_behind), so a command reads in its business order.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn import runtime
from engine.bpmn import script_output
from engine.bpmn import serializer
from engine.bpmn.compiler import CompiledProcedure
from engine.bpmn.runtime import Workflow
from engine.bpmn.versions import compiled_for
from engine.errors import WorkflowIncident
from engine.instance import awaited
from engine.instance import timers
from engine.instance.events import event_values
from engine.instance.events import insert_events
from engine.instance.finishing import finish
from engine.instance.status_changes import announce
from engine.instance.status_changes import change_status
from engine.instance.task_rows import task_changes
from engine.instance.task_rows import write_task_changes
from engine.models import Dossier
from engine.models import Task
from engine.models import WorkflowState
from engine.rules.status import status_after_step
from engine.store import loaded_rows
from engine.store.uow import UnitOfWork
from engine.store.uow import for_update
from engine.store.write_behind import FollowingRead
from engine.store.write_behind import defer
from engine.store.write_behind import defer_row_changes
from engine.store.write_behind import read_with_next
from engine.store.write_behind import send_ahead
from engine.views import WaitView

Act = Callable[[Workflow], object]
"""What a command does to the loaded instance (complete a step, cancel it, start it)."""
OpenRows = Iterable[tuple[int, str]] | FollowingRead
"""The dossier's open task rows as (id, spiff task id), read under its lock."""


@dataclass(frozen=True)
class Mover:
    """Who moves the workflow, from which unit, when: what the step's events and rows record."""

    actor_id: int | None
    from_unit_id: int | None
    now: datetime


@dataclass(frozen=True)
class Advanced:
    """What a step did, for the command's answer and its own rules."""

    workflow: Workflow
    compiled: CompiledProcedure
    created: list[Task]
    """The new open task rows; their ids are set once the commit's round trip is back."""
    completed: bool
    """Whether the workflow reached its end in this step."""

    def waits(self) -> list[WaitView]:
        """What the instance waits on now, as the read side lists it (engine.queries.waits):
        events in the order they began, then timers by due time."""
        events = [
            WaitView(item.kind, item.name, item.element_id)
            for item in runtime.awaited_events(self.workflow)
        ]
        timers = [
            WaitView("timer", item.name, item.element_id, item.due_at)
            for item in runtime.waiting_timers(self.workflow)
        ]
        return events + timers


@dataclass(frozen=True)
class TaskStep:
    """A task, its dossier (both locked) and the instance's saved state, for a command on the
    task; `open_rows` are the dossier's open task rows, read right after the lock."""

    task: Task
    dossier: Dossier
    state: str
    open_rows: FollowingRead


_TASK_COLUMNS = loaded_rows.columns(Task)
_DOSSIER_COLUMNS = loaded_rows.columns(Dossier)
_TASK_STEP_ROW = for_update(
    select(*_TASK_COLUMNS, *_DOSSIER_COLUMNS, WorkflowState.state)
    .select_from(Dossier)
    .join(Task, Task.dossier_id == Dossier.id)
    .join(WorkflowState, WorkflowState.dossier_id == Dossier.id)
    .where(Task.id == bindparam("task_id"))
)
"""Locks the dossier first (PostgreSQL locks a join's rows in FROM order, as every command
does), then the task and the workflow state, never a row shared with other dossiers."""
_TASKS = Task.__table__
_OPEN_ROWS_BESIDE = select(_TASKS.c.id, _TASKS.c.spiff_task_id).where(
    _TASKS.c.dossier_id
    == select(_TASKS.c.dossier_id).where(_TASKS.c.id == bindparam("task_id")).scalar_subquery(),
    _TASKS.c.state == "open",
)
_COMPLETE_ROW = (
    _TASKS.update()
    .where(_TASKS.c.id == bindparam("task_id"))
    .values(
        state="completed",
        completed_at=bindparam("now"),
        completed_by=bindparam("user_id"),
        assignee_id=bindparam("assignee_id"),
    )
)
_STATES = WorkflowState.__table__
SAVE_STATE = (
    _STATES.update()
    .where(_STATES.c.dossier_id == bindparam("of_dossier"))
    .values(state=bindparam("new_state"), steps=_STATES.c.steps + 1)
)
"""Saves the instance of dossier `of_dossier` after a completion or a timer firing, the moves
`steps` counts (the soak tests' ledger checks none is lost or doubled): the step's write, and
the timer sweep's."""
_REWRITE_STATE = (
    _STATES.update()
    .where(_STATES.c.dossier_id == bindparam("of_dossier"))
    .values(state=bindparam("new_state"))
)
"""Saves an instance ended by a command (refused, withdrawn, stopped): not a step."""
_INSERT_STATE = insert(_STATES)


def lock_task_step(uow: UnitOfWork, task_id: int) -> TaskStep:
    """The locking read of a command that completes a task: one round trip, the dossier's open
    task rows riding with it (NotFound when the task does not exist)."""
    open_rows = read_with_next(uow.session, _OPEN_ROWS_BESIDE, {"task_id": task_id})
    row = uow.lock_columns(_TASK_STEP_ROW, "task", task_id, {"task_id": task_id})
    task = loaded_rows.attach(uow.session, Task, row[: len(_TASK_COLUMNS)])
    dossier = loaded_rows.attach(uow.session, Dossier, row[len(_TASK_COLUMNS) : -1])
    return TaskStep(task, dossier, row[-1], open_rows)


def advance(
    session: Session,
    dossier: Dossier,
    act: Act,
    *,
    state: str | None,
    open_rows: OpenRows,
    by: Mover,
    completing: Task | None = None,
    events: Sequence[dict[str, Any]] = (),
    compiled: CompiledProcedure | None = None,
    status: str | None = None,
    reason: str | None = None,
    then: Callable[[Advanced], None] | None = None,
) -> Advanced:
    """Move the dossier's workflow one command's worth, under the dossier's lock.

    `state` None starts a new instance (`act` runs its start); `completing` is the task row the
    command completes; `events` are the command's own event rows, written before the ones of
    the tasks it opens; `status` is the status to move to (an ending), else the workflow's end
    decides (engine.rules.status.status_after_step); `then` applies the command's own rules
    once the status moved (they may change the dossier too). The dossier's changed columns are
    written last, once. The caller commits."""
    compiled = compiled or compiled_for(session, dossier.spec_key, dossier.procedure_version_id)
    workflow = runtime.new(compiled) if state is None else serializer.load(state, compiled)
    act(workflow)
    ready = runtime.ready_steps(workflow, compiled)
    if status is None and runtime.stalls(workflow, ready):  # an ending stops it on purpose
        raise WorkflowIncident(
            "the workflow waits on nothing: no step is ready for anyone and no event is awaited "
            "(a task outside a role's lane, or a path that leads nowhere)"
        )
    done = completing.id if completing is not None else None
    rows = open_rows.rows() if isinstance(open_rows, FollowingRead) else open_rows
    changes = task_changes(rows, ready, done=done)
    created, created_events = write_task_changes(
        session, dossier, changes, actor_id=by.actor_id, from_unit_id=by.from_unit_id, now=by.now
    )
    printed = _printed_events(dossier, workflow, by)
    insert_events(session, [*events, *created_events, *printed])
    _save(session, dossier, workflow, completing, by, new=state is None)
    timers.schedule_waiting(session, dossier, workflow, by.now)
    awaited.keep_in_step(session, dossier.id, workflow)
    completed = runtime.is_completed(workflow)
    if state is None:
        announce(session, dossier, previous=None, now=by.now)
    if state is not None or completed:  # a workflow may end at its start: scripts, rules only
        outcome = runtime.outcome(workflow) if completed else None
        move_status(
            session,
            dossier,
            completed=completed,
            outcome=outcome,
            by=by,
            status=status,
            reason=reason,
        )
    advanced = Advanced(workflow, compiled, created, completed)
    if then is not None:
        then(advanced)
    defer_row_changes(session, dossier)  # the dossier is locked: no ORM flush needed
    return advanced


def _printed_events(dossier: Dossier, workflow: Workflow, by: Mover) -> list[dict[str, Any]]:
    """What the designers' scripts printed in this step, for the dossier's history."""
    return [
        {
            **event_values(
                dossier.id,
                "script_printed",
                by.now,
                actor_id=by.actor_id,
                unit_id=by.from_unit_id,
                detail={"lines": list(item.lines)},
            ),
            "element_id": item.element_id,
            "step_name": item.name,
        }
        for item in script_output.take(workflow)
    ]


def _save(
    session: Session,
    dossier: Dossier,
    workflow: Workflow,
    completing: Task | None,
    by: Mover,
    *,
    new: bool,
) -> None:
    """The completed task row, then the state. What waits goes ahead first, so the server
    writes those rows while the state is serialized."""
    if completing is not None:
        holder = completing.assignee_id or by.actor_id
        defer(
            session,
            _COMPLETE_ROW,
            {
                "task_id": completing.id,
                "now": by.now,
                "user_id": by.actor_id,
                "assignee_id": holder,
            },
        )
        send_ahead(session)
    if new:
        values = {
            "dossier_id": dossier.id,
            "serializer_version": serializer.SERIALIZER_VERSION,
            "state": serializer.dump(workflow),
            "steps": 0,
        }
        defer(session, _INSERT_STATE, values)
    else:
        statement = SAVE_STATE if completing is not None else _REWRITE_STATE
        new_state = serializer.dump(workflow)
        defer(session, statement, {"of_dossier": dossier.id, "new_state": new_state})


def move_status(
    session: Session,
    dossier: Dossier,
    *,
    completed: bool,
    outcome: str | None,
    by: Mover,
    status: str | None = None,
    reason: str | None = None,
) -> None:
    """The status the command names (an ending), else the one the workflow's end decides
    (its `outcome`); a dossier whose workflow ended, or that was ended, is finished now. The
    timer sweep moves the dossiers its timers end with it too."""
    ended = status is not None
    if status is None:
        status = status_after_step(dossier.status, workflow_completed=completed, outcome=outcome)
    if completed or ended:
        finish(dossier, by.now)  # before the status change, so the row is written once
    change_status(session, dossier, status, actor_id=by.actor_id, now=by.now, reason=reason)
