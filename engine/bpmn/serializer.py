"""Saved workflow state without the spec: the spec comes from the cache by version hash.

Keeping the spec out halves per-step cost and state size (see reference/spiff-bench.md).
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import orjson
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


_ENCODER = SERIALIZER._encoder_cls()  # noqa: SLF001 - what serialize_json encodes with
_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
"""As the json module: other keys written as strings, dates through SpiffWorkflow's registry
(its `default`), not as orjson's own strings."""


def dump(workflow: BpmnWorkflow) -> str:
    """Serialize after dropping finished history (see compaction): cost stays flat in loops.

    What SpiffWorkflow's `serialize_json` does, with orjson writing the JSON: the json module
    took a third of a step's serialization. A value orjson refuses (an integer past 64 bits,
    say) is written by the json module, as before; a NaN or an infinity (which the json module
    wrote as JavaScript, not JSON) is written as null."""
    compact(workflow)
    SERIALIZER.registry._encoder_mode = True  # noqa: SLF001 - as serialize_json sets it
    try:
        dct = SERIALIZER.to_dict(workflow)
        dct[SERIALIZER.VERSION_KEY] = SERIALIZER.VERSION
        try:
            return orjson.dumps(dct, default=_ENCODER.default, option=_ORJSON_OPTIONS).decode()
        except orjson.JSONEncodeError:
            return json.dumps(dct, cls=SERIALIZER._encoder_cls)  # noqa: SLF001
    finally:
        SERIALIZER.registry._encoder_mode = False  # noqa: SLF001


def load(state: str, compiled: CompiledProcedure) -> BpmnWorkflow:
    """A state orjson wrote is read by orjson; one the json module wrote (before orjson, or
    holding what orjson refused) by the json module, which keeps integers past 64 bits exact
    where orjson would read them as floats. orjson writes no space after a key, json does."""
    first_key_end = state.find('":')
    if first_key_end > 0 and state[first_key_end + 2 : first_key_end + 3] != " ":
        dct = orjson.loads(state)
    else:
        dct = json.loads(state)
    SERIALIZER.migrate(dct)
    return SERIALIZER.from_dict(dct, compiled=compiled)
