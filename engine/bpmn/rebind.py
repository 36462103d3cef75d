"""Can a saved instance run on another version of its diagram? The saved state names each task's
spec (serializer.py keeps the spec itself out), so a version that still has every named spec can
load it; one that lost a spec cannot, and we say which step is missing before trying."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.util.task import TaskState

from engine.bpmn.compiler import CompiledProcedure


@dataclass(frozen=True)
class MissingSpec:
    element_id: str
    live: bool
    """The instance is at (or heading to) this step, rather than past it."""


def missing_specs(state: str, compiled: CompiledProcedure) -> list[MissingSpec]:
    """Task specs the saved instance refers to that `compiled` does not define, live ones first."""
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
