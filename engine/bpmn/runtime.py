"""Create, advance and inspect workflow instances; engine failures become WorkflowIncident."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.compiler import CompiledProcedure
from engine.bpmn.compiler import HumanStep
from engine.bpmn.sandbox import SCRIPT_ENGINE
from engine.errors import Conflict
from engine.errors import WorkflowIncident


@dataclass(frozen=True)
class ReadyStep:
    spiff_task_id: str
    step: HumanStep


def start(compiled: CompiledProcedure, data: dict[str, Any]) -> BpmnWorkflow:
    workflow = BpmnWorkflow(compiled.spec, compiled.subprocess_specs, script_engine=SCRIPT_ENGINE)
    first = workflow.get_tasks(state=TaskState.READY)[0]
    first.data.update(data)
    _advance(workflow)
    return workflow


def complete(workflow: BpmnWorkflow, spiff_task_id: str, data: dict[str, Any]) -> None:
    task = workflow.get_task_from_id(UUID(spiff_task_id))
    if task is None or task.state != TaskState.READY:
        raise Conflict("this step is no longer waiting to be done", spiff_task_id=spiff_task_id)
    task.data.update(data)
    try:
        task.run()
    except SpiffWorkflowException as exc:
        raise WorkflowIncident(f"the step failed: {exc}") from exc
    _advance(workflow)


def _advance(workflow: BpmnWorkflow) -> None:
    try:
        workflow.do_engine_steps()
    except SpiffWorkflowException as exc:
        raise WorkflowIncident(f"the workflow cannot advance: {exc}") from exc


def ready_steps(workflow: BpmnWorkflow, compiled: CompiledProcedure) -> list[ReadyStep]:
    ready = []
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
        step = compiled.steps.get(task.task_spec.bpmn_id)
        if step is not None:
            ready.append(ReadyStep(str(task.id), step))
    return ready


def is_completed(workflow: BpmnWorkflow) -> bool:
    return bool(workflow.completed)


def outcome(workflow: BpmnWorkflow) -> str | None:
    """The `outcome` property of the end event the workflow finished on, if any."""
    for task in workflow.get_tasks(state=TaskState.COMPLETED, spec_class=EndEvent):
        value = (task.task_spec.extensions.get("properties") or {}).get("outcome")
        if value and task.workflow is workflow:
            return str(value)
    return None
