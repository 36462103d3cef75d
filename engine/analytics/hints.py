"""Simplification hints, ranked, each with the figures that justify it.

Three kinds:
- `rarely_changes_outcome`: the gateway after a step took the same branch in at least 98% of
  the decided cases (branches read back as engine.analytics.branches says);
- `run_in_parallel`: a step of one role directly followed (joins passed through) by a step of
  another role whose form neither shows nor tests anything the first one writes (form keys and
  the names in its fields' conditions; every form's free `note` is not data another step needs);
- `staffing`: among tasks someone claimed, the median wait is at least five times the median
  work: the queue, not the diagram, is the delay.
Each needs at least MIN_SAMPLE completed tasks. The rank is the working hours at stake in the
period: what the change could save per dossier times the dossiers it touches."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.analytics.branches import END_TOKEN
from engine.analytics.branches import branch_counts
from engine.analytics.heatmap import StepFigures
from engine.analytics.heatmap import StepTimes
from engine.analytics.heatmap import spread
from engine.analytics.heatmap import step_figures
from engine.analytics.heatmap import step_times
from engine.analytics.heatmap import version_graph
from engine.analytics.step_rows import chosen_version
from engine.analytics.step_rows import scope_for
from engine.analytics.step_rows import step_rows
from engine.analytics.step_rows import working_clock
from engine.bpmn.flow_graph import CHOICE
from engine.bpmn.flow_graph import HUMAN
from engine.bpmn.flow_graph import FlowGraph

MIN_SAMPLE = 10
SAME_BRANCH = 0.98
WAIT_TO_WORK = 5.0
FREE_KEYS = frozenset({"note"})


@dataclass(frozen=True)
class Hint:
    kind: str
    element_ids: tuple[str, ...]
    names: tuple[str, ...]
    hours_at_stake: float
    figures: dict[str, Any]


def hints(
    session: Session,
    actor: Actor,
    code: str,
    *,
    version: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> list[Hint]:
    scope = scope_for(session, actor, start, end)
    chosen = chosen_version(session, code, version)
    graph = version_graph(chosen)
    rows = step_rows(session, [chosen.id], scope)
    clock = working_clock()
    figures = {step.element_id: step for step in step_figures(rows, clock, graph)}
    found = [
        *_rarely_changing(graph, figures, branch_counts(graph, rows)),
        *_parallel(graph, figures),
        *_staffing(figures, step_times(rows, clock)),
    ]
    return sorted(found, key=lambda hint: (-hint.hours_at_stake, hint.kind, hint.element_ids))


def _rarely_changing(
    graph: FlowGraph, figures: dict[str, StepFigures], counted: dict[str, Any]
) -> list[Hint]:
    found = []
    for gateway, branches in counted.items():
        step = figures.get(branches.step_id)
        if step is None or branches.decided < MIN_SAMPLE:
            continue
        target, times = max(branches.counts.items(), key=lambda item: item[1])
        share = times / branches.decided
        if share < SAME_BRANCH:
            continue
        node = graph.nodes.get(target)
        found.append(
            Hint(
                "rarely_changes_outcome",
                (step.element_id, gateway),
                (step.name, graph.nodes[gateway].name),
                round((step.total.median or 0.0) * step.count, 1),
                {
                    "decided": branches.decided,
                    "same_branch": times,
                    "share_pct": round(share * 100, 1),
                    "branch": node.name if node is not None else END_TOKEN,
                    "median_hours": step.total.median,
                    "count": step.count,
                },
            )
        )
    return found


def _parallel(graph: FlowGraph, figures: dict[str, StepFigures]) -> list[Hint]:
    found = []
    for first in graph.nodes.values():
        if first.kind != HUMAN or len(first.targets) != 1:
            continue
        before, second = first.id, graph.nodes.get(first.targets[0])
        while second is not None and second.kind == CHOICE and len(second.targets) == 1:
            # a join (e.g. where a supplement loop comes back) passes the dossier straight on
            before, second = second.id, graph.nodes.get(second.targets[0])
        if second is None or second.kind != HUMAN or graph.sources(second.id) != [before]:
            continue
        if first.role == second.role or (first.writes - FREE_KEYS) & (second.reads - FREE_KEYS):
            continue
        one, two = figures.get(first.id), figures.get(second.id)
        if one is None or two is None or min(one.count, two.count) < MIN_SAMPLE:
            continue
        saved = min(one.total.median or 0.0, two.total.median or 0.0)
        found.append(
            Hint(
                "run_in_parallel",
                (first.id, second.id),
                (first.name, second.name),
                round(saved * min(one.count, two.count), 1),
                {
                    "roles": [first.role, second.role],
                    "median_hours": [one.total.median, two.total.median],
                    "saved_per_dossier_hours": saved,
                    "count": min(one.count, two.count),
                },
            )
        )
    return found


def _staffing(figures: dict[str, StepFigures], times: list[StepTimes]) -> list[Hint]:
    taken: dict[str, list[StepTimes]] = defaultdict(list)
    for item in times:
        if item.taken:
            taken[item.element_id].append(item)
    found = []
    for element_id, items in taken.items():
        waiting = spread(item.waiting for item in items).median or 0.0
        working = spread(item.working for item in items).median or 0.0
        if len(items) < MIN_SAMPLE or working <= 0 or waiting < WAIT_TO_WORK * working:
            continue
        step = figures[element_id]
        found.append(
            Hint(
                "staffing",
                (element_id,),
                (step.name,),
                round((waiting - working) * len(items), 1),
                {
                    "role": step.role,
                    "median_waiting_hours": waiting,
                    "median_working_hours": working,
                    "ratio": round(waiting / working, 1),
                    "count": len(items),
                },
            )
        )
    return found
