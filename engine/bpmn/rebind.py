"""Can a saved instance run on another version of its diagram, and how it is moved there.

The saved state names each task's spec (serializer.py keeps the spec itself out), so a version
that has every spec the instance still needs can load it. Before checking, the instance drops
what it no longer needs: the history behind its live tasks (compaction, fully) and the path
SpiffWorkflow predicted ahead of them, which is predicted again from the target's diagram (a
simplified version has other steps ahead). What remains must exist in the target, after the
designer's mapping (old element id -> new) renamed the tasks that point at removed elements."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from uuid import UUID

from SpiffWorkflow.util.task import TaskState

from engine.bpmn import runtime
from engine.bpmn import serializer
from engine.bpmn.compaction import compact
from engine.bpmn.compiler import CompiledProcedure
from engine.bpmn.runtime import Workflow

_PREDICTED = TaskState.FUTURE | TaskState.PREDICTED_MASK
_LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


@dataclass(frozen=True)
class MissingSpec:
    element_id: str
    live: bool
    """The instance is at this step (open or waiting), rather than past it."""
    in_subprocess: str | None = None
    """The target has the element, but inside this sub-process (a move there is not made)."""


@dataclass
class Rebinding:
    """A saved instance prepared for a target version: what blocks it, else its state."""

    state: dict[str, Any]
    live: list[str]
    """Element ids of the steps the instance is at (open tasks, waits), as the target names
    them."""
    missing: list[MissingSpec]
    pruned: dict[str, set[str]] = field(default_factory=dict)
    """Per workflow ("" = top, else the sub-process task id): tasks whose predicted children
    were dropped, to predict again once loaded."""
    waited: bool = False
    """The instance, as saved, used timers or caught events: its rows for them must be
    reconciled even when the target uses none."""


def missing_specs(state: str, compiled: CompiledProcedure) -> list[MissingSpec]:
    """Task specs the saved instance refers to that `compiled` does not define, live ones first
    (as it is saved, without preparation: what loading it unchanged would lack)."""
    dct = json.loads(state)
    found: dict[str, bool] = {}
    _collect(dct.get("tasks", {}), set(compiled.spec.task_specs), found)
    for sub in dct.get("subprocesses", {}).values():
        spec = compiled.subprocess_specs.get(sub.get("spec"))
        names = set(spec.task_specs) if spec is not None else set()
        _collect(sub.get("tasks", {}), names, found)
    missing = [MissingSpec(name, live) for name, live in found.items()]
    return sorted(missing, key=lambda item: (not item.live, item.element_id))


def _collect(tasks: dict[str, Any], known: set[str], found: dict[str, bool]) -> None:
    for task in tasks.values():
        name = task["task_spec"]
        if name not in known:
            live = not TaskState.FINISHED_MASK & int(task["state"])
            found[name] = found.get(name, False) or live


def prepare(
    state: str,
    source: CompiledProcedure,
    target: CompiledProcedure,
    mapping: Mapping[str, str],
) -> Rebinding:
    """The instance without its history and predictions, its tasks renamed by `mapping`, and
    what the target lacks of what remains (empty: it can move)."""
    workflow = serializer.load(state, source)
    compact(workflow, min_removable=1)
    dct: dict[str, Any] = json.loads(serializer.dump(workflow))
    waited = runtime.uses_timers(workflow) or runtime.uses_events(workflow)
    rebinding = Rebinding(dct, [], [], waited=waited)
    top_names = set(target.spec.task_specs)
    _prepare_tasks(dct["tasks"], "", top_names, target, mapping, rebinding)
    for task_id, sub in dct.get("subprocesses", {}).items():
        spec = target.subprocess_specs.get(sub.get("spec"))
        names = set(spec.task_specs) if spec is not None else set()
        _prepare_tasks(sub["tasks"], task_id, names, target, mapping, rebinding)
    rebinding.missing.sort(key=lambda item: (not item.live, item.element_id))
    if dct.get("last_task") not in dct["tasks"]:
        dct["last_task"] = None
    return rebinding


def _prepare_tasks(
    tasks: dict[str, Any],
    workflow_key: str,
    known: set[str],
    target: CompiledProcedure,
    mapping: Mapping[str, str],
    rebinding: Rebinding,
) -> None:
    pruned = _prune_predictions(tasks)
    if pruned:
        rebinding.pruned[workflow_key] = pruned
    found: dict[str, bool] = {}
    for task in tasks.values():
        name = mapping.get(task["task_spec"], task["task_spec"])
        task["task_spec"] = name
        live = bool(int(task["state"]) & _LIVE)
        if live and name not in rebinding.live:
            rebinding.live.append(name)
        if name not in known:
            found[name] = found.get(name, False) or live
    for name, live in found.items():
        rebinding.missing.append(MissingSpec(name, live, subprocess_holding(target, name)))


def subprocess_holding(target: CompiledProcedure, name: str) -> str | None:
    """The sub-process of `target` that defines element `name`, if one does."""
    for sub_name, spec in target.subprocess_specs.items():
        if name in spec.task_specs:
            return str(sub_name)
    return None


def _prune_predictions(tasks: dict[str, Any]) -> set[str]:
    """Drop the tasks SpiffWorkflow predicted under a live task (and theirs); the parents that
    lost children, by id."""
    doomed: list[str] = []
    parents: set[str] = set()
    for task_id, task in tasks.items():
        parent = tasks.get(task["parent"]) if task["parent"] else None
        if parent is None or int(task["state"]) & _PREDICTED == 0:
            continue
        if int(parent["state"]) & TaskState.FINISHED_MASK == 0:
            doomed.append(task_id)
            parents.add(task["parent"])
    stack, gone = list(doomed), set()
    while stack:
        task_id = stack.pop()
        if task_id in gone or task_id not in tasks:
            continue
        gone.add(task_id)
        stack.extend(tasks[task_id]["children"])
    for task_id in gone:
        del tasks[task_id]
    for task in tasks.values():
        if gone.intersection(task["children"]):
            task["children"] = [child for child in task["children"] if child not in gone]
    return parents - gone


def rebind(rebinding: Rebinding, target: CompiledProcedure) -> Workflow:
    """Load the prepared instance on the target and predict its path ahead again."""
    workflow: Workflow = serializer.SERIALIZER.from_dict(rebinding.state, compiled=target)
    for key, parents in rebinding.pruned.items():
        owner = workflow if key == "" else workflow.subprocesses.get(UUID(key))
        if owner is None:
            continue
        for task_id in parents:
            task = owner.tasks.get(UUID(task_id))
            if task is not None:
                _predict_again(task)
    return workflow


def _predict_again(task: Any) -> None:
    """A task left without children predicts them as SpiffWorkflow does (its spec's own rule);
    one that keeps definite children (a multi-instance step's instances) gets its outputs back
    as FUTURE, as SpiffWorkflow's default prediction gives a definite task."""
    mask = TaskState.NOT_FINISHED_MASK
    if not task.children:
        task.task_spec._predict(task, mask=mask)  # noqa: SLF001 - SpiffWorkflow's own prediction
        return
    present = {child.task_spec for child in task.children}
    state = TaskState.FUTURE if task.has_state(TaskState.DEFINITE_MASK) else task.state
    for spec in task.task_spec.outputs:
        if spec not in present:
            child = task._add_child(spec, state)  # noqa: SLF001
            child.task_spec._predict(child, mask=mask)  # noqa: SLF001
