"""`mot-cua/no-implicit-join`: a task or event with several incoming flows runs once per arriving
branch; a gateway says whether to wait for all of them or take the first."""

from __future__ import annotations

from engine.bpmn.checks.base import WARNING
from engine.bpmn.checks.base import Diagram
from engine.bpmn.checks.base import Rule
from engine.errors import Problem

ID = "mot-cua/no-implicit-join"


def check(diagram: Diagram) -> list[Problem]:
    return [
        Problem(
            f"{node.label} có {len(scope.incoming[node.id])} luồng vào: dùng cổng (gateway) để "
            f"nhập nhánh (the element joins {len(scope.incoming[node.id])} flows without a "
            "gateway).",
            element_id=node.id,
        )
        for scope in diagram.scopes()
        for node in scope.nodes.values()
        if not node.is_gateway and len(scope.incoming.get(node.id, [])) > 1
    ]


RULE = Rule(ID, WARNING, "a task or event with several incoming flows (use a gateway)", check)
