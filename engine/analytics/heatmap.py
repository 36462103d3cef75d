"""The heat map of a procedure version: per step, how long dossiers wait and are worked on.

Per BPMN element: completed tasks, and the median and 90th percentile of three times in working
hours: waiting (created until someone first took it: a claim, or a leader's reassignment; a task
completed without a claim waited all its time), working (taken until completed) and the total.
Percentiles interpolate linearly between ranks, as PostgreSQL's percentile_cont does; they are
computed here over the durations, because working hours need the calendar, which SQL lacks."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.analytics.clock import WorkingClock
from engine.analytics.step_rows import Scope
from engine.analytics.step_rows import StepRow
from engine.analytics.step_rows import chosen_version
from engine.analytics.step_rows import dossier_filter
from engine.analytics.step_rows import scope_for
from engine.analytics.step_rows import step_rows
from engine.analytics.step_rows import working_clock
from engine.bpmn.compiler import BPMN_SUFFIX
from engine.bpmn.flow_graph import HUMAN
from engine.bpmn.flow_graph import FlowGraph
from engine.bpmn.flow_graph import flow_graph
from engine.models import Dossier
from engine.models import ProcedureVersion
from engine.models import Task
from engine.models import Unit
from engine.models import User
from engine.store.db import utcnow

SLOWEST = 5
QUEUE_ROWS = 10


@dataclass(frozen=True)
class Spread:
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class StepFigures:
    element_id: str
    name: str
    role: str
    count: int
    """Completed tasks: what the times are measured over."""
    open: int
    waiting: Spread
    working: Spread
    total: Spread


@dataclass(frozen=True)
class StepTimes:
    """One completed task's times in working hours; `taken` is False when nobody claimed it."""

    element_id: str
    waiting: float
    working: float
    taken: bool


@dataclass(frozen=True)
class QueueLine:
    name: str
    unit: str
    open: int
    unclaimed: int
    oldest_hours: float


@dataclass(frozen=True)
class Heatmap:
    procedure: str
    version: int
    start: date | None
    end: date | None
    dossiers: int
    steps: list[StepFigures]
    slowest: list[StepFigures]
    by_specialist: list[QueueLine]
    by_unit: list[QueueLine]
    bpmn_xml: str
    max_hours: float
    """The largest median total: the top of the colour scale."""


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks of sorted `values` (percentile_cont)."""
    if not values:
        return None
    position = (len(values) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def spread(values: Iterable[float]) -> Spread:
    ordered = sorted(values)
    median, p90 = percentile(ordered, 0.5), percentile(ordered, 0.9)
    return Spread(
        None if median is None else round(median, 2), None if p90 is None else round(p90, 2)
    )


def step_times(rows: Iterable[StepRow], clock: WorkingClock) -> list[StepTimes]:
    """The completed tasks' waiting and working hours."""
    times = []
    for row in rows:
        if row.state != "completed" or row.completed_at is None:
            continue
        taken = row.taken_at is not None and row.taken_at < row.completed_at
        on = row.taken_at if taken and row.taken_at is not None else row.completed_at
        created, on_at, done = (
            clock.position(row.created_at),
            clock.position(on),
            clock.position(row.completed_at),
        )
        times.append(
            StepTimes(row.element_id, max(0.0, on_at - created), max(0.0, done - on_at), taken)
        )
    return times


def step_figures(
    rows: Sequence[StepRow], clock: WorkingClock, graph: FlowGraph | None = None
) -> list[StepFigures]:
    """Figures per element: the diagram's human steps in its order (with none measured yet),
    then any element only history knows (a step a later version removed)."""
    names: dict[str, tuple[str, str]] = {}
    for node in graph.nodes.values() if graph else ():
        if node.kind == HUMAN:
            names[node.id] = (node.name, node.role or "")
    open_count: dict[str, int] = defaultdict(int)
    for row in rows:
        names.setdefault(row.element_id, (row.name, row.role))
        open_count[row.element_id] += row.state == "open"
    by_element: dict[str, list[StepTimes]] = defaultdict(list)
    for item in step_times(rows, clock):
        by_element[item.element_id].append(item)
    figures = []
    for element_id, (name, role) in names.items():
        done = by_element.get(element_id, [])
        figures.append(
            StepFigures(
                element_id,
                name,
                role,
                len(done),
                open_count[element_id],
                spread(item.waiting for item in done),
                spread(item.working for item in done),
                spread(item.waiting + item.working for item in done),
            )
        )
    return figures


def heatmap(
    session: Session,
    actor: Actor,
    code: str,
    *,
    version: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Heatmap:
    """The heat map of one version (the current one by default) over dossiers received in
    [start, end] (local days; all time when not given), in the caller's units."""
    scope = scope_for(session, actor, start, end)
    chosen = chosen_version(session, code, version)
    rows = step_rows(session, [chosen.id], scope)
    clock = working_clock()
    steps = step_figures(rows, clock, version_graph(chosen))
    slowest = sorted(
        (step for step in steps if step.total.median is not None),
        key=lambda step: -(step.total.median or 0.0),
    )[:SLOWEST]
    by_specialist, by_unit = open_queues(session, chosen.procedure_id, scope, clock)
    return Heatmap(
        code,
        chosen.number,
        start,
        end,
        len({row.dossier_id for row in rows}),
        steps,
        slowest,
        by_specialist,
        by_unit,
        diagram_of(session, chosen),
        max((step.total.median or 0.0 for step in steps), default=0.0),
    )


def version_graph(version: ProcedureVersion) -> FlowGraph:
    return flow_graph({name: str(text) for name, text in (version.files or {}).items()})


def diagram_of(session: Session, version: ProcedureVersion) -> str:
    files = (
        session.scalar(select(ProcedureVersion.files).where(ProcedureVersion.id == version.id))
        or {}
    )
    diagrams = [text for name, text in sorted(files.items()) if name.endswith(BPMN_SUFFIX)]
    return str(diagrams[0]) if diagrams else ""


def open_queues(
    session: Session, procedure_id: int, scope: Scope, clock: WorkingClock
) -> tuple[list[QueueLine], list[QueueLine]]:
    """Open tasks of the procedure (every version, whenever received) per holder and per unit,
    largest first: the queues a leader can staff today."""
    now = clock.position(utcnow())
    units_only = Scope(scope.unit_ids, None, None)
    base = (
        select(
            Task.assignee_id,
            User.full_name,
            Unit.name,
            func.count(),
            func.count(Task.assignee_id),
            func.min(Task.created_at),
        )
        .join(Dossier, Dossier.id == Task.dossier_id)
        .join(Unit, Unit.id == Task.unit_id)
        .outerjoin(User, User.id == Task.assignee_id)
        .where(Task.state == "open", Dossier.procedure_id == procedure_id)
        .where(*dossier_filter(units_only))
    )
    held = session.execute(
        base.where(Task.assignee_id.is_not(None)).group_by(
            Task.assignee_id, User.full_name, Unit.name
        )
    ).all()
    per_unit = session.execute(
        base.with_only_columns(
            Unit.name, func.count(), func.count(Task.assignee_id), func.min(Task.created_at)
        ).group_by(Unit.name)
    ).all()
    specialists = [
        QueueLine(name or "", unit, count, 0, round(now - clock.position(oldest), 1))
        for _, name, unit, count, _held, oldest in held
    ]
    units = [
        QueueLine(unit, unit, count, count - held_count, round(now - clock.position(oldest), 1))
        for unit, count, held_count, oldest in per_unit
    ]
    return sorted(specialists, key=_largest)[:QUEUE_ROWS], sorted(units, key=_largest)[:QUEUE_ROWS]


def _largest(line: QueueLine) -> tuple[int, float, str]:
    return -line.open, -line.oldest_hours, line.name
