"""`mot-cua/no-implicit-split`: a task or event with several unconditional outgoing flows starts
parallel branches without saying so; a gateway says it (as bpmnlint's rule of that name, flows
with a condition and default flows are not counted)."""

from __future__ import annotations

from engine.bpmn.checks.base import WARNING
from engine.bpmn.checks.base import Diagram
from engine.bpmn.checks.base import Rule
from engine.errors import Problem

ID = "mot-cua/no-implicit-split"


def check(diagram: Diagram) -> list[Problem]:
    problems = []
    for scope in diagram.scopes():
        for node in scope.nodes.values():
            if node.is_gateway:
                continue
            default = node.element.get("default")
            plain = [
                flow
                for flow, _target in scope.outgoing.get(node.id, [])
                if flow.get("id") != default and not _conditional(flow)
            ]
            if len(plain) > 1:
                problems.append(
                    Problem(
                        f"{node.label} có {len(plain)} luồng ra không điều kiện: dùng cổng "
                        f"(gateway) để tách nhánh (the element splits into {len(plain)} flows "
                        "without a gateway).",
                        element_id=node.id,
                    )
                )
    return problems


def _conditional(flow: object) -> bool:
    return any(
        isinstance(child.tag, str) and child.tag.endswith("}conditionExpression")
        for child in flow  # type: ignore[attr-defined]
    )


RULE = Rule(ID, WARNING, "a task or event with several outgoing flows (use a gateway)", check)
