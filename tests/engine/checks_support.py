"""Small diagrams written for the checks' tests: a process `p` with one lane per role, built
from elements given as (kind, id, extra XML, properties) and flows (source, target, condition)."""

from __future__ import annotations

import json
from typing import Any

from engine.bpmn.compiler import compile_procedure
from engine.bpmn.review import Limits
from engine.bpmn.review import Review
from engine.bpmn.review import review

DECISION_FORM = "decide.form.json"
Element = tuple[str, str, dict[str, str]]
"""(kind, id, properties): kind is a BPMN tag (userTask, scriptTask:<script>, ...)."""


def form(*fields: dict[str, Any]) -> bytes:
    return json.dumps({"type": "default", "components": list(fields)}).encode()


DECIDE = form(
    {
        "type": "select",
        "key": "decision",
        "label": "Quyết định",
        "values": [{"label": "Duyệt", "value": "approve"}, {"label": "Từ chối", "value": "refuse"}],
    },
    {"type": "number", "key": "pages", "label": "Số trang"},
)


def bpmn(
    elements: list[Element],
    flows: list[tuple[str, str] | tuple[str, str, str]],
    *,
    lane: str | None = "reception",
    names: dict[str, str] | None = None,
) -> bytes:
    """The process `p`: a start `start`, the elements, flows `f1`..., every element in one lane
    named `lane` (None: no lanes)."""
    names = names or {}
    parts = ['<bpmn:startEvent id="start"/>']
    for kind, element_id, props in elements:
        tag, _, script = kind.partition(":")
        inner = ""
        if props:
            items = "".join(
                f'<spiffworkflow:property name="{key}" value="{value}"/>'
                for key, value in props.items()
            )
            inner += (
                f"<bpmn:extensionElements><spiffworkflow:properties>{items}"
                "</spiffworkflow:properties></bpmn:extensionElements>"
            )
        if script:
            inner += f"<bpmn:script>{script}</bpmn:script>"
        name = f' name="{names[element_id]}"' if element_id in names else ""
        parts.append(f'<bpmn:{tag} id="{element_id}"{name}>{inner}</bpmn:{tag}>')
    for number, flow in enumerate(flows, 1):
        source, target, *condition = flow
        body = ""
        if condition:
            body = (
                '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
                f"{condition[0]}</bpmn:conditionExpression>"
            )
        parts.append(
            f'<bpmn:sequenceFlow id="f{number}" sourceRef="{source}" targetRef="{target}">'
            f"{body}</bpmn:sequenceFlow>"
        )
    lanes = ""
    if lane:
        refs = "".join(
            f"<bpmn:flowNodeRef>{element_id}</bpmn:flowNodeRef>"
            for element_id in ["start", *(element[1] for element in elements)]
        )
        lane_xml = f'<bpmn:lane id="l1" name="{lane}">{refs}</bpmn:lane>'
        lanes = f'<bpmn:laneSet id="ls">{lane_xml}</bpmn:laneSet>'
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" '
        'targetNamespace="http://bpmn.io/schema/bpmn">'
        f'<bpmn:process id="p" isExecutable="true">{lanes}{"".join(parts)}</bpmn:process>'
        "</bpmn:definitions>"
    ).encode()


def files_of(diagram: bytes) -> dict[str, bytes]:
    return {"p.bpmn": diagram, DECISION_FORM: DECIDE}


def reviewed(
    diagram: bytes, *, limit: int = 10, unit: str = "days", supplement_days: int = 0
) -> Review:
    files = files_of(diagram)
    return review(compile_procedure(files, "p"), files, Limits(limit, unit, supplement_days))


def rules_of(problems: list[Any]) -> list[tuple[str | None, str | None]]:
    return [(problem.rule, problem.element_id) for problem in problems]
