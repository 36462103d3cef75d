"""The heat map of a procedure version: per step, how long dossiers wait and are worked on.

Per BPMN element: completed tasks, and the median and 90th percentile of three times in working
hours: waiting (created until someone first took it, `task.taken_at`: a claim, or a leader's
reassignment; a task completed without a claim waited all its time), working (taken until
completed) and the total. Percentiles interpolate linearly between ranks, as PostgreSQL's
percentile_cont does. On PostgreSQL the whole computation is one aggregate query: working hours
are positions on the working clock's axis, read from its table of day starts passed as an array
(a few thousand numbers), so no task row leaves the database; SQLite, for tests and small
offices, reads the rows and computes the same in Python (`element_figures` hides which)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import Float
from sqlalchemy import Integer
from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import case
from sqlalchemy import cast
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.analytics.clock import WorkingClock
from engine.analytics.step_rows import Scope
from engine.analytics.step_rows import StepRow
from engine.analytics.step_rows import chosen_version
from engine.analytics.step_rows import dossier_filter
from engine.analytics.step_rows import scope_for
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
        waiting, working, taken = task_times(clock, row.created_at, row.taken_at, row.completed_at)
        times.append(StepTimes(row.element_id, waiting, working, taken))
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


@dataclass(frozen=True)
class ElementTimes:
    """One element's figures as the database aggregates them."""

    count: int
    open: int
    waiting: Spread
    working: Spread
    total: Spread


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
    clock = working_clock()
    steps = version_steps(session, chosen, scope, clock)
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
        _dossiers_in_scope(session, chosen.id, scope),
        steps,
        slowest,
        by_specialist,
        by_unit,
        diagram_of(session, chosen),
        max((step.total.median or 0.0 for step in steps), default=0.0),
    )


def version_steps(
    session: Session, version: ProcedureVersion, scope: Scope, clock: WorkingClock
) -> list[StepFigures]:
    """Figures per element: the diagram's human steps in its order (with none measured yet),
    then any element only history knows (a step a later version removed)."""
    names: dict[str, tuple[str, str]] = {}
    for node in version_graph(version).nodes.values():
        if node.kind == HUMAN:
            names[node.id] = (node.name, node.role or "")
    measured = element_figures(session, version.id, scope, clock)
    unknown = sorted(set(measured) - set(names))
    if unknown:
        rows = session.execute(
            select(Task.element_id, func.min(Task.name), func.min(Task.role))
            .join(Dossier, Dossier.id == Task.dossier_id)
            .where(Dossier.procedure_version_id == version.id, Task.element_id.in_(unknown))
            .group_by(Task.element_id)
        )
        names.update({element_id: (name, role) for element_id, name, role in rows})
    none = ElementTimes(0, 0, Spread(None, None), Spread(None, None), Spread(None, None))
    figures = []
    for element_id, (name, role) in names.items():
        found = measured.get(element_id, none)
        figures.append(
            StepFigures(
                element_id,
                name,
                role,
                found.count,
                found.open,
                found.waiting,
                found.working,
                found.total,
            )
        )
    return figures


def element_figures(
    session: Session, version_id: int, scope: Scope, clock: WorkingClock
) -> dict[str, ElementTimes]:
    """Per element of the version's tasks in scope: completed count, open count and the
    spreads of waiting, working and total working hours. The one place the dialect shows."""
    base = (
        select()
        .select_from(Task)
        .join(Dossier, Dossier.id == Task.dossier_id)
        .where(Dossier.procedure_version_id == version_id, *dossier_filter(scope))
    )
    if session.get_bind().dialect.name != "postgresql":
        return _figures_in_python(session, base, clock)
    shift, day, periods = clock.sql_constants()
    starts = clock.day_starts(utcnow())
    taken = and_(Task.taken_at.is_not(None), Task.taken_at < Task.completed_at)
    moments = {
        "created": Task.created_at,
        "taken": case((taken, Task.taken_at), else_=Task.completed_at),
        "completed": Task.completed_at,
    }
    seconds = base.with_only_columns(
        Task.element_id,
        Task.state,
        *(
            (func.date_part("epoch", moment) + shift).label(name)
            for name, moment in moments.items()
        ),
    ).subquery("seconds")
    days = select(bindparam("days", starts, type_=ARRAY(Float)).label("starts")).subquery("days")
    positions = {}
    for name in moments:
        moment = seconds.c[name]
        index = func.least(
            func.greatest(cast(func.floor(moment / day), Integer), 0), len(starts) - 2
        )
        into_day = (moment - index * day) / 3600.0
        office = sum(
            (func.greatest(0.0, func.least(into_day, end) - begin) for begin, end in periods),
            start=literal(0.0),
        )
        positions[name] = case(
            (moment < 0, 0.0),
            else_=func.least(days.c.starts[index + 2], days.c.starts[index + 1] + office),
        )
    done = and_(seconds.c.state == "completed", seconds.c.completed.is_not(None))
    # OFFSET 0 keeps the positions a subquery of their own: computed once per task, not once
    # per difference the aggregates take of them.
    placed = (
        select(
            seconds.c.element_id,
            done.label("done"),
            (seconds.c.state == "open").label("open"),
            *(position.label(name) for name, position in positions.items()),
        )
        .select_from(seconds)
        .join(days, literal(True))
        .offset(0)
        .subquery("placed")
    )
    created, on, finished = placed.c.created, placed.c.taken, placed.c.completed
    # Compiling this one query's expressions (JIT) costs seconds, more than running them;
    # its three sorts per step fit in memory at a province's quarter.
    session.execute(text("SET LOCAL jit = off"))
    session.execute(text("SET LOCAL work_mem = '64MB'"))
    rows = session.execute(
        select(
            placed.c.element_id,
            func.count().filter(placed.c.done),
            func.count().filter(placed.c.open),
            *(
                func.percentile_cont(literal([0.5, 0.9], ARRAY(Float))).within_group(
                    case((placed.c.done, func.greatest(0.0, hours)))
                )
                for hours in (on - created, finished - on, finished - created)
            ),
        ).group_by(placed.c.element_id)
    ).all()
    return {
        element_id: ElementTimes(
            count, open_count, _spread_of(waiting), _spread_of(working), _spread_of(total)
        )
        for element_id, count, open_count, waiting, working, total in rows
    }


def _spread_of(pair: list[float] | None) -> Spread:
    if not pair:
        return Spread(None, None)
    median, p90 = pair
    return Spread(
        None if median is None else round(median, 2), None if p90 is None else round(p90, 2)
    )


def _figures_in_python(session: Session, base: Any, clock: WorkingClock) -> dict[str, ElementTimes]:
    rows = session.execute(
        base.with_only_columns(
            Task.element_id, Task.state, Task.created_at, Task.taken_at, Task.completed_at
        )
    ).all()
    open_count: dict[str, int] = defaultdict(int)
    done: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for element_id, state, created_at, taken_at, completed_at in rows:
        open_count[element_id] += state == "open"
        if state == "completed" and completed_at is not None:
            times = task_times(clock, created_at, taken_at, completed_at)
            done[element_id].append((times[0], times[1]))
    return {
        element_id: ElementTimes(
            len(done[element_id]),
            open_count[element_id],
            spread(waiting for waiting, _ in done[element_id]),
            spread(working for _, working in done[element_id]),
            spread(waiting + working for waiting, working in done[element_id]),
        )
        for element_id in {*open_count, *done}
    }


def task_times(
    clock: WorkingClock, created_at: datetime, taken_at: datetime | None, completed_at: datetime
) -> tuple[float, float, bool]:
    """One completed task's waiting and working hours, and whether someone took it first."""
    taken = taken_at is not None and taken_at < completed_at
    on = taken_at if taken and taken_at is not None else completed_at
    created, on_at = clock.position(created_at), clock.position(on)
    done = clock.position(completed_at)
    return max(0.0, on_at - created), max(0.0, done - on_at), taken


def _dossiers_in_scope(session: Session, version_id: int, scope: Scope) -> int:
    """The version's dossiers received in the scope (each opens a task at receipt): a range of
    the (procedure_version_id, received_at) index, not a distinct count over their tasks."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Dossier)
            .where(Dossier.procedure_version_id == version_id, *dossier_filter(scope))
        )
        or 0
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
