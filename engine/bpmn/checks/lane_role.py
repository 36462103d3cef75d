"""`mot-cua/lane-role`: every user, manual or plain task lies in a lane named by a known role —
otherwise nobody is ever offered the step."""

from __future__ import annotations

from typing import Any

from engine.access.roles import LANE_ROLES
from engine.bpmn.checks.base import ERROR
from engine.bpmn.checks.base import Diagram
from engine.bpmn.checks.base import Rule
from engine.bpmn.checks.base import spec_label
from engine.errors import Problem

ID = "mot-cua/lane-role"


def problem(task_spec: Any) -> Problem | None:
    """The problem of one human step (user, manual or plain task), if its lane is not a role."""
    role = task_spec.lane
    label = spec_label(task_spec)
    if role is None:
        message = (
            f"Công việc {label} phải nằm trong một làn (lane) mang tên vai trò (the task must "
            f"lie in a lane named by a role: {', '.join(sorted(LANE_ROLES))})."
        )
    elif role not in LANE_ROLES:
        message = (
            f"Công việc {label} nằm trong làn '{role}', không phải vai trò nào; dùng: "
            f"{', '.join(sorted(LANE_ROLES))} (no role is named '{role}')."
        )
    else:
        return None
    return Problem(message, element_id=task_spec.bpmn_id, rule=ID)


def check(diagram: Diagram) -> list[Problem]:
    return [
        found
        for task_spec in diagram.task_specs()
        if getattr(task_spec, "manual", False) and (found := problem(task_spec)) is not None
    ]


RULE = Rule(
    ID, ERROR, "every user, manual or plain task lies in a lane named by a known role", check
)
