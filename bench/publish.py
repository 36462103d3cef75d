"""6. Publishing a large diagram, and the parsed-spec cache on the steps after it.

The diagram is generated: 200 flow elements (flow nodes + sequence flows) in six lanes named by the
lane roles, with user tasks (each with its lane's form), exclusive and parallel gateways, and
diagram interchange shapes as a modeler writes them. Timed: engine.bpmn.compiler.compile_procedure
(median of 20) and engine.catalogue.procedures.publish (median of 5, each a new version). Then
dossiers of that procedure are walked to the end through the API while SPEC_CACHE.misses must stay
put.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import harness

TARGET_MS = 200.0
ELEMENTS = 200
LANES = (
    "reception",
    "civil_status",
    "commune_police",
    "social_insurance",
    "labour_social",
    "leader",
)
CODE = "bench_large_diagram"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass
class Diagram:
    """Nodes as (kind, id, name, lane) and flows as (id, source, target, condition)."""

    nodes: list[tuple[str, str, str, str]] = field(default_factory=list)
    flows: list[tuple[str, str, str, str | None]] = field(default_factory=list)

    def node(self, kind: str, name: str, lane: str) -> str:
        node_id = f"{kind.lower()}_{len(self.nodes) + 1}"
        self.nodes.append((kind, node_id, name, lane))
        return node_id

    def flow(self, source: str, target: str, condition: str | None = None) -> None:
        self.flows.append((f"flow_{len(self.flows) + 1}", source, target, condition))

    @property
    def size(self) -> int:
        return len(self.nodes) + len(self.flows)


def _lane(index: int) -> str:
    return LANES[index % len(LANES)]


def build(elements: int = ELEMENTS) -> Diagram:
    """start -> blocks (task, split, two tasks, join) alternating exclusive / parallel, then a
    chain of tasks to reach `elements` exactly, -> end."""
    diagram = Diagram()
    blocks = (elements - 3) // 11  # start + end + its flow = 3; a block = 5 nodes + 6 flows
    while (elements - 3 - 11 * blocks) % 2:  # a chained task = 1 node + 1 flow
        blocks -= 1
    last = diagram.node("startEvent", "Bắt đầu", LANES[0])
    for block in range(blocks):
        first = diagram.node("userTask", f"Xử lý bước {block + 1}", _lane(block))
        diagram.flow(last, first)
        kind = "exclusiveGateway" if block % 2 == 0 else "parallelGateway"
        split = diagram.node(kind, "Rẽ nhánh", _lane(block))
        join = diagram.node(kind, "Hợp nhánh", _lane(block))
        diagram.flow(first, split)
        branches = (("a", 'route == "a"'), ("b", 'route != "a"'))
        for offset, (branch, condition) in enumerate(branches):
            task = diagram.node(
                "userTask", f"Nhánh {branch} của bước {block + 1}", _lane(block + 1 + offset)
            )
            diagram.flow(split, task, condition if kind == "exclusiveGateway" else None)
            diagram.flow(task, join)
        last = join
    for _ in range((elements - 3 - 11 * blocks) // 2):
        task = diagram.node("userTask", f"Kiểm tra {len(diagram.nodes)}", _lane(len(diagram.nodes)))
        diagram.flow(last, task)
        last = task
    end = diagram.node("endEvent", "Kết thúc", LANES[0])
    diagram.flow(last, end)
    return diagram


def _form(role: str) -> bytes:
    form = {
        "type": "default",
        "id": f"bench_{role}",
        "schemaVersion": 16,
        "components": [
            {
                "id": "Field_route",
                "type": "select",
                "key": "route",
                "label": "Hướng xử lý",
                "values": [{"label": "Nhánh a", "value": "a"}, {"label": "Nhánh b", "value": "b"}],
                "validate": {"required": True},
            },
            {
                "id": "Field_note",
                "type": "textarea",
                "key": "note",
                "label": "Ghi chú",
                "validate": {"required": False, "maxLength": 2000},
            },
        ],
    }
    return json.dumps(form, ensure_ascii=False, indent=2).encode()


def _xml(diagram: Diagram) -> bytes:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<bpmn:definitions xmlns:bpmn="{BPMN_NS}" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
        'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
        'id="Definitions_bench" targetNamespace="http://bpmn.io/schema/bpmn">',
        '  <bpmn:collaboration id="Collaboration_bench">',
        f'    <bpmn:participant id="Participant_bench" name="Thử tải" processRef="{CODE}" />',
        "  </bpmn:collaboration>",
        f'  <bpmn:process id="{CODE}" name="Quy trình thử tải" isExecutable="true">',
        '    <bpmn:laneSet id="LaneSet_bench">',
    ]
    for lane in LANES:
        lines.append(f'      <bpmn:lane id="lane_{lane}" name="{lane}">')
        lines += [
            f"        <bpmn:flowNodeRef>{n[1]}</bpmn:flowNodeRef>"
            for n in diagram.nodes
            if n[3] == lane
        ]
        lines.append("      </bpmn:lane>")
    lines.append("    </bpmn:laneSet>")
    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for flow_id, source, target, _ in diagram.flows:
        outgoing.setdefault(source, []).append(flow_id)
        incoming.setdefault(target, []).append(flow_id)
    for kind, node_id, name, lane in diagram.nodes:
        lines.append(f'    <bpmn:{kind} id="{node_id}" name="{name}">')
        if kind == "userTask":
            lines += [
                "      <bpmn:extensionElements><spiffworkflow:properties>",
                f'        <spiffworkflow:property name="form" value="{lane}.form.json" />',
                "      </spiffworkflow:properties></bpmn:extensionElements>",
            ]
        if kind == "endEvent":
            lines += [
                "      <bpmn:extensionElements><spiffworkflow:properties>",
                '        <spiffworkflow:property name="outcome" value="result_returned" />',
                "      </spiffworkflow:properties></bpmn:extensionElements>",
            ]
        lines += [f"      <bpmn:incoming>{f}</bpmn:incoming>" for f in incoming.get(node_id, [])]
        lines += [f"      <bpmn:outgoing>{f}</bpmn:outgoing>" for f in outgoing.get(node_id, [])]
        lines.append(f"    </bpmn:{kind}>")
    for flow_id, source, target, condition in diagram.flows:
        head = f'    <bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"'
        if condition is None:
            lines.append(head + " />")
        else:
            escaped = condition.replace('"', "&quot;")
            lines += [
                head + ">",
                f'      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{escaped}'
                "</bpmn:conditionExpression>",
                "    </bpmn:sequenceFlow>",
            ]
    lines.append("  </bpmn:process>")
    lines += _shapes(diagram)
    lines.append("</bpmn:definitions>")
    return "\n".join(lines).encode()


def _shapes(diagram: Diagram) -> list[str]:
    """Diagram interchange, as a modeler saves it: a shape per node and lane, an edge per flow."""
    lines = [
        '  <bpmndi:BPMNDiagram id="BPMNDiagram_bench">',
        '    <bpmndi:BPMNPlane id="BPMNPlane_bench" bpmnElement="Collaboration_bench">',
    ]
    where: dict[str, tuple[int, int]] = {}
    for column, (_, node_id, _, lane) in enumerate(diagram.nodes):
        x, y = 200 + column * 130, 100 + LANES.index(lane) * 160 + 40
        where[node_id] = (x, y)
        lines.append(
            f'      <bpmndi:BPMNShape id="{node_id}_di" bpmnElement="{node_id}">'
            f'<dc:Bounds x="{x}" y="{y}" width="100" height="80" /></bpmndi:BPMNShape>'
        )
    width = 200 + len(diagram.nodes) * 130
    for index, lane in enumerate(LANES):
        lines.append(
            f'      <bpmndi:BPMNShape id="lane_{lane}_di" bpmnElement="lane_{lane}" '
            f'isHorizontal="true"><dc:Bounds x="150" y="{100 + index * 160}" '
            f'width="{width}" height="160" /></bpmndi:BPMNShape>'
        )
    for flow_id, source, target, _ in diagram.flows:
        (x1, y1), (x2, y2) = where[source], where[target]
        lines.append(
            f'      <bpmndi:BPMNEdge id="{flow_id}_di" bpmnElement="{flow_id}">'
            f'<di:waypoint x="{x1 + 100}" y="{y1 + 40}" /><di:waypoint x="{x2}" '
            f'y="{y2 + 40}" /></bpmndi:BPMNEdge>'
        )
    lines += ["    </bpmndi:BPMNPlane>", "  </bpmndi:BPMNDiagram>"]
    return lines


def files(diagram: Diagram) -> dict[str, bytes]:
    found = {f"{CODE}.bpmn": _xml(diagram)}
    found.update({f"{lane}.form.json": _form(lane) for lane in LANES})
    return found


# --- the run -----------------------------------------------------------------------------------


def _walk(client: Any, headers: dict[str, str], turn: int) -> int:
    """Receive one dossier and complete its tasks until none is open; return the steps."""
    response = client.post(
        "/api/v1/dossiers",
        json={
            "procedure_code": CODE,
            "channel": "in_person",
            "unit": "C01",
            "applicant": {"full_name": "Trần Văn Tải", "id_number": "001234567892"},
        },
        headers=headers,
    )
    if response.status_code != 201:
        raise SystemExit(f"publish: receiving failed: {response.status_code} {response.json}")
    waiting = [t["id"] for t in response.json["tasks"]]
    steps = 0
    while waiting:
        task = waiting.pop(0)
        data = {"route": "ab"[(turn + steps) % 2]}
        answer = client.post(f"/api/v1/tasks/{task}/complete", json={"data": data}, headers=headers)
        if answer.status_code != 200:
            raise SystemExit(f"publish: step failed: {answer.status_code} {answer.json}")
        waiting += [t["id"] for t in answer.json["next_tasks"]]
        steps += 1
    return steps


def run(options: harness.Options) -> list[harness.Result]:
    from sqlalchemy import select

    from engine.access.accounts import load_actor
    from engine.bpmn.compiler import SPEC_CACHE
    from engine.bpmn.compiler import compile_procedure
    from engine.bpmn.review import Limits
    from engine.bpmn.review import review
    from engine.catalogue.procedures import ProcedureMetadata
    from engine.catalogue.procedures import publish
    from engine.models import User
    from engine.store.uow import UnitOfWork

    diagram = build()
    harness.section(f"6. publish a {diagram.size}-element diagram; spec cache on later steps")
    kinds: dict[str, int] = {}
    for kind, *_ in diagram.nodes:
        kinds[kind] = kinds.get(kind, 0) + 1
    content = files(diagram)
    harness.say(
        f"diagram: {len(diagram.nodes)} nodes ({', '.join(f'{n} {k}' for k, n in kinds.items())})"
        f" + {len(diagram.flows)} sequence flows = {diagram.size} elements, {len(LANES)} lanes; "
        f"{len(content[f'{CODE}.bpmn']) // 1024} KiB of BPMN, {len(LANES)} forms"
    )
    compile_ms = []
    for _ in range(20):
        started = time.perf_counter()
        compiled = compile_procedure(content, CODE)
        compile_ms.append((time.perf_counter() - started) * 1000)
    harness.say(f"compile_procedure (parse + validate): {harness.summary_ms(compile_ms)}")
    harness.say(f"human steps found: {len(compiled.steps)}")
    review_ms = []
    for _ in range(5):
        started = time.perf_counter()
        found = review(compiled, content, Limits(5, "days", 5))
        review_ms.append((time.perf_counter() - started) * 1000)
    trial = found.dry_run
    harness.say(
        f"checks at publish (rule set, variables, dry run): {harness.summary_ms(review_ms)}; "
        + (
            f"dry run {trial.runs} runs, {trial.steps} steps, {trial.seconds * 1000:.1f} ms, "
            f"{'every path' if trial.complete else 'budget reached'}; "
            if trial is not None
            else "no dry run; "
        )
        + f"{len(found.errors)} errors, {len(found.warnings)} warnings"
    )

    app = harness.build_app(options.sqlite_url("publish"))
    factory = harness.session_factory(app)
    with factory() as session:
        admin = load_actor(session, session.scalar(select(User.id).where(User.username == "admin")))
    publish_ms = []
    for number in range(5):
        name = f"Quy trình thử tải {number}"
        meta = ProcedureMetadata(CODE, name, "Load test", "civil_status", 5, CODE)
        with UnitOfWork(factory) as uow:
            started = time.perf_counter()
            result = publish(uow, admin, meta, content)
            publish_ms.append((time.perf_counter() - started) * 1000)
        if not result.created:
            raise SystemExit("publish: a new version was expected")
    harness.say(f"publish (compile + store a version): {harness.summary_ms(publish_ms)}")

    client = app.test_client()
    headers = harness.login(client)
    misses_before = SPEC_CACHE.misses
    steps = sum(_walk(client, headers, turn) for turn in range(options.pick(2, 6)))
    misses = SPEC_CACHE.misses - misses_before
    harness.app_engine(app).dispose()
    harness.say(f"spec cache misses over {steps} API steps after publishing: {misses}")
    median = statistics.median(compile_ms)
    return [
        harness.Result(
            f"6 publish: parse + validate {diagram.size} elements",
            f"median {median:.0f} ms (publish {statistics.median(publish_ms):.0f} ms)",
            f"< {TARGET_MS:.0f} ms",
            median < TARGET_MS,
        ),
        harness.Result(
            "6 publish: spec cache on later steps",
            f"{misses} misses in {steps} steps",
            "0 misses",
            misses == 0,
        ),
    ]
