"""What every one-stop rule reads: the parsed specs, the diagram's flows as drawn (from the XML),
and the procedure's metadata the rules need (statutory limit, supplement days)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from lxml import etree

from engine.errors import Problem

ERROR, WARNING = "error", "warning"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_SCOPES = ("process", "subProcess", "transaction", "adHocSubProcess")
"""Elements holding their own flows: a process, then the kinds of sub-process."""
_NOT_NODES = frozenset(
    {
        "sequenceFlow",
        "laneSet",
        "dataObject",
        "dataObjectReference",
        "dataStoreReference",
        "textAnnotation",
        "association",
        "group",
        "ioSpecification",
        "property",
        "documentation",
        "extensionElements",
        "multiInstanceLoopCharacteristics",
        "standardLoopCharacteristics",
        "incoming",
        "outgoing",
        "dataInputAssociation",
        "dataOutputAssociation",
        "category",
    }
)


@dataclass(frozen=True)
class Node:
    """One flow node as drawn: its tag (`userTask`, `endEvent`, ...), id, name and element."""

    id: str
    tag: str
    name: str
    element: Any

    @property
    def label(self) -> str:
        """How a message names it: id, and name in brackets when it has one."""
        return (
            f"'{self.id}' [{self.name}]" if self.name and self.name != self.id else f"'{self.id}'"
        )

    @property
    def is_gateway(self) -> bool:
        return self.tag.endswith("Gateway")


@dataclass
class Scope:
    """A process or sub-process: its own nodes and the sequence flows between them. A boundary
    event counts as a flow from its host (so paths through it are followed)."""

    id: str
    element: Any
    nodes: dict[str, Node] = field(default_factory=dict)
    outgoing: dict[str, list[tuple[Any, str]]] = field(default_factory=dict)
    """Node id -> (sequenceFlow element, target id), in document order."""
    incoming: dict[str, list[str]] = field(default_factory=dict)
    attached: dict[str, list[str]] = field(default_factory=dict)
    """Host id -> its boundary events."""

    def successors(self, node_id: str) -> list[str]:
        targets = [target for _flow, target in self.outgoing.get(node_id, [])]
        return targets + self.attached.get(node_id, [])


@dataclass(frozen=True)
class Diagram:
    """The subject of every rule."""

    specs: list[Any]
    """The parsed specs: the process (or collaboration) first, then sub-processes and pools."""
    roots: list[Any]
    """The BPMN files' parsed XML roots."""
    time_limit: int | None = None
    """The statutory limit (None: not known, e.g. a check without metadata)."""
    time_limit_unit: str = "days"
    supplement_days: int = 0

    def task_specs(self) -> list[Any]:
        return [task_spec for spec in self.specs for task_spec in spec.task_specs.values()]

    def scopes(self) -> list[Scope]:
        """The processes the specs were parsed from and the sub-processes in them, as drawn."""
        wanted = {spec.name for spec in self.specs}
        found = []
        for root in self.roots:
            for process in root.iter(etree.QName(BPMN_NS, "process").text):
                if process.get("id") not in wanted:
                    continue
                found.append(_scope(process))
                for tag in _SCOPES[1:]:
                    found.extend(
                        _scope(inner) for inner in process.iter(etree.QName(BPMN_NS, tag).text)
                    )
        return found


def _scope(element: Any) -> Scope:
    scope = Scope(str(element.get("id")), element)
    flows = []
    for child in element:
        if not isinstance(child.tag, str):
            continue  # comments
        tag = etree.QName(child).localname
        if tag == "sequenceFlow":
            flows.append(child)
        elif tag not in _NOT_NODES and etree.QName(child).namespace == BPMN_NS and child.get("id"):
            scope.nodes[child.get("id")] = Node(
                child.get("id"), tag, child.get("name") or "", child
            )
    for flow in flows:
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        if source in scope.nodes and target in scope.nodes:
            scope.outgoing.setdefault(source, []).append((flow, target))
            scope.incoming.setdefault(target, []).append(source)
    for node in scope.nodes.values():
        host = node.element.get("attachedToRef")
        if node.tag == "boundaryEvent" and host in scope.nodes:
            scope.attached.setdefault(host, []).append(node.id)
    return scope


def spec_label(task_spec: Any) -> str:
    """How a message names a task spec: id, and name in brackets when it has one."""
    name = task_spec.bpmn_name
    ident = task_spec.bpmn_id
    return f"'{ident}' [{name}]" if name and name != ident else f"'{ident}'"


@dataclass(frozen=True)
class Rule:
    """One rule of the one-stop set: its id (as the modeler's bpmnlint plugin names it), its
    severity, what it checks (a sentence) and the check."""

    id: str
    severity: str
    summary: str
    check: Callable[[Diagram], list[Problem]]

    def run(self, diagram: Diagram) -> list[Problem]:
        return [_tagged(problem, self.id) for problem in self.check(diagram)]


def _tagged(problem: Problem, rule: str) -> Problem:
    if problem.rule == rule:
        return problem
    return Problem(
        problem.message, problem.element_id, problem.file, problem.line, problem.extra, rule
    )
