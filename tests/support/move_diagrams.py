"""Small generated diagrams for the version-move tests: a chain of user tasks in role lanes,
optionally with a parallel block, so each test states its two versions in one line each."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

FORM_NAME = "check_dossier.form.json"
FORM = (
    '{"type": "default", "id": "check_dossier", "components": [{"id": "f1", "type": "textfield",'
    ' "key": "note", "label": "Ghi chú"}]}'
)


@dataclass(frozen=True)
class Step:
    id: str
    name: str = ""
    role: str = "reception"
    limit: str | None = None


def chain(
    process_id: str, steps: list[Step], *, parallel: tuple[Step, Step] | None = None
) -> dict[str, bytes]:
    """start -> steps… [-> fork -> (a | b) -> join] -> end, as a procedure's files."""
    nodes, flows, lanes = [], [], {}
    previous = "start"
    ordered = list(steps)
    for step in ordered:
        nodes.append(_task(step))
        lanes.setdefault(step.role, []).append(step.id)
        flows.append((previous, step.id))
        previous = step.id
    if parallel is not None:
        nodes.append('<bpmn:parallelGateway id="fork" />')
        nodes.append('<bpmn:parallelGateway id="join" />')
        flows.append((previous, "fork"))
        for step in parallel:
            nodes.append(_task(step))
            lanes.setdefault(step.role, []).append(step.id)
            flows.append(("fork", step.id))
            flows.append((step.id, "join"))
        lanes.setdefault("reception", []).extend(["fork", "join"])
        previous = "join"
    flows.append((previous, "done"))
    lanes.setdefault("reception", []).extend(["start", "done"])
    lane_xml = "".join(
        f'<bpmn:lane id="lane_{role}" name="{role}">'
        + "".join(f"<bpmn:flowNodeRef>{ref}</bpmn:flowNodeRef>" for ref in refs)
        + "</bpmn:lane>"
        for role, refs in lanes.items()
    )
    flow_xml = "".join(
        f'<bpmn:sequenceFlow id="f_{source}_{target}" sourceRef="{source}" targetRef="{target}" />'
        for source, target in flows
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
        f'id="defs_{process_id}" targetNamespace="http://bpmn.io/schema/bpmn">'
        f'<bpmn:process id="{process_id}" isExecutable="true">'
        f'<bpmn:laneSet id="lanes">{lane_xml}</bpmn:laneSet>'
        '<bpmn:startEvent id="start" />'
        + "".join(nodes)
        + '<bpmn:endEvent id="done" />'
        + flow_xml
        + "</bpmn:process></bpmn:definitions>"
    )
    return {f"{process_id}.bpmn": xml.encode(), FORM_NAME: FORM.encode()}


def _task(step: Step) -> str:
    limit = (
        f'<spiffworkflow:property name="time_limit" value="{step.limit}" />' if step.limit else ""
    )
    return (
        f"<bpmn:userTask id={quoteattr(step.id)} name={quoteattr(step.name or step.id)}>"
        "<bpmn:extensionElements><spiffworkflow:properties>"
        f'<spiffworkflow:property name="form" value="{FORM_NAME}" />{limit}'
        "</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>"
    )
