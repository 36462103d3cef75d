"""Saved workflow state without the spec: the spec comes from the cache by version hash.

Keeping the spec out halves per-step cost and state size (see reference/spiff-bench.md).
"""

from __future__ import annotations

import json
from datetime import date
from datetime import time
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.compaction import compact
from engine.bpmn.compiler import CompiledProcedure
from engine.bpmn.sandbox import SCRIPT_ENGINE


# SpiffWorkflow ships no type hints: to mypy its base class is Any.
class SpeclessWorkflowConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    """Writes the process id in place of the spec; restores with the spec handed in. Its own
    tasks go through `_task_to_dict` and `SharedIdsTaskConverter`, which share one id table
    per state; those of its subprocesses through SpiffWorkflow's converters."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        """SpiffWorkflow's workflow fields, with each task id written once to text."""
        registry = self.registry
        texts = _UuidTexts()
        typename = registry.typenames[Task]
        last_task = workflow.last_task
        return {
            "data": registry.convert(registry.clean(workflow.data)),
            "correlations": workflow.correlations,
            "last_task": None if last_task is None else texts[last_task.id],
            "success": workflow.success,
            "completed": workflow.completed,
            "tasks": {
                texts[task_id]: _task_to_dict(task, texts, registry, typename)
                for task_id, task in workflow.tasks.items()
            },
            "root": texts[workflow.task_tree.id],
            "spec": workflow.spec.name,
            "subprocesses": self.mapping_to_dict(workflow.subprocesses),
            "bpmn_events": registry.convert(workflow.bpmn_events),
        }

    def from_dict(self, dct: dict[str, Any], **kwargs: Any) -> BpmnWorkflow:
        compiled: CompiledProcedure = kwargs["compiled"]
        workflow = self.target_class(
            compiled.spec,
            compiled.subprocess_specs,
            script_engine=SCRIPT_ENGINE,
            deserializing=True,
        )
        uuids = _Uuids()
        registry = self.registry
        restore_task = registry.convert_from_dict[registry.typenames[Task]]
        workflow.tasks = {
            uuids[key]: restore_task(task, workflow=workflow, uuids=uuids)
            for key, task in dct["tasks"].items()
        }
        workflow.task_tree = workflow.tasks.get(uuids[dct["root"]])
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = registry.restore(dct.pop("bpmn_events", []))
        return workflow


class _Uuids(dict[str, UUID]):
    """Each task id of one state parsed once: it is written as the task's key, its id, its
    parent's and its children's, and parsing a UUID took a quarter of a restore."""

    def __missing__(self, text: str) -> UUID:
        parsed = self[text] = UUID(text)
        return parsed


class _UuidTexts(dict[UUID, str]):
    """Each task id of one workflow written to text once (as for `_Uuids`)."""

    def __missing__(self, uuid: UUID) -> str:
        text = self[uuid] = str(uuid)
        return text


def _task_to_dict(task: Task, texts: _UuidTexts, registry: Any, typename: str) -> dict[str, Any]:
    """What SpiffWorkflow's TaskConverter writes for a task (the root's data whole, another's as
    its changes from its parent's), with the ids from `texts` and the parent looked up once."""
    parent = task.parent
    if parent is None:
        data, delta = task.data, {}
    else:
        data = {}
        delta = {
            "updates": DeepMerge.get_updated_keys(parent.data, task.data),
            "deletions": DeepMerge.get_deleted_keys(parent.data, task.data),
        }
    return {
        "id": texts[task.id],
        "parent": None if parent is None else texts[parent.id],
        "children": [texts[child] for child in task._children],  # noqa: SLF001
        "last_state_change": task.last_state_change,
        "state": task.state,
        "task_spec": task.task_spec.name,
        "triggered": task.triggered,
        "internal_data": registry.convert(task.internal_data),
        "data": data,
        "delta": delta,
        "typename": typename,
    }


class SharedIdsTaskConverter(TaskConverter):  # type: ignore[misc]
    """SpiffWorkflow's task restore, with the ids of the state parsed once (`uuids`, handed in
    by SpeclessWorkflowConverter; a subprocess's tasks come without and restore as before)."""

    def from_dict(self, dct: dict[str, Any], workflow: Any, uuids: _Uuids | None = None) -> Task:
        if uuids is None:
            return super().from_dict(dct, workflow)
        spec = workflow.spec.task_specs.get(dct["task_spec"])
        task = self.target_class(workflow, spec, state=dct["state"], id=uuids[dct["id"]])
        parent_id = dct["parent"]
        task._parent = None if parent_id is None else uuids[parent_id]  # noqa: SLF001
        task._children = [uuids[child] for child in dct["children"]]  # noqa: SLF001
        task.last_state_change = dct["last_state_change"]
        task.triggered = dct["triggered"]
        task.internal_data = self._restored(dct["internal_data"])
        if isinstance(spec, CatchingEvent) and task.has_state(TaskState.WAITING):
            workflow.top_workflow.event_manager.add_task(task)
        task.data = self._data(task, dct)
        return task

    def _data(self, task: Task, dct: dict[str, Any]) -> dict[str, Any]:
        """The root's data is written whole; a child's as its changes from its parent's."""
        delta = dct.get("delta")
        parent = task.parent
        if not delta or parent is None:
            return self._restored(dct["data"])
        data: dict[str, Any] = DeepMerge.merge({}, parent.data)
        data.update(self._restored(delta.get("updates", {})))
        for key in delta.get("deletions", ()):
            data.pop(key, None)
        return data

    def _restored(self, value: dict[str, Any]) -> dict[str, Any]:
        """Most of these are empty: the just-parsed {} is kept rather than walked and copied."""
        return self.registry.restore(value) if value else value


def _make_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = SpeclessWorkflowConverter
    config[Task] = SharedIdsTaskConverter
    registry = BpmnWorkflowSerializer.configure(config)
    _register_script_values(registry)
    return BpmnWorkflowSerializer(registry)


def _register_script_values(registry: Any) -> None:
    """The script helpers' types a script may leave in task data (engine.bpmn.sandbox.HELPERS)
    come back as themselves: SpiffWorkflow registers only datetime and timedelta."""
    registry.register(
        date,
        lambda value: {"value": value.isoformat()},
        lambda dct: date.fromisoformat(dct["value"]),
    )
    registry.register(
        time,
        lambda value: {"value": value.isoformat()},
        lambda dct: time.fromisoformat(dct["value"]),
    )
    registry.register(
        Decimal, lambda value: {"value": str(value)}, lambda dct: Decimal(dct["value"])
    )


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
