"""The one-stop rule set: one module per rule, each with the id and severity the modeler's
bpmnlint plugin (`bpmnlint-plugin-mot-cua`) uses, so the studio and the server never disagree.
Errors stop publication; warnings are given beside the answer."""

from __future__ import annotations

from engine.bpmn.checks import end_outcome
from engine.bpmn.checks import lane_role
from engine.bpmn.checks import limit_sum
from engine.bpmn.checks import no_implicit_join
from engine.bpmn.checks import no_implicit_split
from engine.bpmn.checks import reach_end
from engine.bpmn.checks import supplement_path
from engine.bpmn.checks import user_task_form
from engine.bpmn.checks.base import ERROR
from engine.bpmn.checks.base import WARNING
from engine.bpmn.checks.base import Diagram
from engine.bpmn.checks.base import Rule
from engine.errors import Problem

RULES: tuple[Rule, ...] = (
    lane_role.RULE,
    end_outcome.RULE,
    user_task_form.RULE,
    reach_end.RULE,
    limit_sum.RULE,
    no_implicit_split.RULE,
    no_implicit_join.RULE,
    supplement_path.RULE,
)
"""Every rule, by id: a test compares the ids with the modeler plugin's rule files."""


def run_rules(diagram: Diagram) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) of every rule, each problem naming its rule."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for rule in RULES:
        (errors if rule.severity == ERROR else warnings).extend(rule.run(diagram))
    return errors, warnings


__all__ = ["ERROR", "RULES", "WARNING", "Diagram", "Rule", "run_rules"]
