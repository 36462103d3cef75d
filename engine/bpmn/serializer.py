"""Saved workflow state without the spec: the spec comes from the cache by version hash.

Keeping the spec out halves per-step cost and state size (see reference/spiff-bench.md).
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.bpmn.compaction import compact
from engine.bpmn.compiler import CompiledProcedure
from engine.bpmn.sandbox import SCRIPT_ENGINE


class SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Writes the process id in place of the spec; restores with the spec handed in."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["spec"] = workflow.spec.name
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], **kwargs: Any) -> BpmnWorkflow:
        compiled: CompiledProcedure = kwargs["compiled"]
        workflow = self.target_class(
            compiled.spec,
            compiled.subprocess_specs,
            script_engine=SCRIPT_ENGINE,
            deserializing=True,
        )
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _make_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = SpeclessWorkflowConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


SERIALIZER = _make_serializer()
SERIALIZER_VERSION: str = SERIALIZER.VERSION


def dump(workflow: BpmnWorkflow) -> str:
    """Serialize after dropping finished history (see compaction): cost stays flat in loops."""
    compact(workflow)
    return str(SERIALIZER.serialize_json(workflow))


def load(state: str, compiled: CompiledProcedure) -> BpmnWorkflow:
    dct = json.loads(state)
    SERIALIZER.migrate(dct)
    return SERIALIZER.from_dict(dct, compiled=compiled)
