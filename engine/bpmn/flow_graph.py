"""A procedure's diagram as a plain graph of steps, gateways and events, for analytics.

The heat map's hints and the what-if simulation walk the flow (which step follows which, where a
gateway branches, where parallel branches join) without running a workflow. Only the top level
of each process is read: a sub-process or call activity is one step of zero duration, a boundary
event is left out (an escalation timer does not change who works when), and an intermediate
timer waits its ISO duration counted in working hours (a day = one office day); each such
approximation is listed in `approximations` so a page can say it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field

from lxml import etree

from engine.bpmn.compiler import BPMN_SUFFIX
from engine.bpmn.compiler import FORM_SUFFIX
from engine.bpmn.xml import parse_untrusted
from engine.rules import forms

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
HUMAN, AUTO, CHOICE, PARALLEL, START, END, WAIT = (
    "human",
    "auto",
    "choice",
    "parallel",
    "start",
    "end",
    "wait",
)
_KINDS = {
    "userTask": HUMAN,
    "manualTask": HUMAN,
    "task": HUMAN,
    "scriptTask": AUTO,
    "serviceTask": AUTO,
    "businessRuleTask": AUTO,
    "sendTask": AUTO,
    "receiveTask": AUTO,
    "subProcess": AUTO,
    "callActivity": AUTO,
    "exclusiveGateway": CHOICE,
    "inclusiveGateway": CHOICE,
    "eventBasedGateway": CHOICE,
    "complexGateway": CHOICE,
    "parallelGateway": PARALLEL,
    "startEvent": START,
    "endEvent": END,
    "intermediateCatchEvent": WAIT,
    "intermediateThrowEvent": AUTO,
}
_DURATION = re.compile(r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?)?$")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class FlowNode:
    id: str
    kind: str
    name: str
    role: str | None = None
    writes: frozenset[str] = frozenset()
    """The keys of the step's form: what the step puts in the dossier's data."""
    reads: frozenset[str] = frozenset()
    """What the step's form shows or tests: its own keys and the names its conditions mention."""
    targets: tuple[str, ...] = ()
    wait: tuple[float, float] = (0.0, 0.0)
    """An intermediate timer's (days, hours): the simulation counts a day as one office day."""


@dataclass(frozen=True)
class FlowGraph:
    nodes: dict[str, FlowNode]
    starts: tuple[str, ...]
    approximations: tuple[str, ...] = field(default=())

    def sources(self, node_id: str) -> list[str]:
        return [node.id for node in self.nodes.values() if node_id in node.targets]

    def next_steps(self, node_id: str) -> set[str]:
        """The human steps (or "end") a token leaving `node_id` can reach first."""
        found: set[str] = set()
        seen: set[str] = set()
        pending = list(self.nodes[node_id].targets)
        while pending:
            current = pending.pop()
            if current in seen or current not in self.nodes:
                continue
            seen.add(current)
            node = self.nodes[current]
            if node.kind == HUMAN:
                found.add(current)
            elif node.kind == END:
                found.add("end")
            else:
                pending.extend(node.targets)
        return found


def flow_graph(files: dict[str, str]) -> FlowGraph:
    """Read every .bpmn file of a procedure (or draft); forms give each step's data keys."""
    fields = {
        name: forms.parse_form(text) for name, text in files.items() if name.endswith(FORM_SUFFIX)
    }
    nodes: dict[str, FlowNode] = {}
    starts: list[str] = []
    notes: set[str] = set()
    for name, text in sorted(files.items()):
        if name.endswith(BPMN_SUFFIX):
            root = parse_untrusted(text.encode(), name)
            for process in root.iter(f"{{{BPMN_NS}}}process"):
                _read_process(process, fields, nodes, starts, notes)
    return FlowGraph(nodes, tuple(starts), tuple(sorted(notes)))


def _read_process(
    process: etree._Element,
    fields: dict[str, list[forms.Field]],
    nodes: dict[str, FlowNode],
    starts: list[str],
    notes: set[str],
) -> None:
    lanes = {
        ref.text.strip(): lane.get("name") or lane.get("id")
        for lane in process.iter(f"{{{BPMN_NS}}}lane")
        for ref in lane.findall(f"{{{BPMN_NS}}}flowNodeRef")
        if ref.text
    }
    targets: dict[str, list[str]] = {}
    for flow in process.findall(f"{{{BPMN_NS}}}sequenceFlow"):
        targets.setdefault(flow.get("sourceRef", ""), []).append(flow.get("targetRef", ""))
    for element in process:
        tag = etree.QName(element).localname if isinstance(element.tag, str) else ""
        kind = _KINDS.get(tag)
        if tag == "boundaryEvent":
            notes.add("boundary_events_ignored")
        if kind is None:
            continue
        node_id = element.get("id", "")
        if tag in ("subProcess", "callActivity"):
            notes.add("subprocesses_take_no_time")
        if tag == "inclusiveGateway":
            notes.add("inclusive_gateways_take_one_branch")
        if kind == START and _has_definition(element):
            continue  # started by a message or timer, not by a receipt
        wait = _wait(element, notes) if kind == WAIT else (0.0, 0.0)
        form = _property(element, "form")
        writes, reads = _form_keys(fields.get(form or "", []))
        nodes[node_id] = FlowNode(
            node_id,
            kind,
            element.get("name") or node_id,
            lanes.get(node_id) if kind == HUMAN else None,
            writes,
            reads,
            tuple(targets.get(node_id, [])),
            wait,
        )
        if kind == START:
            starts.append(node_id)


def _has_definition(element: etree._Element) -> bool:
    return any(
        isinstance(child.tag, str) and etree.QName(child).localname.endswith("EventDefinition")
        for child in element
    )


def _property(element: etree._Element, name: str) -> str | None:
    for item in element.iter():
        if isinstance(item.tag, str) and etree.QName(item).localname == "property":
            if item.get("name") == name:
                return str(item.get("value"))
    return None


def _form_keys(fields: list[forms.Field]) -> tuple[frozenset[str], frozenset[str]]:
    writes = frozenset(item.key for item in fields)
    mentioned = {name for item in fields for name in _NAME.findall(item.hide_when or "")}
    return writes, writes | frozenset(mentioned)


def _wait(element: etree._Element, notes: set[str]) -> tuple[float, float]:
    """An intermediate timer's duration as (days, hours); other catch events wait nothing."""
    duration = element.find(f".//{{{BPMN_NS}}}timeDuration")
    if duration is None or not duration.text:
        if element.find(f".//{{{BPMN_NS}}}timerEventDefinition") is not None:
            notes.add("timers_without_literal_duration_take_no_time")
        else:
            notes.add("message_waits_take_no_time")
        return 0.0, 0.0
    notes.add("timers_count_working_hours")
    match = _DURATION.match(duration.text.strip().strip("\"'"))
    if match is None:
        notes.add("timers_without_literal_duration_take_no_time")
        return 0.0, 0.0
    days, hours, minutes = (float(part or 0) for part in match.groups())
    return days, hours + minutes / 60
