"""What changed between two versions of a procedure, element by element, as the server reads
their files (our hardened XML parser, the compiled specs' steps and forms): added, removed,
changed (the properties a one-stop procedure runs on: name, role, form, time limit, condition,
script, kind), moved (drawn elsewhere, or into another sub-process), the forms' field changes,
and the figures of the before/after table for each side."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.bpmn.checks.base import BPMN_NS
from engine.bpmn.checks.base import Diagram
from engine.bpmn.checks.base import Scope
from engine.bpmn.checks.limit_sum import HOURS_PER_DAY
from engine.bpmn.checks.limit_sum import longest_path
from engine.bpmn.compiler import BPMN_SUFFIX
from engine.bpmn.compiler import CompiledProcedure
from engine.bpmn.xml import parse_untrusted

DI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
MOVED_PIXELS = 5.0
"""A shape drawn at least this far from where it was counts as moved (not a nudge)."""


@dataclass(frozen=True)
class Side:
    """One version as the diff reads it."""

    compiled: CompiledProcedure
    files: dict[str, bytes]
    time_limit: int
    time_limit_unit: str


@dataclass(frozen=True)
class Element:
    id: str
    kind: str
    name: str
    scope: str
    properties: dict[str, Any]
    position: tuple[float, float] | None


@dataclass(frozen=True)
class Summary:
    steps: int
    roles: list[str]
    handovers: int
    limit_sum_hours: int
    limit_sum_days: float
    statutory_limit: int
    statutory_limit_unit: str


@dataclass(frozen=True)
class VersionDiff:
    added: list[dict[str, Any]]
    removed: list[dict[str, Any]]
    changed: list[dict[str, Any]]
    moved: list[dict[str, Any]]
    forms: dict[str, dict[str, Any]]
    summary: dict[str, Summary]


def diff(before: Side, after: Side) -> VersionDiff:
    old, new = _elements(before), _elements(after)
    added = [_brief(new[key]) for key in new if key not in old]
    removed = [_brief(old[key]) for key in old if key not in new]
    changed, moved = [], []
    for key in old.keys() & new.keys():
        was, now = old[key], new[key]
        changes = {
            name: {"from": was.properties.get(name), "to": now.properties.get(name)}
            for name in sorted(was.properties.keys() | now.properties.keys())
            if was.properties.get(name) != now.properties.get(name)
        }
        if changes:
            changed.append({**_brief(now), "properties": changes})
        if _moved(was, now):
            moved.append(
                {
                    **_brief(now),
                    "from_scope": was.scope,
                    "to_scope": now.scope,
                    "from_position": was.position,
                    "to_position": now.position,
                }
            )
    order = {key: index for index, key in enumerate([*old, *new])}
    for items in (changed, moved):
        items.sort(key=lambda item: order[item["element_id"]])
    return VersionDiff(
        added,
        removed,
        changed,
        moved,
        _forms(before.compiled, after.compiled),
        {"from": summary(before), "to": summary(after)},
    )


def _brief(element: Element) -> dict[str, Any]:
    return {"element_id": element.id, "name": element.name, "kind": element.kind}


def _moved(was: Element, now: Element) -> bool:
    if was.scope != now.scope:
        return True
    if was.position is None or now.position is None:
        return False
    return (
        abs(was.position[0] - now.position[0]) >= MOVED_PIXELS
        or abs(was.position[1] - now.position[1]) >= MOVED_PIXELS
    )


def _roots(side: Side) -> list[Any]:
    return [
        parse_untrusted(content, name)
        for name, content in sorted(side.files.items())
        if name.endswith(BPMN_SUFFIX)
    ]


def _diagram(side: Side, roots: list[Any] | None = None) -> Diagram:
    compiled = side.compiled
    specs = [compiled.spec, *compiled.subprocess_specs.values()]
    return Diagram(specs, roots or _roots(side), side.time_limit, side.time_limit_unit)


def _elements(side: Side) -> dict[str, Element]:
    roots = _roots(side)
    positions = _positions(roots)
    steps = side.compiled.steps
    found: dict[str, Element] = {}
    for scope in _diagram(side, roots).scopes():
        for node in scope.nodes.values():
            properties = _properties(node.element)
            properties["kind"] = node.tag
            properties["name"] = node.name
            step = steps.get(node.id)
            if step is not None:
                properties["role"] = step.role
            found[node.id] = Element(
                node.id, node.tag, node.name, scope.id, properties, positions.get(node.id)
            )
        for flow in _flows(scope):
            condition = flow.find(f"{{{BPMN_NS}}}conditionExpression")
            properties = {"kind": "sequenceFlow", "name": flow.get("name") or ""}
            properties["source"], properties["target"] = (
                flow.get("sourceRef"),
                flow.get("targetRef"),
            )
            if condition is not None and (condition.text or "").strip():
                properties["condition"] = (condition.text or "").strip()
            found[flow.get("id")] = Element(
                flow.get("id"), "sequenceFlow", flow.get("name") or "", scope.id, properties, None
            )
    return found


def _flows(scope: Scope) -> list[Any]:
    return [
        child
        for child in scope.element
        if isinstance(child.tag, str) and child.tag == f"{{{BPMN_NS}}}sequenceFlow"
    ]


def _properties(element: Any) -> dict[str, Any]:
    """The spiffworkflow properties (form, time_limit, outcome …) and the script text."""
    found: dict[str, Any] = {}
    for prop in element.iter(f"{{{SPIFF_NS}}}property"):
        if prop.get("name"):
            found[prop.get("name")] = prop.get("value")
    script = element.find(f"{{{BPMN_NS}}}script")
    if script is not None and (script.text or "").strip():
        found["script"] = (script.text or "").strip()
    return found


def _positions(roots: list[Any]) -> dict[str, tuple[float, float]]:
    found = {}
    for root in roots:
        for shape in root.iter(f"{{{DI_NS}}}BPMNShape"):
            bounds = shape.find(f"{{{DC_NS}}}Bounds")
            if bounds is not None and shape.get("bpmnElement"):
                found[shape.get("bpmnElement")] = (
                    float(bounds.get("x") or 0),
                    float(bounds.get("y") or 0),
                )
    return found


def _forms(before: CompiledProcedure, after: CompiledProcedure) -> dict[str, dict[str, Any]]:
    """Per form file present on either side: the fields added, removed and changed (by key)."""
    result: dict[str, dict[str, Any]] = {}
    for name in sorted(before.forms.keys() | after.forms.keys()):
        old = {item.key: item for item in before.forms.get(name, [])}
        new = {item.key: item for item in after.forms.get(name, [])}
        changed: list[dict[str, Any]] = []
        for key in old.keys() & new.keys():
            changes = {
                attribute: {"from": _shown(old[key], attribute), "to": _shown(new[key], attribute)}
                for attribute in ("type", "label", "validate", "values")
                if _shown(old[key], attribute) != _shown(new[key], attribute)
            }
            if changes:
                changed.append({"key": key, "properties": changes})
        entry: dict[str, Any] = {
            "added": [key for key in new if key not in old],
            "removed": [key for key in old if key not in new],
            "changed": sorted(changed, key=lambda item: str(item["key"])),
            "status": "added" if not old else "removed" if not new else "kept",
        }
        if entry["added"] or entry["removed"] or entry["changed"] or entry["status"] != "kept":
            result[name] = entry
    return result


def _shown(item: Any, attribute: str) -> Any:
    value = getattr(item, attribute)
    return list(value) if isinstance(value, tuple) else value


def summary(side: Side) -> Summary:
    """The before/after table's figures of one version."""
    compiled = side.compiled
    diagram = _diagram(side)
    hours, _ = longest_path(diagram)
    return Summary(
        steps=len(compiled.steps),
        roles=sorted({step.role for step in compiled.steps.values()}),
        handovers=_handovers(diagram, compiled),
        limit_sum_hours=hours,
        limit_sum_days=round(hours / HOURS_PER_DAY, 2),
        statutory_limit=side.time_limit,
        statutory_limit_unit=side.time_limit_unit,
    )


def _handovers(diagram: Diagram, compiled: CompiledProcedure) -> int:
    """Pairs (step, next step) whose roles differ: the dossier changes hands between offices
    there. Next steps are reached through gateways and events, not through other steps."""
    count = 0
    for scope in diagram.scopes():
        for node_id in scope.nodes:
            step = compiled.steps.get(node_id)
            if step is None:
                continue
            for following in _next_steps(scope, node_id, compiled):
                if compiled.steps[following].role != step.role:
                    count += 1
    return count


def _next_steps(scope: Scope, start: str, compiled: CompiledProcedure) -> set[str]:
    found, seen, stack = set(), {start}, list(scope.successors(start))
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        if current in compiled.steps:
            found.add(current)
        else:
            stack.extend(scope.successors(current))
    return found
