"""What the database says after the load: the event log, the task rows and the workflow state
must tell the same story for every dossier, and every acknowledged completion must be there."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import select

from engine.models import Event
from engine.models import Task
from engine.models import Timer
from engine.models import User
from engine.models import WorkflowState
from tests.soak.load import Ack


def disagreements(engine: Engine) -> list[str]:
    """One line per dossier whose counts disagree: task_completed events, completed task rows and
    WorkflowState.steps (which counts completions and timer firings)."""
    with engine.connect() as connection:
        steps = dict(
            connection.execute(select(WorkflowState.dossier_id, WorkflowState.steps)).all()
        )
        rows = _per_dossier(connection, select(Task.dossier_id).where(Task.state == "completed"))
        done = _per_dossier(connection, _events("task_completed"))
        fired = _per_dossier(connection, _events("timer_fired"))
    problems = []
    for dossier_id, step_count in sorted(steps.items()):
        counts = (done[dossier_id], rows[dossier_id], step_count - fired[dossier_id])
        if len(set(counts)) > 1:
            problems.append(
                f"dossier {dossier_id}: {counts[0]} task_completed events, {counts[1]} completed "
                f"tasks, {step_count} steps of which {fired[dossier_id]} timer firings"
            )
    return problems


def completions_per_task(engine: Engine) -> Counter[int]:
    with engine.connect() as connection:
        found = connection.execute(
            select(Event.task_id).where(Event.kind == "task_completed")
        ).scalars()
        return Counter(found)


def missing_acks(engine: Engine, acks: Iterable[Ack]) -> list[Ack]:
    """Acknowledged completions not in the database as completed by the user who got the 2xx."""
    with engine.connect() as connection:
        completed_by = dict(
            connection.execute(
                select(Task.id, User.username)
                .join(User, User.id == Task.completed_by)
                .where(Task.state == "completed")
            ).all()
        )
    return [ack for ack in acks if completed_by.get(ack.task_id) != ack.username]


def open_tasks(engine: Engine) -> list[tuple[int, str, int | None]]:
    """(task id, element id, assignee id) of every open task, oldest first."""
    with engine.connect() as connection:
        query = select(Task.id, Task.element_id, Task.assignee_id).where(Task.state == "open")
        return [tuple(row) for row in connection.execute(query.order_by(Task.id))]


def timer_story(engine: Engine, dossier_ids: list[int]) -> dict[int, tuple[list[str], int, int]]:
    """Per dossier: the states of its timer rows, its timer_fired events, its follow_up tasks."""
    with engine.connect() as connection:
        states = connection.execute(
            select(Timer.dossier_id, Timer.state).where(Timer.dossier_id.in_(dossier_ids))
        ).all()
        fired = _per_dossier(connection, _events("timer_fired"))
        follow_ups = _per_dossier(
            connection, select(Task.dossier_id).where(Task.element_id == "follow_up")
        )
    return {
        dossier_id: (
            sorted(state for owner, state in states if owner == dossier_id),
            fired[dossier_id],
            follow_ups[dossier_id],
        )
        for dossier_id in dossier_ids
    }


def _events(kind: str) -> Select[tuple[int]]:
    return select(Event.dossier_id).where(Event.kind == kind)


def _per_dossier(connection: Connection, query: Select[tuple[int]]) -> Counter[int]:
    """How many rows `query` (a select of dossier ids) finds per dossier."""
    subquery = query.subquery()
    column = subquery.c.dossier_id
    counted = connection.execute(select(column, func.count()).group_by(column))
    return Counter(dict(counted.all()))


def audit(engine: Engine, acks: list[Ack]) -> dict[str, list[Any]]:
    """Every way the database can disagree with itself or with what clients were told; only the
    ways that found something are kept, so a sound database gives {}."""
    acked = Counter(ack.task_id for ack in acks)
    found = {
        "dossiers whose counts disagree": disagreements(engine),
        "tasks completed twice": sorted(
            task_id for task_id, n in completions_per_task(engine).items() if n > 1
        ),
        "tasks acknowledged twice": sorted(task_id for task_id, n in acked.items() if n > 1),
        "acknowledged but not in the database": missing_acks(engine, acks),
    }
    return {what: items for what, items in found.items() if items}
