"""`mot-cua/limit-sum`: the step limits (`time_limit`) along the longest path from the start add
up to no more than the procedure's statutory limit; otherwise a dossier whose steps each keep
their own limit is still late. Loops are walked once; a sub-process or call activity counts the
longest path inside it."""

from __future__ import annotations

from collections.abc import Callable

from engine.bpmn.checks.base import WARNING
from engine.bpmn.checks.base import Diagram
from engine.bpmn.checks.base import Rule
from engine.bpmn.checks.base import Scope
from engine.errors import Problem
from engine.rules.calendar import DAYS
from engine.rules.calendar import parse_time_limit

ID = "mot-cua/limit-sum"
HOURS_PER_DAY = 8
_INNER = frozenset({"subProcess", "transaction", "adHocSubProcess", "callActivity"})

Path = tuple[int, list[tuple[str, int]]]
"""Hours in total, and the steps with a limit along the path (id, hours)."""


def longest_path(diagram: Diagram) -> Path:
    """The step limits on the heaviest path from the start, in working hours (the before/after
    table of a version comparison reads it too)."""
    limits = _step_hours(diagram)
    if not limits:
        return (0, [])
    scopes = {scope.id: scope for scope in diagram.scopes()}
    top = [scope for scope in scopes.values() if scope.element.tag.endswith("}process")]
    longest: Path = (0, [])
    for scope in top:
        found = _longest(scope, scopes, limits, set())
        longest = max(longest, found, key=lambda path: path[0])
    return longest


def check(diagram: Diagram) -> list[Problem]:
    if diagram.time_limit is None:
        return []
    longest = longest_path(diagram)
    if not longest[1]:
        return []
    allowed = _hours(diagram.time_limit, diagram.time_limit_unit)
    total, steps = longest
    if total <= allowed:
        return []
    running, culprit = 0, steps[-1][0]
    for step_id, hours in steps:
        running += hours
        if running > allowed:
            culprit = step_id
            break
    shown = " → ".join(f"{step_id} ({_shown(hours)})" for step_id, hours in steps)
    statutory = f"{diagram.time_limit} {'ngày' if diagram.time_limit_unit == DAYS else 'giờ'}"
    return [
        Problem(
            f"Tổng thời hạn các bước trên đường dài nhất là {_shown(total)}, vượt thời hạn "
            f"giải quyết {statutory}: {shown}; bước '{culprit}' làm vượt (the step limits on "
            f"the longest path add up to more than the statutory limit).",
            element_id=culprit,
        )
    ]


def _step_hours(diagram: Diagram) -> dict[str, int]:
    limits = {}
    for task_spec in diagram.task_specs():
        raw = ((getattr(task_spec, "extensions", None) or {}).get("properties") or {}).get(
            "time_limit"
        )
        if raw is None:
            continue
        try:
            limit = parse_time_limit(str(raw))
        except ValueError:
            continue  # the compiler refuses it, naming the task
        limits[task_spec.bpmn_id] = _hours(limit.amount, limit.unit)
    return limits


def _hours(amount: int, unit: str) -> int:
    return amount * HOURS_PER_DAY if unit == DAYS else amount


def _shown(hours: int) -> str:
    days, rest = divmod(hours, HOURS_PER_DAY)
    if rest == 0:
        return f"{days}d"
    return f"{hours}h"


def _longest(
    scope: Scope, scopes: dict[str, Scope], limits: dict[str, int], inside: set[str]
) -> Path:
    """The heaviest path from the scope's start events, each loop's closing flow left out."""
    inside = inside | {scope.id}

    def weight(node_id: str) -> Path:
        node = scope.nodes[node_id]
        own: Path = (
            (limits[node_id], [(node_id, limits[node_id])]) if node_id in limits else (0, [])
        )
        inner_id = node.element.get("calledElement") if node.tag == "callActivity" else node_id
        if node.tag in _INNER and inner_id in scopes and inner_id not in inside:
            total, steps = _longest(scopes[inner_id], scopes, limits, inside)
            return own[0] + total, own[1] + steps
        return own

    order, forward = _acyclic(scope)
    best: dict[str, Path] = {}
    for node_id in order:
        after = max(
            (best[nxt] for nxt in forward(node_id) if nxt in best),
            key=lambda path: path[0],
            default=(0, []),
        )
        own = weight(node_id)
        best[node_id] = (own[0] + after[0], own[1] + after[1])
    starts = [n.id for n in scope.nodes.values() if n.tag == "startEvent" and n.id in best]
    return max((best[start] for start in starts), key=lambda path: path[0], default=(0, []))


def _acyclic(scope: Scope) -> tuple[list[str], Callable[[str], list[str]]]:
    """The nodes reached from the start, each after every node it leads to (depth-first
    post-order), and their successors without the flows that close a loop (back to a node
    still being walked)."""
    starts = [node.id for node in scope.nodes.values() if node.tag == "startEvent"]
    state: dict[str, int] = {}  # 1: being walked, 2: done
    back: set[tuple[str, str]] = set()
    order: list[str] = []
    for start in starts:
        if start in state:
            continue
        stack = [(start, iter(scope.successors(start)))]
        state[start] = 1
        while stack:
            node_id, following = stack[-1]
            nxt = next(following, None)
            if nxt is None:
                state[node_id] = 2
                order.append(node_id)
                stack.pop()
            elif state.get(nxt) == 1:
                back.add((node_id, nxt))
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(scope.successors(nxt))))
    return order, lambda node_id: [
        nxt for nxt in scope.successors(node_id) if (node_id, nxt) not in back
    ]


RULE = Rule(
    ID,
    WARNING,
    "the sum of step time_limits on the longest path does not exceed the statutory limit",
    check,
)
