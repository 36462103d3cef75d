"""The one-stop rule set on the server: each rule refuses (errors) or advises (warnings) on a
diagram that breaks it, names the element and its rule, and stays quiet on one that does not."""

from __future__ import annotations

import pytest

from engine.bpmn.checks import RULES
from engine.bpmn.compiler import compile_procedure
from engine.errors import DiagramInvalid
from tests.engine.checks_support import DECISION_FORM
from tests.engine.checks_support import bpmn
from tests.engine.checks_support import files_of
from tests.engine.checks_support import reviewed
from tests.engine.checks_support import rules_of

FORM = {"form": DECISION_FORM}
END = ("endEvent", "end", {"outcome": "processed"})


def one_step(**props: str) -> bytes:
    return bpmn(
        [("userTask", "check", {**FORM, **props}), END], [("start", "check"), ("check", "end")]
    )


def test_the_registry_holds_the_contract_s_rules_with_their_severities():
    assert [(rule.id, rule.severity) for rule in RULES] == [
        ("mot-cua/lane-role", "error"),
        ("mot-cua/end-outcome", "error"),
        ("mot-cua/user-task-form", "warning"),
        ("mot-cua/reach-end", "warning"),
        ("mot-cua/limit-sum", "warning"),
        ("mot-cua/no-implicit-split", "warning"),
        ("mot-cua/no-implicit-join", "warning"),
        ("mot-cua/supplement-path", "warning"),
    ]


def test_a_clean_diagram_gets_neither_errors_nor_warnings():
    found = reviewed(one_step(time_limit="2d"))

    assert (found.errors, found.warnings) == ([], [])


@pytest.mark.parametrize(
    ("lane", "said"), [(None, "phải nằm trong một làn"), ("nobody", "làn 'nobody'")]
)
def test_a_step_outside_a_role_lane_is_refused_naming_the_step_and_rule(lane, said):
    diagram = bpmn(
        [("userTask", "check", FORM), END], [("start", "check"), ("check", "end")], lane=lane
    )

    with pytest.raises(DiagramInvalid) as refused:
        compile_procedure(files_of(diagram), "p")

    [problem] = refused.value.problems
    assert (problem.rule, problem.element_id) == ("mot-cua/lane-role", "check")
    assert said in problem.message and "'check'" in problem.message


def test_an_end_event_with_an_unknown_outcome_is_refused_naming_it():
    diagram = bpmn(
        [("userTask", "check", FORM), ("endEvent", "end", {"outcome": "done"})],
        [("start", "check"), ("check", "end")],
    )

    with pytest.raises(DiagramInvalid) as refused:
        compile_procedure(files_of(diagram), "p")

    [problem] = refused.value.problems
    assert (problem.rule, problem.element_id) == ("mot-cua/end-outcome", "end")
    assert "'done'" in problem.message and "result_returned" in problem.message


def test_a_user_task_without_a_form_is_a_warning():
    diagram = bpmn([("userTask", "check", {}), END], [("start", "check"), ("check", "end")])

    assert rules_of(reviewed(diagram).warnings) == [("mot-cua/user-task-form", "check")]


def test_a_step_from_which_no_end_is_reached_is_a_warning():
    diagram = bpmn(
        [
            ("userTask", "check", FORM),
            ("exclusiveGateway", "gw", {}),
            END,
            ("manualTask", "stuck", {}),
        ],
        [
            ("start", "check"),
            ("check", "gw"),
            ("gw", "end", 'decision == "approve"'),
            ("gw", "stuck", 'decision == "refuse"'),
        ],
    )

    found = reviewed(diagram)

    assert rules_of(found.warnings) == [("mot-cua/reach-end", "stuck")]
    assert "'stuck'" in found.warnings[0].message


def two_steps(first: str, second: str) -> bytes:
    return bpmn(
        [
            ("userTask", "check", {**FORM, "time_limit": first}),
            ("userTask", "approve", {**FORM, "time_limit": second}),
            END,
        ],
        [("start", "check"), ("check", "approve"), ("approve", "end")],
    )


def test_step_limits_adding_up_past_the_statutory_limit_name_the_step_that_passes_it():
    over = reviewed(two_steps("2d", "9d"), limit=10).warnings
    hours = reviewed(two_steps("2d", "9d"), limit=80, unit="hours").warnings

    assert rules_of(over) == [("mot-cua/limit-sum", "approve")]
    assert "check (2d) → approve (9d)" in over[0].message and "10 ngày" in over[0].message
    assert rules_of(hours) == [("mot-cua/limit-sum", "approve")]
    assert reviewed(two_steps("2d", "8d"), limit=10).warnings == []
    assert reviewed(two_steps("4h", "9d"), limit=10).warnings == []


def test_only_the_longest_branch_counts_and_a_loop_is_walked_once():
    diagram = bpmn(
        [
            ("userTask", "check", {**FORM, "time_limit": "2d"}),
            ("exclusiveGateway", "gw", {}),
            ("userTask", "long", {**FORM, "time_limit": "6d"}),
            ("userTask", "short", {**FORM, "time_limit": "1d"}),
            ("exclusiveGateway", "join", {}),
            END,
        ],
        [
            ("start", "check"),
            ("check", "gw"),
            ("gw", "long", 'decision == "approve"'),
            ("gw", "short", 'decision == "refuse"'),
            ("long", "join"),
            ("short", "check"),
            ("join", "end"),
        ],
    )

    def limit_sum(limit: int) -> list[tuple[str | None, str | None]]:
        warnings = reviewed(diagram, limit=limit).warnings
        return [found for found in rules_of(warnings) if found[0] == "mot-cua/limit-sum"]

    assert limit_sum(8) == []
    assert limit_sum(7) == [("mot-cua/limit-sum", "long")]


def test_several_plain_flows_out_of_an_event_is_an_implicit_split():
    split = bpmn(
        [("userTask", "a", FORM), ("userTask", "b", FORM), ("parallelGateway", "join", {}), END],
        [("start", "a"), ("start", "b"), ("a", "join"), ("b", "join"), ("join", "end")],
    )
    gateway = bpmn(
        [
            ("parallelGateway", "fork", {}),
            ("userTask", "a", FORM),
            ("userTask", "b", FORM),
            ("parallelGateway", "join", {}),
            END,
        ],
        [
            ("start", "fork"),
            ("fork", "a"),
            ("fork", "b"),
            ("a", "join"),
            ("b", "join"),
            ("join", "end"),
        ],
    )

    assert rules_of(reviewed(split).warnings) == [("mot-cua/no-implicit-split", "start")]
    assert reviewed(gateway).warnings == []


def test_several_flows_into_a_task_is_an_implicit_join():
    diagram = bpmn(
        [
            ("userTask", "check", FORM),
            ("exclusiveGateway", "gw", {}),
            ("userTask", "a", FORM),
            ("userTask", "b", FORM),
            END,
        ],
        [
            ("start", "check"),
            ("check", "gw"),
            ("gw", "a", 'decision == "approve"'),
            ("gw", "b", 'decision == "refuse"'),
            ("a", "end"),
            ("b", "end"),
        ],
    )

    assert rules_of(reviewed(diagram).warnings) == [("mot-cua/no-implicit-join", "end")]


def test_a_procedure_allowing_supplements_wants_a_step_about_one():
    without = reviewed(one_step(), supplement_days=5).warnings
    named = bpmn(
        [("userTask", "check", FORM), ("userTask", "ask", FORM), END],
        [("start", "check"), ("check", "ask"), ("ask", "end")],
        names={"ask": "Yêu cầu Bổ sung hồ sơ"},
    )

    assert rules_of(without) == [("mot-cua/supplement-path", "p")]
    assert "5 ngày" in without[0].message
    assert reviewed(named, supplement_days=5).warnings == []
    assert reviewed(one_step(), supplement_days=0).warnings == []
