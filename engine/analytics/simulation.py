"""What-if: a draft's processing time and on-time rate by discrete-event simulation (simpy).

The model, and what it leaves out:
- Time runs on the working-hours axis (engine.analytics.clock): every clerk works exactly the
  office hours of the one calendar, nights, weekends and holidays take no time.
- Arrivals replay the dossiers the procedure really received in the last `months` (any version,
  the caller's units): the same moments for the draft and for the current version.
- Each human step queues for the staff of its role in the dossier's competent unit (active
  accounts in user_role; a role with nobody counts as one person, and says so), and takes a
  working time drawn from the history of the step with the same element id (claimed to
  completed; steps nobody ever claimed: created to completed). A step new in the draft takes
  the caller's estimate in working hours, or nothing and is listed as unknown.
- Gateways after a step branch as history says (engine.analytics.branches); otherwise evenly.
  Parallel gateways split and join. Timers wait their duration in working hours (flow_graph).
- Supplement pauses, reassignments and clerks' other procedures are not modelled: the
  calibration (the current version simulated over the same arrivals, against what really
  happened) shows how far that puts the figures off.
Several seeded replications give P10-P90 ranges, never a single number."""

from __future__ import annotations

import time as wall
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.analytics.branches import branch_counts
from engine.analytics.clock import WorkingClock
from engine.analytics.heatmap import percentile
from engine.analytics.heatmap import step_times
from engine.analytics.heatmap import version_graph
from engine.analytics.replication import Arrival
from engine.analytics.replication import Model
from engine.analytics.replication import replicate
from engine.analytics.step_rows import Scope
from engine.analytics.step_rows import dossier_filter
from engine.analytics.step_rows import procedure_versions
from engine.analytics.step_rows import scope_for
from engine.analytics.step_rows import step_rows
from engine.analytics.step_rows import working_clock
from engine.bpmn.flow_graph import CHOICE
from engine.bpmn.flow_graph import HUMAN
from engine.bpmn.flow_graph import PARALLEL
from engine.bpmn.flow_graph import WAIT
from engine.bpmn.flow_graph import FlowGraph
from engine.bpmn.flow_graph import flow_graph
from engine.errors import InvalidData
from engine.models import Dossier
from engine.models import User
from engine.models import UserRole
from engine.queries.studio import read_draft
from engine.rules.calendar import DAYS
from engine.rules.calendar import default_calendar
from engine.store.db import utcnow

SETTLED = ("processed", "result_returned")
AVERAGE_MONTH = timedelta(days=30.44)


@dataclass(frozen=True)
class Range:
    p10: float | None
    p50: float | None
    p90: float | None


@dataclass(frozen=True)
class Estimate:
    median_hours: Range
    """Median processing time of the simulated dossiers (working hours), across runs."""
    on_time_pct: Range
    limit_hours_label: str


@dataclass(frozen=True)
class StepSource:
    element_id: str
    name: str
    role: str | None
    source: str
    """history, estimate or unknown."""
    samples: int
    median_hours: float | None


@dataclass(frozen=True)
class Calibration:
    dossiers_settled: int
    actual_median_hours: float | None
    actual_on_time_pct: float | None
    simulated: Estimate
    median_off_pct: float | None
    """(simulated P50 - actual) / actual: how far the model lands from what happened."""
    on_time_off_points: float | None


@dataclass(frozen=True)
class ModelFigures:
    model: str
    """queue: each step waits for its role's staff in the unit and takes its working time;
    observed: each step takes its whole historical time (waiting included), staff unlimited."""
    draft: Estimate
    calibration: Calibration


@dataclass(frozen=True)
class SimulationResult:
    procedure: str
    months: int
    runs: int
    arrivals: int
    models: list[ModelFigures]
    closest: str
    """The model whose simulated current version lands nearest what happened (median time)."""
    steps: list[StepSource]
    unknown_steps: list[str]
    branches: dict[str, dict[str, float]]
    evenly_split: list[str]
    unstaffed_roles: list[str]
    approximations: list[str]
    seconds: float


def simulate_draft(
    session: Session,
    actor: Actor,
    code: str,
    *,
    months: int = 3,
    runs: int = 10,
    estimates: dict[str, float] | None = None,
    seed: int = 1,
) -> SimulationResult:
    """Simulate the draft and, for calibration, the current version over the same arrivals."""
    started = wall.perf_counter()
    scope = scope_for(session, actor)
    procedure, versions = procedure_versions(session, code)
    draft = read_draft(session, code)
    current = next(v for v in versions if v.id == procedure.current_version_id)
    clock = working_clock()
    now = utcnow()
    window = Scope(scope.unit_ids, now - AVERAGE_MONTH * months, now)
    rows = step_rows(session, [v.id for v in versions], window)
    worked, whole = _durations(rows, clock)
    estimates = estimates or {}
    draft_graph = _draft_graph(draft.files)
    current_graph = version_graph(current)
    staff = _staff(
        session,
        {n.role for n in draft_graph.nodes.values() if n.role}
        | {n.role for n in current_graph.nodes.values() if n.role},
    )
    received = _received(session, procedure.id, window)
    current_limit = (current.time_limit_days, current.time_limit_unit)
    limit = (
        int(draft.metadata.get("time_limit", current.time_limit_days)),
        str(draft.metadata.get("time_limit_unit", DAYS)),
    )
    arrivals = _arrivals(received, clock, limit)
    current_arrivals = _arrivals(received, clock, current_limit)
    models: list[ModelFigures] = []
    places: set[tuple[str, int]] = set()
    for name, history in (("queue", worked), ("observed", whole)):
        draft_model, steps_of, unknown_of = _model(
            draft_graph, history, estimates, rows, clock.hours_per_day
        )
        current_model, _, _ = _model(current_graph, history, {}, rows, clock.hours_per_day)
        for model in (draft_model, current_model):
            model.staff, model.observed = staff, name == "observed"
        draft_runs = [replicate(draft_model, arrivals, seed + run) for run in range(runs)]
        current_runs = [
            replicate(current_model, current_arrivals, seed + run) for run in range(runs)
        ]
        models.append(
            ModelFigures(
                name,
                _estimate(draft_runs, limit),
                _calibration(received, clock, current_runs, current_limit),
            )
        )
        if name == "queue":
            steps, unknown, branches = steps_of, unknown_of, draft_model.branches
            places = draft_model.places | current_model.places
    unstaffed = sorted(f"{role}@{unit}" for role, unit in places if not staff.get((role, unit)))
    return SimulationResult(
        code,
        months,
        runs,
        len(arrivals),
        models,
        min(models, key=_distance).model,
        steps,
        unknown,
        {gw: dict(options) for gw, options in branches.items()},
        sorted(gw for gw, options in branches.items() if _even(options)),
        unstaffed,
        sorted(set(draft_graph.approximations) | set(current_graph.approximations)),
        round(wall.perf_counter() - started, 2),
    )


def _distance(figures: ModelFigures) -> float:
    off = figures.calibration.median_off_pct
    return float("inf") if off is None else abs(off)


def _draft_graph(files: dict[str, str]) -> FlowGraph:
    graph = flow_graph(files)
    if not graph.starts:
        raise InvalidData(
            "the draft has no plain start event",
            {"draft": ["Bản nháp chưa có sự kiện bắt đầu (no start event)."]},
        )
    return graph


def _durations(
    rows: Sequence[Any], clock: WorkingClock
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Hours per element id: the work of claimed tasks (all their time where none was claimed),
    for the queue model; and every task's whole time, for the observed model."""
    worked: dict[str, list[float]] = defaultdict(list)
    whole: dict[str, list[float]] = defaultdict(list)
    for item in step_times(rows, clock):
        whole[item.element_id].append(item.waiting + item.working)
        if item.taken:
            worked[item.element_id].append(item.working)
    return {element: worked.get(element) or whole[element] for element in whole}, dict(whole)


def _model(
    graph: FlowGraph,
    history: dict[str, list[float]],
    estimates: dict[str, float],
    rows: Sequence[Any],
    hours_per_day: float,
) -> tuple[Model, list[StepSource], list[str]]:
    durations: dict[str, list[float]] = {}
    steps, unknown = [], []
    for node in graph.nodes.values():
        if node.kind != HUMAN:
            continue
        samples = history.get(node.id)
        if samples:
            durations[node.id], source = samples, "history"
        elif node.id in estimates:
            durations[node.id], source = [float(estimates[node.id])], "estimate"
        else:
            durations[node.id], source = [0.0], "unknown"
            unknown.append(node.id)
        ordered = sorted(durations[node.id])
        median = percentile(ordered, 0.5)
        steps.append(
            StepSource(
                node.id,
                node.name,
                node.role,
                source,
                len(samples or []),
                None if source == "unknown" or median is None else round(median, 2),
            )
        )
    counted = branch_counts(graph, rows)
    branches: dict[str, list[tuple[str, float]]] = {}
    for node in graph.nodes.values():
        if node.kind == CHOICE and len(node.targets) > 1:
            seen = counted.get(node.id)
            total = seen.decided if seen is not None else 0
            if seen is not None and total:
                branches[node.id] = [(t, seen.counts.get(t, 0) / total) for t in node.targets]
            else:
                branches[node.id] = [(t, 1 / len(node.targets)) for t in node.targets]
    waits = {
        node.id: node.wait[0] * hours_per_day + node.wait[1]
        for node in graph.nodes.values()
        if node.kind == WAIT
    }
    incoming = {
        node.id: len(graph.sources(node.id))
        for node in graph.nodes.values()
        if node.kind == PARALLEL
    }
    return Model(graph, durations, branches, {}, waits, incoming), steps, unknown


def _even(options: list[tuple[str, float]]) -> bool:
    return len({round(share, 9) for _, share in options}) == 1


def _staff(session: Session, roles: set[str]) -> dict[tuple[str, int], int]:
    """Active accounts per (role, unit) among the roles the diagrams name: the people
    engine.access.assignment.candidates offers a step to, counted, less administrators (who
    hold every role to look after the system, not to work a desk)."""
    admins = select(UserRole.user_id).where(UserRole.role == "admin")
    counts = session.execute(
        select(UserRole.role, UserRole.unit_id, func.count())
        .join(User, User.id == UserRole.user_id)
        .where(User.is_active.is_(True), UserRole.role.in_(sorted(roles)))
        .where(UserRole.user_id.not_in(admins))
        .group_by(UserRole.role, UserRole.unit_id)
    ).all()
    return {(role, unit): count for role, unit, count in counts}


def _received(session: Session, procedure_id: int, window: Scope) -> list[Any]:
    return list(
        session.execute(
            select(
                Dossier.received_at,
                Dossier.competent_unit_id,
                Dossier.status,
                Dossier.finished_at,
                Dossier.due_at,
            )
            .where(Dossier.procedure_id == procedure_id, *dossier_filter(window))
            .order_by(Dossier.received_at, Dossier.id)
        ).all()
    )


def _arrivals(
    received: Sequence[Any], clock: WorkingClock, limit: tuple[int, str]
) -> list[Arrival]:
    calendar = default_calendar()
    return [
        Arrival(
            clock.position(row.received_at),
            clock.position(calendar.limit_due_at(row.received_at, limit[0], limit[1])),
            row.competent_unit_id,
        )
        for row in received
    ]


def _estimate(runs: list[list[tuple[float, bool]]], limit: tuple[int, str]) -> Estimate:
    medians = sorted(
        m for m in (percentile(sorted(h for h, _ in r), 0.5) for r in runs) if m is not None
    )
    on_time = sorted(100 * sum(ok for _, ok in r) / len(r) for r in runs if r)
    return Estimate(_range(medians), _range(on_time), f"{limit[0]}{limit[1][0]}")


def _range(values: list[float]) -> Range:
    def at(fraction: float) -> float | None:
        found = percentile(values, fraction)
        return None if found is None else round(found, 1)

    return Range(at(0.1), at(0.5), at(0.9))


def _calibration(
    received: Sequence[Any],
    clock: WorkingClock,
    runs: list[list[tuple[float, bool]]],
    limit: tuple[int, str],
) -> Calibration:
    settled = [row for row in received if row.status in SETTLED and row.finished_at is not None]
    hours = sorted(clock.between(row.received_at, row.finished_at) for row in settled)
    actual_median = percentile(hours, 0.5)
    judged = [row for row in settled if row.due_at is not None]
    actual_on_time = (
        100 * sum(row.finished_at <= row.due_at for row in judged) / len(judged) if judged else None
    )
    simulated = _estimate(runs, limit)
    sim_median, sim_on_time = simulated.median_hours.p50, simulated.on_time_pct.p50
    return Calibration(
        len(settled),
        None if actual_median is None else round(actual_median, 1),
        None if actual_on_time is None else round(actual_on_time, 1),
        simulated,
        None
        if actual_median in (None, 0) or sim_median is None
        else round((sim_median - actual_median) / actual_median * 100, 1),
        None
        if actual_on_time is None or sim_on_time is None
        else round(sim_on_time - actual_on_time, 1),
    )


@dataclass(frozen=True)
class DraftStep:
    element_id: str
    name: str
    role: str | None
    new: bool
    """Not in the current version: the what-if needs an estimate of its working time."""


def draft_steps(session: Session, actor: Actor, code: str) -> list[DraftStep]:
    """The draft's human steps, in diagram order, each marked new or kept (the what-if form)."""
    scope_for(session, actor)
    procedure, versions = procedure_versions(session, code)
    current = next(v for v in versions if v.id == procedure.current_version_id)
    kept = {n.id for n in version_graph(current).nodes.values() if n.kind == HUMAN}
    graph = _draft_graph(read_draft(session, code).files)
    return [
        DraftStep(node.id, node.name, node.role, node.id not in kept)
        for node in graph.nodes.values()
        if node.kind == HUMAN
    ]
