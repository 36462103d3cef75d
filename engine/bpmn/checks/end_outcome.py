"""`mot-cua/end-outcome`: an end event's `outcome` property, when set, is one the dossier can
end with."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent

from engine.bpmn.checks.base import ERROR
from engine.bpmn.checks.base import Diagram
from engine.bpmn.checks.base import Rule
from engine.bpmn.checks.base import spec_label
from engine.errors import Problem
from engine.rules.status import END_OUTCOMES

ID = "mot-cua/end-outcome"


def problem(task_spec: Any) -> Problem | None:
    """The problem of one end event, if its outcome is not one of END_OUTCOMES."""
    outcome = (task_spec.extensions.get("properties") or {}).get("outcome")
    if outcome is None or outcome in END_OUTCOMES:
        return None
    known = ", ".join(sorted(END_OUTCOMES))
    return Problem(
        f"Kết quả '{outcome}' của sự kiện kết thúc {spec_label(task_spec)} không hợp lệ; dùng: "
        f"{known} (the end event's outcome must be one of these).",
        element_id=task_spec.bpmn_id,
        rule=ID,
    )


def check(diagram: Diagram) -> list[Problem]:
    return [
        found
        for task_spec in diagram.task_specs()
        if isinstance(task_spec, EndEvent) and (found := problem(task_spec)) is not None
    ]


RULE = Rule(
    ID,
    ERROR,
    "every end event's outcome, if set, is result_returned, processed or refused",
    check,
)
