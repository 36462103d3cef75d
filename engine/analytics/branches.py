"""Which branch each gateway took, read back from the task rows.

Method: for a choice gateway that directly follows a human step, each completion of that step is
followed by the next task the same dossier opened at or after the completion (the lowest task id
after it); the branch is the one from which that task's step is reached first without passing
another human step. No next task and a finished dossier is the branch that reaches an end. A
task reachable from more than one branch, or an unfinished dossier with no next task, is not
counted. Gateways after automatic steps or other gateways are left unknown."""

from __future__ import annotations

from collections import Counter
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from engine.analytics.step_rows import StepRow
from engine.bpmn.flow_graph import CHOICE
from engine.bpmn.flow_graph import END
from engine.bpmn.flow_graph import HUMAN
from engine.bpmn.flow_graph import FlowGraph

END_TOKEN = "end"  # noqa: S105 (a node name, not a secret)


@dataclass(frozen=True)
class BranchCounts:
    gateway_id: str
    step_id: str
    """The human step whose completion the gateway decides after."""
    counts: dict[str, int]
    """Times each outgoing target was taken."""

    @property
    def decided(self) -> int:
        return sum(self.counts.values())


def reached_from(graph: FlowGraph, target: str) -> set[str]:
    node = graph.nodes.get(target)
    if node is None:
        return set()
    if node.kind == HUMAN:
        return {target}
    if node.kind == END:
        return {END_TOKEN}
    return graph.next_steps(target)


def decided_gateways(graph: FlowGraph) -> dict[str, str]:
    """Choice gateway id -> the one human step right before it."""
    found = {}
    for node in graph.nodes.values():
        if node.kind != CHOICE:
            continue
        sources = graph.sources(node.id)
        if len(sources) == 1 and graph.nodes[sources[0]].kind == HUMAN:
            found[node.id] = sources[0]
    return found


def branch_counts(graph: FlowGraph, rows: Sequence[StepRow]) -> dict[str, BranchCounts]:
    gateways = decided_gateways(graph)
    by_step = {step: gateway for gateway, step in gateways.items()}
    reach = {
        gateway: {target: reached_from(graph, target) for target in graph.nodes[gateway].targets}
        for gateway in gateways
    }
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    by_dossier: dict[int, list[StepRow]] = defaultdict(list)
    for row in rows:
        by_dossier[row.dossier_id].append(row)
    for tasks in by_dossier.values():
        for index, row in enumerate(tasks):
            gateway = by_step.get(row.element_id)
            if gateway is None or row.state != "completed" or row.completed_at is None:
                continue
            done = row.completed_at
            following = next((t for t in tasks[index + 1 :] if t.created_at >= done), None)
            if following is not None:
                step = following.element_id
            elif row.dossier_finished_at is not None:
                step = END_TOKEN
            else:
                continue
            taken = [target for target, steps in reach[gateway].items() if step in steps]
            if len(taken) == 1:
                counts[gateway][taken[0]] += 1
    return {
        gateway: BranchCounts(
            gateway,
            step,
            {target: counts[gateway][target] for target in graph.nodes[gateway].targets},
        )
        for gateway, step in gateways.items()
    }
