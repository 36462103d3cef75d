"""Trying a decision table as the engine runs it: a designer types inputs, the table answers.

The table runs inside a one-step workflow (a business rule task calling it), compiled and run
exactly as a procedure's would be, in the sandbox: what the designer sees is what a dossier
will get, `?` unary tests and hit policies included."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree

from engine.bpmn import runtime
from engine.bpmn.compiler import DMN_SUFFIX
from engine.bpmn.compiler import CompiledProcedure
from engine.bpmn.compiler import compile_procedure
from engine.bpmn.xml import parse_untrusted
from engine.errors import DiagramInvalid
from engine.errors import InvalidData
from engine.errors import Problem
from engine.errors import WorkflowIncident

_PROCESS_ID = "mot_cua_decision_trial"
_WRAPPER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="trial_definitions" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{process}" isExecutable="true">
    <bpmn:startEvent id="trial_start"><bpmn:outgoing>trial_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:businessRuleTask id="trial_decide" name="{decision}">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>{decision}</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
      <bpmn:incoming>trial_1</bpmn:incoming><bpmn:outgoing>trial_2</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:endEvent id="trial_end"><bpmn:incoming>trial_2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="trial_1" sourceRef="trial_start" targetRef="trial_decide" />
    <bpmn:sequenceFlow id="trial_2" sourceRef="trial_decide" targetRef="trial_end" />
  </bpmn:process>
</bpmn:definitions>
"""


@dataclass(frozen=True)
class DecisionTrial:
    outputs: dict[str, Any]
    """What the table set: its output columns by name (a list each for a COLLECT table); empty
    when no rule matched."""


def try_decision(
    files: dict[str, bytes], decision_id: str, inputs: dict[str, Any]
) -> DecisionTrial:
    """Run the decision `decision_id` of the procedure's `.dmn` files on `inputs`.

    DiagramInvalid names what stops the table (no such decision, a table that does not parse);
    InvalidData says why it failed on these inputs (an input missing, a cell that does not
    evaluate), as it would fail on a dossier."""
    tables = {name: content for name, content in files.items() if name.endswith(DMN_SUFFIX)}
    if not tables:
        raise DiagramInvalid(
            "no decision table in the files",
            [Problem("Không có bảng quyết định (.dmn) nào (no decision table in the files).")],
        )
    compiled = _trial(tuple(sorted(tables.items())), decision_id)
    try:
        workflow = runtime.start(compiled, dict(inputs))
    except WorkflowIncident as exc:
        message = (
            f"Bảng quyết định “{decision_id}” không chạy được với các giá trị này (the table "
            f"fails on these inputs): {_reason(exc.detail)}"
        )
        raise InvalidData(message, {"inputs": [message]}) from exc
    if not runtime.is_completed(workflow):  # a one-task workflow either ends or fails
        raise WorkflowIncident("the decision table did not finish")
    outputs = {
        name: value
        for name, value in workflow.data.items()
        if name not in inputs or inputs[name] != value
    }
    return DecisionTrial(outputs)


def decide(compiled: CompiledProcedure, decision_id: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """The outputs of one of a procedure's tables on `inputs`, outside any dossier's workflow
    (the fee a dossier owes at receipt, say)."""
    return try_decision(compiled.tables, decision_id, inputs).outputs


def decision_ids(tables: dict[str, bytes]) -> set[str]:
    """The ids of the decisions the .dmn files define (a file that does not parse has none)."""
    found: set[str] = set()
    for name, content in tables.items():
        if not name.endswith(DMN_SUFFIX):
            continue
        try:
            root = parse_untrusted(content, name)
        except DiagramInvalid:
            continue
        found.update(
            str(element.get("id"))
            for element in root.iter()
            if isinstance(element.tag, str)
            and etree.QName(element).localname == "decision"
            and element.get("id")
        )
    return found


@lru_cache(maxsize=64)
def _trial(tables: tuple[tuple[str, bytes], ...], decision_id: str) -> CompiledProcedure:
    """The one-step workflow running `decision_id`, parsed once per tables and decision."""
    wrapper = _WRAPPER.format(process=_PROCESS_ID, decision=escape(decision_id))
    try:
        return compile_procedure({**dict(tables), "trial.bpmn": wrapper.encode()}, _PROCESS_ID)
    except DiagramInvalid as exc:  # about the tables: the wrapper is ours, not the designer's
        problems = [replace(problem, element_id=None) for problem in exc.problems]
        raise DiagramInvalid(exc.detail, problems) from exc


def _reason(detail: str) -> str:
    """SpiffWorkflow's words without the wrapper's names (the task, the workflow step)."""
    text = detail.removeprefix("the workflow cannot advance: ")
    return text.split(". Business Rule Task")[0].strip()
