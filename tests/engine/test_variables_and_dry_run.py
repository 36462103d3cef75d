"""Conditions and scripts naming variables nothing provides (advice naming the element and the
variable), the studio's expression check, and the publish dry run that refuses a diagram
certain to fail on its first dossier."""

from __future__ import annotations

from engine.bpmn import dry_run
from engine.bpmn.review import check_expression
from engine.bpmn.variables import names_read
from tests.engine.checks_support import DECISION_FORM
from tests.engine.checks_support import bpmn
from tests.engine.checks_support import files_of
from tests.engine.checks_support import reviewed

FORM = {"form": DECISION_FORM}
END = ("endEvent", "end", {"outcome": "processed"})


def decided_by(condition: str, *, script: str | None = None) -> bytes:
    """start -> [script] -> check (decision form) -> gateway (condition / default) -> end."""
    first = [("scriptTask:" + script, "prepare", {})] if script else []
    flows = [("start", "prepare"), ("prepare", "check")] if script else [("start", "check")]
    return bpmn(
        [
            *first,
            ("userTask", "check", FORM),
            ("exclusiveGateway", "gw", {}),
            ("userTask", "approve", FORM),
            ("userTask", "refuse", FORM),
            ("exclusiveGateway", "join", {}),
            END,
        ],
        [
            *flows,
            ("check", "gw"),
            ("gw", "approve", condition),
            ("gw", "refuse", f"not ({condition})"),
            ("approve", "join"),
            ("refuse", "join"),
            ("join", "end"),
        ],
    )


def variables(found) -> list[tuple[str | None, str | None]]:
    return [
        (p.element_id, p.extra.get("variable")) for p in found.warnings if "variable" in p.extra
    ]


def test_names_read_follow_the_order_a_script_runs_in():
    assert names_read("count = count + 1", "script") == ("count",)
    assert names_read("total = 0\ntotal += pages", "script") == ("pages",)
    assert names_read("[x * 2 for x in items if x]", "condition") == ("items",)
    assert names_read('exists("note") and note != ""', "condition") == ()
    assert names_read("len(decision) > max(1, 2)", "condition") == ("decision",)


def test_a_condition_naming_a_variable_nothing_provides_is_named_with_its_element():
    found = reviewed(decided_by('eligble == "yes"'))

    assert found.errors == []
    assert ("gw", "eligble") in variables(found)
    [advice] = [p for p in found.warnings if p.extra.get("variable") == "eligble"]
    assert "'eligble'" in advice.message and "'gw'" in advice.message


def test_form_fields_and_script_assignments_provide_variables():
    found = reviewed(decided_by("total > 1", script="total = pages_given * 2 if False else 2"))

    assert variables(found) == [("prepare", "pages_given")]
    assert reviewed(decided_by('decision == "approve"')).warnings == []


def test_the_expression_check_names_what_it_reads_and_what_nothing_provides():
    files = files_of(decided_by('decision == "approve"'))

    checked = check_expression(files, "gw", 'decision == "approve" and copies > 1', "condition")
    refused = check_expression(files, "gw", "__import__('os')", "condition")
    script = check_expression(files, "prepare", "fee = copies * 2000\nlabel = applicant", "script")

    assert (checked.problems, checked.variables, checked.unknown) == (
        [],
        ["decision", "copies"],
        ["copies"],
    )
    assert refused.problems and refused.problems[0].element_id == "gw"
    assert (script.variables, script.unknown) == (["copies", "applicant"], ["copies"])


def test_the_dry_run_refuses_a_diagram_whose_first_script_fails():
    found = reviewed(decided_by('decision == "approve"', script="share = 100 / 0"))

    [problem] = found.errors
    assert problem.element_id == "prepare"
    assert "ZeroDivisionError" in problem.message and problem.message.startswith("Chạy thử")


def test_the_dry_run_refuses_a_gateway_whose_condition_fails_on_form_data():
    found = reviewed(decided_by("decision > 3"))  # a select's text compared with a number

    [problem] = found.errors
    assert problem.element_id == "gw"
    assert "TypeError" in problem.message and "decision='approve'" in problem.message


def test_the_dry_run_follows_each_option_the_conditions_read():
    fails_on_refuse = decided_by('decision == "approve" or 1 / 0')

    [problem] = reviewed(fails_on_refuse).errors
    assert problem.element_id == "gw" and "decision='refuse'" in problem.message
    assert (
        reviewed(decided_by('decision == "approve"')).dry_run.steps == 3 * 2
    )  # each step, each option


def test_data_only_the_reception_can_bring_is_advice_not_a_refusal():
    found = reviewed(decided_by('decision == "approve"', script="fee = copies * 2000"))

    assert found.errors == []
    assert variables(found) == [("prepare", "copies")]


def test_a_service_task_stops_the_dry_run_without_calling_out():
    diagram = bpmn(
        [("serviceTask", "lookup", {}), END], [("start", "lookup"), ("lookup", "end")]
    ).replace(
        b'<bpmn:serviceTask id="lookup">',
        b'<bpmn:serviceTask id="lookup"><bpmn:extensionElements><spiffworkflow:serviceTaskOperator '
        b'id="http/get" resultVariable="answer"><spiffworkflow:parameters><spiffworkflow:parameter '
        b'id="url" type="str" value="\'http://127.0.0.1:9/never\'"/></spiffworkflow:parameters>'
        b"</spiffworkflow:serviceTaskOperator></bpmn:extensionElements>",
    )

    found = reviewed(diagram)

    assert found.errors == [] and found.dry_run is not None and found.dry_run.runs == 1


def test_a_loop_of_scripts_with_no_human_step_is_cut_by_the_budget_with_advice():
    endless = bpmn(
        [("scriptTask:n = 1", "again", {}), ("exclusiveGateway", "gw", {}), END],
        [("start", "again"), ("again", "gw"), ("gw", "again", "True"), ("gw", "end", "False")],
    )

    found = reviewed(endless)

    assert found.errors == [] and found.dry_run is not None
    assert found.dry_run.complete is False
    [looping] = [p for p in found.warnings if "loop here" in p.message]
    assert looping.element_id in ("again", "gw")
    assert f"{dry_run.MAX_RUN_TASKS} engine tasks" in looping.message


def test_the_expression_check_counts_only_what_the_steps_before_the_element_provide():
    later_field = bpmn(
        [
            ("scriptTask:fee = 2000", "prepare", {}),
            ("exclusiveGateway", "gw", {}),
            ("userTask", "check", FORM),
            END,
        ],
        [
            ("start", "prepare"),
            ("prepare", "gw"),
            ("gw", "check", "fee > 0"),
            ("gw", "end", "fee == 0"),
            ("check", "end"),
        ],
    )
    files = files_of(later_field)

    at_gateway = check_expression(files, "gw", 'fee > 0 and decision == "approve"', "condition")
    after_check = check_expression(files, "check", 'decision == "approve"', "condition")

    assert at_gateway.unknown == ["decision"]  # the form comes after the gateway
    assert after_check.unknown == []
