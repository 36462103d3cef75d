"""One replication of the what-if model: tokens walk the diagram's graph in simpy, queueing
at each role's desk in the dossier's unit (see engine.analytics.simulation for the model)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Generator
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import simpy

from engine.access.assignment import step_place
from engine.bpmn.flow_graph import END
from engine.bpmn.flow_graph import HUMAN
from engine.bpmn.flow_graph import PARALLEL
from engine.bpmn.flow_graph import WAIT
from engine.bpmn.flow_graph import FlowGraph

MAX_VISITS = 200
"""A token that passes this many nodes is in a loop history never left: it stops there."""


@dataclass(frozen=True)
class Arrival:
    at: float
    due: float
    unit_id: int


@dataclass
class Model:
    """Everything one replication needs, fixed before the runs."""

    graph: FlowGraph
    durations: dict[str, list[float]]
    branches: dict[str, list[tuple[str, float]]]
    staff: dict[tuple[str, int], int]
    waits: dict[str, float] = field(default_factory=dict)
    incoming: dict[str, int] = field(default_factory=dict)
    """Ways into each parallel gateway: how many tokens its join waits for."""
    places: set[tuple[str, int]] = field(default_factory=set)
    observed: bool = False
    """Steps take their whole historical time and no desk: waits are in the samples already
    (each dossier is walked on its own, see _observed)."""
    """Where steps queued (role, unit), filled by the runs."""


@dataclass
class _Run:
    env: simpy.Environment
    model: Model
    rng: random.Random
    desks: dict[tuple[str, int], simpy.Resource]
    joins: Counter[tuple[int, str]] = field(default_factory=Counter)
    tokens: Counter[int] = field(default_factory=Counter)
    finished: dict[int, float] = field(default_factory=dict)


def replicate(model: Model, arrivals: list[Arrival], seed: int) -> list[tuple[float, bool]]:
    """One run: (processing hours, on time) per simulated dossier that finished."""
    rng = random.Random(seed)  # noqa: S311 (a replicable sample)
    if model.observed:
        hours = [_observed(model, rng, model.graph.starts[0])[0] for _ in arrivals]
        return [
            (spent, arrival.at + spent <= arrival.due)
            for spent, arrival in zip(hours, arrivals, strict=True)
        ]
    env = simpy.Environment()
    run = _Run(env, model, rng, {})
    start = arrivals[0].at if arrivals else 0.0
    env.process(_arrivals(run, arrivals, start))
    env.run()
    return [
        (run.finished[case] + start - arrival.at, run.finished[case] + start <= arrival.due)
        for case, arrival in enumerate(arrivals)
        if case in run.finished
    ]


def _arrivals(run: _Run, arrivals: list[Arrival], start: float) -> Generator[Any, Any, None]:
    """One process lets every dossier in at its moment (one per dossier would double the
    events simpy schedules)."""
    for case, arrival in enumerate(arrivals):
        if arrival.at - start > run.env.now:
            yield run.env.timeout(arrival.at - start - run.env.now)
        run.tokens[case] += 1
        run.env.process(_token(run, case, arrival.unit_id, run.model.graph.starts[0]))


def _observed(
    model: Model, rng: random.Random, node_id: str, through: str | None = None
) -> tuple[float, str | None]:
    """Hours from `node_id` until the token ends (None) or reaches a parallel join (its id)
    where it waits for the other branches. Nobody queues in the observed model, so a dossier
    is walked on its own, without simpy: a split's branches run side by side and the longest
    one sets when the join goes on (`through`: the join being passed, not stopped at)."""
    graph, elapsed = model.graph, 0.0
    for _ in range(MAX_VISITS):
        node = graph.nodes.get(node_id)
        if node is None or node.kind == END or not node.targets:
            return elapsed, None
        if node.kind == PARALLEL:
            if model.incoming.get(node.id, 1) > 1 and node.id != through:
                return elapsed, node.id
            through = None
            if len(node.targets) > 1:
                branches = [_observed(model, rng, target) for target in node.targets]
                elapsed += max(spent for spent, _ in branches)
                joins = [join for _, join in branches if join is not None]
                if not joins:
                    return elapsed, None
                node_id = through = joins[0]
                continue
        elif node.kind == HUMAN:
            elapsed += rng.choice(model.durations[node.id])
        elif node.kind == WAIT:
            elapsed += model.waits.get(node.id, 0.0)
        node_id = _pick(model, rng, node.id) if node.id in model.branches else node.targets[0]
    return elapsed, None


def _token(run: _Run, case: int, unit_id: int, node_id: str) -> Generator[Any, Any, None]:
    """One token walking the graph until an end, a join that waits, or a loop cut short."""
    graph, model = run.model.graph, run.model
    for _ in range(MAX_VISITS):
        node = graph.nodes.get(node_id)
        if node is None or node.kind == END or not node.targets:
            break
        if node.kind == HUMAN:
            yield from _work(run, node.id, step_place(node.role or "", unit_id))
        elif node.kind == WAIT:
            yield run.env.timeout(model.waits.get(node.id, 0.0))
        elif node.kind == PARALLEL and not _joined(run, case, node.id):
            break
        if node.kind == PARALLEL:
            for target in node.targets[1:]:
                run.tokens[case] += 1
                run.env.process(_token(run, case, unit_id, target))
        node_id = _choose(run, node.id) if node.id in model.branches else node.targets[0]
    run.tokens[case] -= 1
    if run.tokens[case] == 0:
        run.finished[case] = run.env.now


def _work(run: _Run, element_id: str, place: tuple[str, int]) -> Generator[Any, Any, None]:
    """Queue for the role's staff in the unit, then take a working time from history."""
    desk = run.desks.get(place)
    if desk is None:
        run.model.places.add(place)
        capacity = max(1, run.model.staff.get(place, 0))
        desk = run.desks[place] = simpy.Resource(run.env, capacity=capacity)
    with desk.request() as turn:
        yield turn
        yield run.env.timeout(run.rng.choice(run.model.durations[element_id]))


def _joined(run: _Run, case: int, gateway: str) -> bool:
    """Whether this token completes a parallel join (a split, with one way in, always passes);
    the tokens before the last one end here."""
    needed = run.model.incoming.get(gateway, 1)
    if needed <= 1:
        return True
    run.joins[(case, gateway)] += 1
    if run.joins[(case, gateway)] < needed:
        return False
    run.joins[(case, gateway)] = 0
    return True


def _choose(run: _Run, gateway: str) -> str:
    return _pick(run.model, run.rng, gateway)


def _pick(model: Model, rng: random.Random, gateway: str) -> str:
    options = model.branches[gateway]
    targets = [target for target, _ in options]
    return rng.choices(targets, weights=[share for _, share in options])[0]
