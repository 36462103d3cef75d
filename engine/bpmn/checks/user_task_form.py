"""`mot-cua/user-task-form`: a user task without a form gives the officer nothing to fill in
(and the conditions after it nothing to read)."""

from __future__ import annotations

from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask

from engine.bpmn.checks.base import WARNING
from engine.bpmn.checks.base import Diagram
from engine.bpmn.checks.base import Rule
from engine.bpmn.checks.base import spec_label
from engine.errors import Problem

ID = "mot-cua/user-task-form"


def check(diagram: Diagram) -> list[Problem]:
    return [
        Problem(
            f"Công việc {spec_label(task_spec)} chưa gắn biểu mẫu: đặt thuộc tính `form` (the "
            "user task names no form).",
            element_id=task_spec.bpmn_id,
        )
        for task_spec in diagram.task_specs()
        if isinstance(task_spec, UserTask)
        and not (task_spec.extensions.get("properties") or {}).get("form")
    ]


RULE = Rule(ID, WARNING, "every user task names a form (`form` property)", check)
