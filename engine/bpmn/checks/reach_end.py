"""`mot-cua/reach-end`: an element reached from the start from which no path leads to an end event
is where a dossier would stop for good (a dead end, or a loop with no way out)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from engine.bpmn.checks.base import WARNING
from engine.bpmn.checks.base import Diagram
from engine.bpmn.checks.base import Rule
from engine.bpmn.checks.base import Scope
from engine.errors import Problem

ID = "mot-cua/reach-end"


def check(diagram: Diagram) -> list[Problem]:
    problems = []
    for scope in diagram.scopes():
        starts = [node.id for node in scope.nodes.values() if node.tag == "startEvent"]
        reached = _closure(starts, scope.successors)
        ends = [node.id for node in scope.nodes.values() if node.tag == "endEvent"]
        ending = _closure(ends, partial(_predecessors, scope))
        for node_id in reached:
            if node_id in ending:
                continue
            node = scope.nodes[node_id]
            problems.append(
                Problem(
                    f"Từ {node.label} không có đường nào tới sự kiện kết thúc: hồ sơ đến đây sẽ "
                    "dừng mãi (no path leads from this element to an end event).",
                    element_id=node.id,
                )
            )
    return problems


def _predecessors(scope: Scope, node_id: str) -> list[str]:
    node = scope.nodes[node_id]
    host = node.element.get("attachedToRef") if node.tag == "boundaryEvent" else None
    return scope.incoming.get(node_id, []) + ([host] if host in scope.nodes else [])


def _closure(first: list[str], following: Callable[[str], list[str]]) -> list[str]:
    """Every node reached from `first` (themselves included), in the order found."""
    seen = dict.fromkeys(first)
    queue = list(first)
    while queue:
        for nxt in following(queue.pop()):
            if nxt not in seen:
                seen[nxt] = None
                queue.append(nxt)
    return list(seen)


RULE = Rule(ID, WARNING, "every element reached from the start can reach an end event", check)
