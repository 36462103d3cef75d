"""`mot-cua/supplement-path`: a procedure that lets the applicant supplement the dossier
(supplement_days > 0) should have a step or event for it, named so ("supplement", "bổ sung")."""

from __future__ import annotations

from engine.bpmn.checks.base import WARNING
from engine.bpmn.checks.base import Diagram
from engine.bpmn.checks.base import Rule
from engine.errors import Problem
from engine.rules.folding import fold

ID = "mot-cua/supplement-path"
WORDS = ("supplement", "bo sung", "bo_sung", "bosung")
"""Compared with ids and names folded to ASCII lower case ("Bổ sung" -> "bo sung")."""


def check(diagram: Diagram) -> list[Problem]:
    if diagram.supplement_days <= 0 or not diagram.specs:
        return []
    for task_spec in diagram.task_specs():
        if not getattr(task_spec, "bpmn_id", None):
            continue  # SpiffWorkflow's own start/end specs
        text = fold(f"{task_spec.bpmn_id} {task_spec.bpmn_name or ''}")
        if any(word in text for word in WORDS):
            return []
    process = diagram.specs[0]
    return [
        Problem(
            f"Thủ tục cho phép bổ sung hồ sơ ({diagram.supplement_days} ngày) nhưng quy trình "
            f"'{process.name}' không có bước hay sự kiện nào về bổ sung (\"bổ sung\" / "
            '"supplement") (the procedure allows supplements but no step or event of the '
            "diagram is about one).",
            element_id=process.name,
        )
    ]


RULE = Rule(
    ID,
    WARNING,
    "a procedure that allows supplements has a step or event about a supplement",
    check,
)
